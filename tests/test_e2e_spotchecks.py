"""``scrapy crawl minsheng``: the spot-check feed beside the articles', every record of every notice right, and
the records of a run killed after its feed was stored written again by the next run."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from cqnnews.outputs.feeds import article_feeds
from cqnnews.outputs.spotcheck_feed import spotcheck_path
from cqnnews.schema import spotcheck_problems
from tests.conftest import NOW, SEED
from tests.crawl import POLITE_SETTINGS, read_feed, run_crawl
from tests.replica.process import RunningReplica, running_replica
from tests.replica.truth import expected_spotchecks

SCALE = 8


@pytest.fixture(scope="module")
def replica() -> Iterator[RunningReplica]:
    with running_replica(seed=SEED, scale=SCALE, now=NOW) as running:
        yield running


def crawl(replica: RunningReplica, workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_crawl("minsheng", replica.url, workdir, settings=POLITE_SETTINGS, timeout=600,
                     CQN_NOW=NOW.isoformat(), **env)


def key(record: dict[str, Any]) -> tuple[int, str, str, int, int]:
    return record["article_id"], record["source"], record["file_checksum"] or "", record["table"], record["row"]


def expected(replica: RunningReplica, articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    site = replica.site
    return sorted((r for a in articles for r in expected_spotchecks(site, site.article(a["article_id"]))), key=key)


def test_every_failed_batch_of_every_notice_is_in_the_spotcheck_feed(replica: RunningReplica, tmp_path: Path) -> None:
    result = crawl(replica, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    [feed] = article_feeds(tmp_path / "feeds" / "minsheng")
    spot = spotcheck_path(feed)
    records = sorted(read_feed(spot), key=key)
    want = expected(replica, read_feed(feed))
    assert len(want) > 20, "the replica's 民生 notices hold failed batches"
    assert {r["source"] for r in want} == {"page", "attachment"}  # some notices' batches only in a spreadsheet
    assert records == want
    assert all(spotcheck_problems(r) == [] for r in records)
    summary = json.loads(feed.with_name(feed.stem + ".summary.json").read_text(encoding="utf-8"))
    assert summary["spotchecks"] == {"feed": str(spot.relative_to(tmp_path)), "records": len(want), "invalid": 0}
    # every 附件 file downloaded, stored once by its checksum, each attachment saying where
    attachments = [a for r in read_feed(feed) for a in r["attachments"]]
    assert attachments and all(a["path"] and a["content_type"] for a in attachments)
    for a in attachments:
        body = (tmp_path / "files" / a["path"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == a["checksum"] and len(body) == a["size"]
    stored = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert len(stored) == len({a["checksum"] for a in attachments})
    assert summary["attachments"] == {"stored": len(attachments), "failed": []}


def test_a_files_store_that_cannot_be_written_stops_the_run(replica: RunningReplica, tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("a file")
    result = crawl(replica, tmp_path, CQN_FILES_STORE=str(tmp_path / "not-a-folder"))
    assert result.returncode == 2, result.stderr[-2000:]  # refused at start, before any request
    assert f"the files store {tmp_path / 'not-a-folder'} cannot be written" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_run_killed_before_its_records_were_stored_has_them_written_by_the_next(replica: RunningReplica,
                                                                                    tmp_path: Path) -> None:
    killed = crawl(replica, tmp_path, CQN_FAILPOINT="feed_renamed")
    assert killed.returncode == -9
    [feed] = article_feeds(tmp_path / "feeds" / "minsheng")
    assert not spotcheck_path(feed).exists()  # the articles' feed stored, the run dead before its records
    after = crawl(replica, tmp_path)
    assert after.returncode == 0, after.stderr[-3000:]
    assert "spot-check records of" in after.stderr and "completed the commit" in after.stderr
    assert sorted(read_feed(spotcheck_path(feed)), key=key) == expected(replica, read_feed(feed))
    assert all(spotcheck_path(f).exists() for f in article_feeds(tmp_path / "feeds" / "minsheng"))
    assert not list((tmp_path / "feeds" / "minsheng").glob("*.part"))


def test_attachments_refused_today_are_fetched_by_the_next_run(tmp_path: Path) -> None:
    """A file server refusing (403) every attachment: the notices are exported without their files, each failure
    listed and retried; the next run, the files served, exports each notice's next revision with its files and the
    batches only its spreadsheet lists; then nothing is left pending."""
    with running_replica(seed=SEED, scale=SCALE, now=NOW, refuse="/ms/attach/") as refusing:
        first = crawl(refusing, tmp_path)
        port = urlsplit(refusing.url).port
    assert first.returncode == 0, first.stderr[-3000:]
    [feed1] = article_feeds(tmp_path / "feeds" / "minsheng")
    with_files = {a["article_id"] for a in read_feed(feed1) if a["attachments"]}
    summary1 = json.loads(feed1.with_name(feed1.stem + ".summary.json").read_text(encoding="utf-8"))
    failed = summary1["attachments"]["failed"]
    assert with_files and {f["article_id"] for f in failed} == with_files
    assert all(f["reason"] == "HTTP 403" and f["retried"] and f["attempt"] == 1 for f in failed)
    assert summary1["state"]["pending"] == len(with_files)
    whole = {k: v for k, v in ((key(r), r) for r in expected(refusing, read_feed(feed1)))}
    assert sorted(read_feed(spotcheck_path(feed1)), key=key) == [r for r in whole.values() if r["source"] == "page"]

    with running_replica(seed=SEED, scale=SCALE, now=NOW, port=port) as replica:
        second = crawl(replica, tmp_path)
        assert second.returncode == 0, second.stderr[-3000:]
        [feed2] = [f for f in article_feeds(tmp_path / "feeds" / "minsheng") if f != feed1]
        articles = read_feed(feed2)
        assert {a["article_id"] for a in articles} == with_files and {a["revision"] for a in articles} == {2}
        assert all(f["path"] for a in articles for f in a["attachments"])
        assert sorted(read_feed(spotcheck_path(feed2)), key=key) == expected(replica, articles)
        summary2 = json.loads(feed2.with_name(feed2.stem + ".summary.json").read_text(encoding="utf-8"))
        assert summary2["state"]["pending"] == 0 and summary2["attachments"]["failed"] == []
        assert any(r["source"] == "attachment" for r in read_feed(spotcheck_path(feed2)))
