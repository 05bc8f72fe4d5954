"""The attachments pipeline (cqnnews/crawl/pipelines/files.py): where a file goes, and what a failed download leaves."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from io import BytesIO
from pathlib import Path

from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from cqnnews.crawl.pipelines.files import AttachmentsPipeline
from cqnnews.crawl.run import run_of
from cqnnews.crawl.spiders.registry import SPIDERS
from cqnnews.signals import attachment_tried
from tests.conftest import NOW, project_settings
from tests.replica.notices import make_table
from tests.test_pipelines import ARTICLE


def attachment(url: str) -> dict:
    return {"url": url, "title": url.rsplit("/", 1)[1], "path": None, "checksum": None, "size": None,
            "content_type": None, "tables": None}


def test_files_go_by_checksum_and_a_failed_one_never_fails_its_article(tmp_path: Path) -> None:
    crawler = get_crawler(SPIDERS["minsheng"], project_settings(CQN_STATE_DIR=str(tmp_path / "state"),
                                                                CQN_FILES_STORE=str(tmp_path / "files"),
                                                                CQN_NOW=NOW.isoformat()))
    pipeline = AttachmentsPipeline.from_crawler(crawler)
    item = dataclasses.replace(ARTICLE, attachments=[
        attachment("https://www.cqn.com.cn/ms/attach/1.xls"), attachment("https://www.cqn.com.cn/ms/attach/2.pdf"),
        attachment("https://www.cqn.com.cn/ms/attach/3.htm")])  # not a kind of file kept
    requests = pipeline.get_media_requests(item, None)
    assert [r.meta["attachment"] for r in requests] == [a["url"] for a in item.attachments[:2]]
    body = b"\xd0\xcf\x11\xe0 a spreadsheet"
    digest = hashlib.sha256(body).hexdigest()
    response = Response(requests[0].url, body=body, request=requests[0])
    assert pipeline.file_path(requests[0], response=response) == f"{digest[:2]}/{digest}.xls"
    pipeline.details[requests[0].url] = (len(body), "application/vnd.ms-excel")
    pipeline.errors[requests[1].url] = "HTTP 404"
    results = [(True, {"url": requests[0].url, "path": f"{digest[:2]}/{digest}.xls", "checksum": digest}),
               (False, Failure(Exception("download-error")))]
    done = pipeline.item_completed(results, item, None)
    assert done.attachments[0] == {**attachment("https://www.cqn.com.cn/ms/attach/1.xls"),
                                   "path": f"{digest[:2]}/{digest}.xls", "checksum": digest, "size": len(body),
                                   "content_type": "application/vnd.ms-excel"}
    assert done.attachments[1]["path"] is None and done.attachments[2]["path"] is None
    run = run_of(crawler)
    assert list(run.tally.attachment_failures) == [{"article_id": ARTICLE.article_id,
                                                   "url": "https://www.cqn.com.cn/ms/attach/2.pdf",
                                                   "reason": "HTTP 404", "attempt": 1,
                                                   "retried": False}]  # gone: not asked again
    assert run.tally.attachment_retries == {}
    assert crawler.stats.get_value("cqnnews/attachment/failed") == 1
    assert crawler.stats.get_value("cqnnews/attachment/stored") == 1
    assert isinstance(requests[0], Request)


def test_a_download_that_may_pass_later_is_retried_by_the_next_runs_then_given_up(tmp_path: Path) -> None:
    url = "https://www.cqn.com.cn/ms/attach/1.xls"
    item = dataclasses.replace(ARTICLE, attachments=[attachment(url)])
    failures = []
    for tried_before, retried in ((0, True), (1, True), (2, False)):  # pending for it after 0, 1, 2 runs
        crawler = get_crawler(SPIDERS["minsheng"], project_settings(  # each a run of its own
            CQN_STATE_DIR=str(tmp_path / "state"), CQN_FILES_STORE=str(tmp_path / "files"), CQN_NOW=NOW.isoformat(),
            CQN_ATTACHMENT_ATTEMPTS=3))
        pipeline = AttachmentsPipeline.from_crawler(crawler)
        request = pipeline.get_media_requests(item, None)[0]
        run = run_of(crawler)
        run.send(attachment_tried, attempts={ARTICLE.article_id: tried_before})
        pipeline.errors[request.url] = "HTTP 503"
        pipeline.item_completed([(False, Failure(Exception("download-error")))], item, None)
        assert run.tally.attachment_failures[-1]["retried"] is retried
        assert (ARTICLE.article_id in run.tally.attachment_retries) is retried
        failures += run.tally.attachment_failures
    assert failures[0]["attempt"] == 1 and failures[-1]["attempt"] == 3


def test_a_spreadsheet_is_read_into_tables_and_a_broken_one_is_kept_unread(tmp_path: Path) -> None:
    crawler = get_crawler(SPIDERS["minsheng"], project_settings(CQN_STATE_DIR=str(tmp_path / "state"),
                                                                CQN_FILES_STORE=str(tmp_path / "files"),
                                                                CQN_NOW=NOW.isoformat()))
    pipeline = AttachmentsPipeline.from_crawler(crawler)
    spot = make_table(random.Random(3), "电线电缆", medical=False)
    for ext, body in (("xls", spot.xls()), ("xlsx", spot.xlsx())):
        request = Request(f"https://www.cqn.com.cn/ms/attach/1.{ext}", meta={"attachment": "a", "article_id": 1})
        assert pipeline._tables(body, request) == [spot.table()]
    request = Request("https://www.cqn.com.cn/ms/attach/2.xls", meta={"attachment": "b", "article_id": 1})
    assert pipeline._tables(b"<html>not a spreadsheet</html>", request) is None
    assert crawler.stats.get_value("cqnnews/attachment/unreadable") == 1


def test_a_store_folder_another_worker_creates_at_the_same_instant_is_no_error(tmp_path: Path, monkeypatch) -> None:
    """Two workers started at once in one folder: Scrapy's store checks, then creates; the loser's check said
    "not there", its create finds it there.  Forced here: every folder appears between the check and the create."""
    from scrapy.pipelines.files import FSFilesStore

    from cqnnews.crawl.pipelines.files import SharedFolderStore

    real_exists = Path.exists

    def racing_exists(self: Path) -> bool:  # "not there"... and there it is, made by the other worker
        there = real_exists(self)
        if not there and self.name in ("files", "ab"):
            self.mkdir(parents=True)
        return False if self.name in ("files", "ab") else there

    monkeypatch.setattr(Path, "exists", racing_exists)
    try:
        FSFilesStore(str(tmp_path / "scrapy" / "files"))
    except FileExistsError:
        pass  # Scrapy's own store loses the race: the reason for SharedFolderStore
    else:
        raise AssertionError("the race was not forced")
    store = SharedFolderStore(str(tmp_path / "ours" / "files"))
    store.persist_file("ab/abcdef.xls", BytesIO(b"content"), None)
    assert (tmp_path / "ours" / "files" / "ab" / "abcdef.xls").read_bytes() == b"content"
    assert [p.name for p in (tmp_path / "ours" / "files" / "ab").iterdir()] == ["abcdef.xls"]  # no temporary left
    crawler = get_crawler(SPIDERS["minsheng"], project_settings(CQN_STATE_DIR=str(tmp_path / "state"),
                                                                CQN_FILES_STORE=str(tmp_path / "p" / "files"),
                                                                CQN_NOW=NOW.isoformat()))
    assert isinstance(AttachmentsPipeline.from_crawler(crawler).store, SharedFolderStore)
