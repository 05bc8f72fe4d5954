"""``python -m tests.replica --port PORT [--seed N] [--scale N] [--now ISO-DATETIME] [--faults SPEC] [--fixed-faults]
[--home current|2018] [--articles current|redesign|...] [--listings VARIANT] [--without NAMES] [--refuse PREFIXES]``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from tests.replica.faults import RANDOM_KINDS, FaultPlan, parse_spec
from tests.replica.server import ReplicaServer
from tests.replica.site import ARTICLES, HOMES, LISTINGS, Site
from tests.replica.timeline import SHANGHAI


def _now(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date-time: {text!r} (e.g. 2026-11-25T08:00+08:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def _faults(text: str) -> dict[str, float]:
    try:
        return parse_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--seed", type=int, default=1, help="seed of everything the replica generates")
    parser.add_argument("--scale", type=int, default=8, help="articles per listing before 2026-09-30")
    parser.add_argument("--now", type=_now, default=None,
                        help="the replica's clock: only articles published by then are served "
                             "(default: the real time; no zone means Asia/Shanghai)")
    parser.add_argument("--faults", type=_faults, default={},
                        help="random faults per request, e.g. 503=0.1,429=0.05,slow=0.05,drop=0.05,truncate=0.05,"
                             "badcharset=0.05 (kinds: " + ", ".join(RANDOM_KINDS) + ")")
    parser.add_argument("--fixed-faults", action="store_true",
                        help="one article of 要闻二 per fixed fault kind (see /_replica/faults)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds every response takes (benchmarks)")
    parser.add_argument("--home", choices=HOMES, default="current",
                        help="the home page: the replica's own, or one built on the saved real page of March 2018 "
                             "(div.mainmenu, dl.cont blocks, 要闻 by node id, no 综合 link, /qt/index.htm absent)")
    parser.add_argument("--articles", choices=ARTICLES, default="current",
                        help="article pages: the 2016-2020 template, a redesign whose class names no parser knows, "
                             "that redesign printing only the day of publication (redesign-date), or a template whose "
                             "meta line has no labels (unlabelled, source-first, byline-end)")
    parser.add_argument("--listings", choices=LISTINGS, default="current",
                        help="listing pages: the 2017-2019 markup, or another a CMS of 2021 onwards may write "
                             "(tests/replica/listings.py)")
    parser.add_argument("--without", default="", help="listings taken off the site, e.g. 健康,家居: no page links "
                                                      "them and their pages answer 404")
    parser.add_argument("--refuse", default="", help="path prefixes answered 403 Forbidden every time, e.g. "
                                                     "/ms/attach/ (a file server refusing hotlinks)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    try:
        site = Site(seed=args.seed, scale=args.scale, now=args.now or datetime.now(SHANGHAI), home=args.home,
                    template=args.articles, listings=args.listings,
                    removed=frozenset(filter(None, args.without.split(","))))
    except ValueError as exc:
        parser.error(str(exc))
    try:
        plan = FaultPlan(site, args.faults, args.fixed_faults, tuple(filter(None, args.refuse.split(","))))
        plan.designated  # noqa: B018 (checks --fixed-faults can be served at this scale)
    except ValueError as exc:
        parser.error(str(exc))
    server = ReplicaServer(site, args.port, verbose=args.verbose, faults=plan, latency=args.latency)
    print(f"serving {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
