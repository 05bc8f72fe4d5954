"""Reposts: precision and recall of the near-duplicate detection against the replica's truth, by threshold, and
the time a signature takes.  ``python -m bench.reposts`` (``--seeds 1 2 5``, ``--scale 8``); writes
``bench/results/reposts.json``; see docs/reading-data.md (how CQN_REPOST_SIMILARITY was chosen)."""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from typing import Any

from bench import write_results
from cqnnews.outputs import reposts
from tests.replica import reposts as replica_reposts
from tests.replica.site import SHANGHAI, Site
from tests.replica.truth import expected_fields

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def curve(seed: int, scale: int) -> dict[str, Any]:
    site = Site(seed=seed, scale=scale, now=NOW)
    articles = [expected_fields(site, ref) for ref in site.articles()]
    truth = replica_reposts.truth(site)
    started = time.perf_counter()
    reposts.signatures([(a["title"], a["body"]) for a in articles])  # as the dataset and the feed do: together
    per_article_ms = (time.perf_counter() - started) * 1000 / len(articles)
    points = []
    for threshold in THRESHOLDS:
        found = reposts.clusters(articles, threshold)
        called = {a: d for a, (d, _) in found.items() if d is not None}
        right = sum(1 for a, d in called.items() if truth.get(a) == d)
        points.append({"threshold": threshold, "called": len(called), "right": right,
                       "precision": round(right / len(called), 4) if called else 1.0,
                       "recall": round(right / len(truth), 4)})
    return {"seed": seed, "scale": scale, "articles": len(articles), "reposts": len(truth),
            "signature_ms": round(per_article_ms, 3), "points": points}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reposts", description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 5])
    parser.add_argument("--scale", type=int, default=8)
    args = parser.parse_args()
    results = [curve(seed, args.scale) for seed in args.seeds]
    print(f"scheme {reposts.SCHEME}")
    print("threshold  " + "  ".join(f"seed {r['seed']} ({r['reposts']} of {r['articles']}) P / R" for r in results))
    for n, threshold in enumerate(THRESHOLDS):
        print(f"{threshold:9.2f}  " + "  ".join(
            f"{r['points'][n]['precision']:.4f} / {r['points'][n]['recall']:.4f}".ljust(len(
                f"seed {r['seed']} ({r['reposts']} of {r['articles']}) P / R")) for r in results))
    print("signature: " + ", ".join(f"{r['signature_ms']} ms" for r in results) + " an article")
    write_results("reposts", {"scheme": reposts.SCHEME, "curves": results})


if __name__ == "__main__":
    main()
