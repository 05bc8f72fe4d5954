"""The item pipelines, in the order settings.py runs them: cleaning, deduplication, validation."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from cqnnews.crawl.pipelines.clean import CleaningPipeline
from cqnnews.crawl.pipelines.dedupe import DeduplicationPipeline, Repeated, Unchanged
from cqnnews.crawl.pipelines.validate import SchemaValidationPipeline
from cqnnews.crawl.run import Run, run_of
from cqnnews.crawl.spiders.registry import SPIDERS
from cqnnews.items import Article
from cqnnews.state.records import CONTENT_FIELDS, Exported, content_hash
from tests.conftest import NOW, project_settings

ARTICLE = Article(
    url="https://www.cqn.com.cn/qt/content/2018-08/03/content_6121542.htm", article_id=6121542, revision=1,
    channel="qt", breadcrumb=["新闻中心", "综合", "要闻二"], sections=["要闻二"], title="内蒙古“标准化”推进会",
    subtitle=None, published_at="2018-08-03T17:13:55+08:00", source="中国质量新闻网", authors=["张井"],
    editor="语安", keywords=["标准化"], body="第一段\n第二段", images=[], attachments=[], tables=[], layout="current", pages=1,
    fetched_at="2026-11-25T06:30:05Z", flags=[])


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    return get_crawler(SPIDERS["yaowen"], project_settings(CQN_STATE_DIR=str(tmp_path), CQN_NOW=NOW.isoformat()))


@pytest.fixture
def run(crawler: Crawler) -> Run:
    return run_of(crawler)


def article(**changes: Any) -> Article:
    return dataclasses.replace(ARTICLE, **{"flags": [], **changes})


def stage(run: Run, item: Article) -> None:
    run.store.commit_exported([Exported(item.article_id, item.url, content_hash(
        {k: getattr(item, k) for k in CONTENT_FIELDS}), item.published_at, item.sections, item.revision)], "f")


def test_cleaning_gives_text_fields_one_form(crawler: Crawler, run: Run) -> None:
    item = CleaningPipeline(crawler).process_item(
        article(title="  内蒙古\u3000“标准化”\n推进会 ", subtitle="  ", editor="\u00a0", authors=["张井", " 张井", ""],
                keywords=["标准化", "标准化 ", "质量"]))
    assert (item.title, item.subtitle, item.editor) == ("内蒙古 “标准化” 推进会", None, None)
    assert item.authors == ["张井"] and item.keywords == ["标准化", "质量"]


def test_cleaning_removes_a_publication_time_after_the_runs_now_and_flags_it(crawler: Crawler, run: Run) -> None:
    pipeline = CleaningPipeline(crawler)
    later = (NOW.replace(year=NOW.year + 1)).isoformat()
    item = pipeline.process_item(article(published_at=later))
    assert item.published_at is None and item.flags == ["no_date"]
    assert run.stats.get_value("cqnnews/clean/implausible_date") == 1
    assert run.stats.get_value("cqnnews/article/flag/no_date") == 1
    assert pipeline.process_item(article()).published_at == ARTICLE.published_at


def test_a_new_article_passes_and_is_counted_new(crawler: Crawler, run: Run) -> None:
    item = DeduplicationPipeline(crawler).check(article())
    assert item.revision == 1 and run.tally.totals["new"] == 1 and run.tally.by_section["要闻二"]["new"] == 1


def test_an_unchanged_article_is_dropped_and_counted(crawler: Crawler, run: Run) -> None:
    stage(run, article())
    with pytest.raises(Unchanged):
        DeduplicationPipeline(crawler).check(article(sections=["要闻一"]))
    assert run.tally.unchanged == {ARTICLE.article_id} and run.tally.totals["unchanged"] == 1
    assert run.stats.get_value("cqnnews/dedupe/unchanged") == 1


def test_a_changed_article_gets_the_next_revision_and_every_section(crawler: Crawler, run: Run) -> None:
    stage(run, article(sections=["要闻一"]))
    item = DeduplicationPipeline(crawler).check(article(body="改过的正文"))
    assert item.revision == 2 and item.sections == ["要闻一", "要闻二"] and run.tally.totals["revised"] == 1


def test_a_second_copy_in_one_run_is_dropped(crawler: Crawler, run: Run) -> None:
    pipeline = DeduplicationPipeline(crawler)
    first = asyncio.run(pipeline.process_item(article()))  # the coroutine Scrapy awaits: check() when the state answers
    run.scratch.stage(Exported(first.article_id, first.url, "h", first.published_at, first.sections, 1))
    with pytest.raises(Repeated):
        pipeline.check(article())
    assert run.stats.get_value("cqnnews/dedupe/repeated") == 1


def test_validation_drops_what_breaks_the_schema(run: Run) -> None:
    pipeline = SchemaValidationPipeline(run.stats)
    assert pipeline.process_item(article()) is not None
    with pytest.raises(DropItem, match="breaks the schema"):
        pipeline.process_item(article(title=""))
    assert run.stats.get_value("cqnnews/validate/invalid") == 1


def test_settings_run_the_pipelines_in_order() -> None:
    """Attachments are downloaded before deduplication: a changed file is a changed article."""
    order = sorted(project_settings()["ITEM_PIPELINES"].items(), key=lambda kv: kv[1])
    assert [name.rsplit(".", 1)[1] for name, _ in order] == [
        "CleaningPipeline", "AttachmentsPipeline", "DeduplicationPipeline", "SchemaValidationPipeline"]



def test_control_characters_are_removed_and_flagged(crawler: Crawler, run: Run) -> None:
    item = CleaningPipeline(crawler).process_item(article(title="标\x00题\x07", body="正\x1b文", authors=["张\x00井"]))
    assert (item.title, item.body, item.authors) == ("标题", "正文", ["张井"])
    assert item.flags == ["control_characters"]


def test_a_title_too_long_for_a_title_is_kept_and_flagged(crawler: Crawler, run: Run) -> None:
    item = CleaningPipeline(crawler).process_item(article(title="长" * 600))
    assert len(item.title) == 600 and item.flags == ["title_too_long"]
    assert SchemaValidationPipeline(run.stats).process_item(item) is item
