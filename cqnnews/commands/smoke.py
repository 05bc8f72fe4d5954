"""``scrapy smoke [spider ...]``: what works on the site today, in a few dozen polite requests.

For each spider (all but ``newscenter``, their union, unless named): the home page, the route
that found each listing, the first page of each listing and the newest two articles of each,
read as a crawl reads them.  Prints a table (listing, route, articles linked, articles read,
readers, missing fields), writes ``smoke.json`` (``-o`` to change), and exits 0 only if every
spider found its listings and every sampled article was read with a title, a publication time
and a body; else 1.  It obeys the same settings as a crawl (robots.txt, delays, AutoThrottle),
writes no feed and touches no crawl state.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import defer

from cqnnews.commands.crawl import BAD_INPUT, refuse
from cqnnews.commands.parse import throw_away_state
from cqnnews.crawl.startup_checks import check_settings
from cqnnews.outputs.smoke_findings import Sample, SpiderReport, sample_of, table, write
from cqnnews.sections import BadArgument
from cqnnews.signals import Walked, thawed, walks_ended
from cqnnews.urls import SiteUrls

UNION = "newscenter"  # the union of the other spiders: named to be smoke-tested, not by default


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] [spider ...]"

    def short_desc(self) -> str:
        return "Check what works on the site: the route to each listing, two articles of each read (no feed, no state)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", default="smoke.json", help="where to write the report (smoke.json)")
        parser.add_argument("--articles", type=int, default=2, help="articles read per listing (2)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if opts.articles < 1:
            raise UsageError("--articles must be at least 1", print_help=False)
        try:
            check_settings(self.settings)
        except (BadArgument, ValueError) as exc:
            refuse(str(exc))
        throw_away_state(self.settings)
        self.settings.set("LOG_LEVEL", "WARNING", priority="command")  # the table is the output; -L INFO for more
        self.settings.set("LOGSTATS_INTERVAL", 0, priority="command")
        self.settings.set("CQN_SMOKE_ARTICLES", opts.articles, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None and self.crawler_process is not None
        known = sorted(get_spider_loader(self.settings).list())
        unknown = [name for name in args if name not in known]
        if unknown:
            refuse(f"unknown spider {', '.join(map(repr, unknown))}; valid: {', '.join(known)}", BAD_INPUT)
        names = list(dict.fromkeys(args)) or [name for name in known if name != UNION]
        reports: list[SpiderReport] = []

        async def smoke_all() -> None:
            for name in names:  # one after the other: the site sees one polite crawler at a time
                crawler = self.crawler_process.create_crawler(name)
                report = SpiderReport(name)
                _listen(crawler, report)
                running = self.crawler_process.crawl(crawler)
                await (maybe_deferred_to_future(running) if isinstance(running, defer.Deferred) else running)
                _conclude(crawler, report)
                reports.append(report)

        from twisted.internet import reactor

        def begin() -> None:
            done = deferred_from_coro(smoke_all())
            done.addErrback(lambda failure: print(f"cqnnews: smoke test stopped: {failure.getErrorMessage()}",
                                                  file=sys.stderr))
            done.addBoth(lambda _: reactor.stop())  # type: ignore[attr-defined]

        reactor.callWhenRunning(begin)  # type: ignore[attr-defined]
        self.crawler_process.start(stop_after_crawl=False)
        print(table(reports))
        output = Path(opts.output)
        write(reports, output, SiteUrls(self.settings.get("CQN_BASE_URL")).base)
        failing = [r for r in reports if not r.ok]
        for report in failing:
            for problem in report.problems:
                print(f"{report.spider}: {problem}", file=sys.stderr)
        print(f"smoke test {'FAILED for ' + ', '.join(r.spider for r in failing) if failing else 'passed'}; "
              f"report in {output}", file=sys.stderr)
        self.exitcode = 1 if failing or len(reports) < len(names) else 0


def _listen(crawler: Crawler, report: SpiderReport) -> None:
    def received(response: Any, request: Any, spider: Any) -> None:
        if getattr(request.callback, "__name__", "") == "parse_home" and response.status == 200:
            report.home = True

    def scraped(item: Any, response: Any, spider: Any) -> None:
        report.samples.append(sample_of(item, response.meta.get("fallbacks", {})))

    def dropped(item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        report.samples.append(Sample(getattr(item, "url", "?"), list(getattr(item, "sections", [])),
                                     failed=f"dropped: {exception}"))

    def walks(walked: Walked) -> None:  # the routes, first pages and listings the walks found
        report.routes, report.first_pages = dict(walked.routes), dict(walked.first_pages)
        report.listings = sorted(thawed(walked.listings), key=lambda e: (e["name"], e["node"]))
        report.missing = list(walked.missing)

    for handler, signal in ((received, signals.response_received), (scraped, signals.item_scraped),
                            (dropped, signals.item_dropped), (walks, walks_ended)):
        crawler.signals.connect(handler, signal=signal, weak=False)


def _conclude(crawler: Crawler, report: SpiderReport) -> None:
    """The spider's run, done: the routes, first pages and failures it recorded."""
    spider = crawler.spider
    run = getattr(spider, "run", None) if spider is not None else None
    if run is not None:
        report.samples += [Sample(f.url, list(f.sections), failed=f.reason) for f in run.tally.failed]
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    prefix = "cqnnews/navigation/route_failed/"
    report.routes_failed = {k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)}
    report.ambiguous_pages = stats.get("cqnnews/listing/ambiguous_pages", 0)
    report.judge()
