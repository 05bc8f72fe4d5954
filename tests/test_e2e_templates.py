"""Article templates whose meta line prints no labels (``--articles unlabelled|source-first|byline-end``, see
tests/replica/templates.py): a crawl of each exports every article with every field equal to the truth, the
source included, no field holding a value its check refuses, and its summary says which readings were refused.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cqnnews.outputs.feeds import article_feeds
from cqnnews.reading.parsers.fields import article_problems
from tests.conftest import NOW, SEED
from tests.crawl import read_feed, run_crawl
from tests.redis_server import free_port
from tests.replica.process import running_replica
from tests.replica.templates import TEMPLATES
from tests.test_e2e_sections import compare

SCALE = 10
YAOWEN = {"综合/要闻一", "综合/要闻二"}
# the readings each template makes refuse on every article in it: its furniture where a careless reading looks
REFUSED = {"unlabelled": {"title/h1", "source/div.info span"}, "source-first": {"title/div.title"},
           "byline-end": set()}


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_field_of_every_article_on_a_template_without_labels(template: str, tmp_path: Path) -> None:
    with running_replica(seed=SEED, scale=SCALE, now=NOW, articles=template) as replica:
        result = run_crawl("yaowen", replica.url, tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        [feed] = article_feeds(tmp_path / "feeds" / "yaowen")
        records = read_feed(feed)
        compare(records, replica, YAOWEN)
    summary: dict[str, Any] = json.loads(feed.with_name(feed.stem + ".summary.json").read_text(encoding="utf-8"))
    assert summary["healthy"], summary["problems"]
    assert [(r["url"], p) for r in records for p in article_problems(r)] == []
    templated = [r for r in records if "/content/" in r["url"]]  # pages of before 2016 keep the old layout
    assert templated and {r["layout"] for r in templated} == {"generic"}
    assert any(r["source"] != "中国质量新闻网" for r in templated) and any(r["authors"] for r in templated)
    refused = summary["readings"]["rejected"]
    assert set(refused) == REFUSED[template]
    assert all(n == len(templated) for n in refused.values())
    # no label names the source on any of them: the meta line read by position and shape
    assert summary["readings"]["fallbacks"]["source/meta_line"] == len(templated)


def test_a_day_on_a_template_without_labels_is_flagged_by_its_refused_readings(tmp_path: Path) -> None:
    """Three days on the site's template, then the unlabelled one: the share of articles with a refused reading
    rises from none to all, and the monitors say so (the run is unhealthy, exit 1)."""
    port = free_port()
    runs, summaries = [], []
    for day, articles in enumerate(("current", "current", "current", "unlabelled")):
        now = NOW + timedelta(days=day)
        with running_replica(seed=SEED, scale=SCALE, now=now, port=port, articles=articles) as replica:
            runs.append(run_crawl("yaowen", replica.url, tmp_path, CQN_NOW=now.isoformat()))
        feed = article_feeds(tmp_path / "feeds" / "yaowen")[-1]
        summaries.append(json.loads(feed.with_name(feed.stem + ".summary.json").read_text("utf-8")))
    assert [r.returncode for r in runs] == [0, 0, 0, 1], runs[-1].stderr[-2000:]
    assert all(s["monitors"]["profile"]["shares"]["rejected"] == 0.0 for s in summaries[:3])
    last = summaries[3]
    assert last["monitors"]["profile"]["shares"]["rejected"] == 1.0
    [refused] = [p for p in last["problems"] if "refused by its field's check" in p]
    assert refused.startswith("monitor: more articles with a reading refused") and "100% of articles against 0%" in refused
