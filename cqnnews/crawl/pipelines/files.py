"""Files linked under ``附件：`` (.xls, .xlsx, .doc, .docx, .pdf, .zip, .rar), kept with Scrapy's FilesPipeline.

Each file is stored once by its content's SHA-256 in ``CQN_FILES_STORE`` (``files/`` by
default; any store Scrapy's FilesPipeline knows: a folder, ``s3://``...), as
``<2 hex>/<sha256><ext>``; its attachment in the feed gains ``path`` (in the store),
``checksum``, ``size`` and ``content_type``.  Downloads go through the same downloader as
pages: robots.txt, delays, AutoThrottle, retries and ``DOWNLOAD_MAXSIZE``.  A file that
cannot be fetched never fails its article: its fields stay null, the failure is counted
(``cqnnews/attachment/failed``) and listed in the summary; unless the site said it is gone
(404, 410), its article stays pending after the run, so the next run fetches the file again
(and exports the article's next revision once it has it), up to ``CQN_ATTACHMENT_ATTEMPTS``
runs.  A downloaded ``.xls`` or ``.xlsx`` file is read (:mod:`cqnnews.reading.sheets`): its sheets
become the attachment's ``tables``, where spot-check records are found as in the page's.
An empty ``CQN_FILES_STORE`` (``scrapy parse``, ``check``, ``smoke``) downloads nothing.
"""

from __future__ import annotations

import hashlib
import logging
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline, FSFilesStore
from scrapy.pipelines.media import FileException
from scrapy.utils.defer import deferred_from_coro, ensure_awaitable
from twisted.python.failure import Failure

from cqnnews.atomic import write_atomic
from cqnnews.crawl.article_queue import gone
from cqnnews.crawl.pages.failures import failure_reason
from cqnnews.crawl.run import Run, run_of
from cqnnews.items import Article
from cqnnews.outputs.feeds import FAILED_STAT, local_feed_problem
from cqnnews.reading.sheets import SPREADSHEETS, UnreadableSheet, read_sheets
from cqnnews.signals import attachment_failed
from cqnnews.state.records import Retry

logger = logging.getLogger(__name__)
DOWNLOADED = (".xls", ".xlsx", ".doc", ".docx", ".pdf", ".zip", ".rar")


def _extension(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).suffix.lower()


class SharedFolderStore(FSFilesStore):
    """Scrapy's folder store, for folders several workers share: a folder another worker created a moment
    before is success (Scrapy's checks, then creates, and raises ``FileExistsError`` when it loses the race),
    and a file appears whole under its name (written beside it, then renamed), so a worker never reads
    another's half-written copy of the same content."""

    def _mkdir(self, dirname: Path, domain: Any = None) -> None:
        seen: set[str] = self.created_directories[domain] if domain else set()
        if str(dirname) not in seen:
            dirname.mkdir(parents=True, exist_ok=True)
            seen.add(str(dirname))

    def persist_file(self, path: Any, buf: BytesIO, info: Any, meta: Any = None, headers: Any = None) -> None:
        target = self._get_filesystem_path(path)
        self._mkdir(target.parent, info)
        write_atomic(target, buf.getvalue(), mode=0o600)  # the mode tempfile.mkstemp gave it before


class AttachmentsPipeline(FilesPipeline):
    STORE_SCHEMES = {**FilesPipeline.STORE_SCHEMES, "": SharedFolderStore, "file": SharedFolderStore}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "AttachmentsPipeline":
        store = crawler.settings.get("CQN_FILES_STORE")
        if not store:
            raise NotConfigured("CQN_FILES_STORE is empty: attachments are not downloaded")
        cls._update_stores(crawler.settings)
        pipeline = cls(store, crawler=crawler)
        pipeline.details, pipeline.errors, pipeline.sheets = {}, {}, {}
        pipeline.attempts = crawler.settings.getint("CQN_ATTACHMENT_ATTEMPTS")
        crawler.signals.connect(pipeline.check_store, signal=signals.spider_opened)
        return pipeline

    def check_store(self) -> None:
        """A local store that cannot be written stops the run before any request, as a feed's folder does
        (``spider_opened``): every attachment would be lost."""
        store = self.crawler.settings.get("CQN_FILES_STORE")
        if "://" in store or (problem := local_feed_problem(Path(store) / "probe")) is None:
            return
        logger.error("CQN_FILES_STORE %s cannot be written (%s): stopping the run; nothing from it is marked "
                     "exported", store, problem)
        assert self.crawler.stats is not None and self.crawler.engine is not None
        self.crawler.stats.set_value(FAILED_STAT, 1)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="files_store_failed"))

    details: dict[str, tuple[int, str | None]]  # URL -> (size, Content-Type) of each file downloaded
    errors: dict[str, str]  # URL -> why its download failed, for the summary
    sheets: dict[str, list[Any] | None]  # URL -> the tables of a spreadsheet downloaded (None: not readable)
    attempts: int  # runs that try an attachment before it is given up

    @property
    def run(self) -> Run:
        return run_of(self.crawler)

    async def media_downloaded(self, response: Response, request: Request, info: Any, *,
                               item: Any = None) -> Any:
        if response.status != 200:
            raise FileException(f"HTTP {response.status}")
        return await super().media_downloaded(response, request, info, item=item)

    def media_failed(self, failure: Failure, request: Request, info: Any) -> None:  # type: ignore[override]
        """One warning line with the attachment and why; nothing raised, as MediaPipeline would log it again as an
        error with a traceback (the run is not broken: the article is exported, the file asked for next run)."""
        value = failure.value
        reason = str(value) if isinstance(value, FileException) and str(value) else failure_reason(failure)
        self.errors[request.url] = reason
        logger.warning("attachment %s of article %s not downloaded: %s", request.meta["attachment"],
                       request.meta["article_id"], reason)

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        if not isinstance(item, Article):
            return []
        urls = self.run.urls
        return [Request(fetch, callback=NO_CALLBACK, meta={"attachment": att["url"], "article_id": item.article_id})
                for att in item.attachments
                if _extension(att["url"]) in DOWNLOADED and (fetch := urls.fetchable(att["url"]))]

    def file_path(self, request: Request, response: Response | None = None, info: Any = None, *,
                  item: Any = None) -> str:
        """``<2 hex>/<sha256><ext>`` of the content.  Asked before a download (to skip a file stored before), a
        path no file has: every attachment is fetched once, with its article."""
        if response is None:
            return f"by-url/{hashlib.sha256(request.url.encode()).hexdigest()}"
        digest = hashlib.sha256(response.body).hexdigest()
        return f"{digest[:2]}/{digest}{_extension(request.url)}"

    async def file_downloaded(self, response: Response, request: Request, info: Any, *,  # type: ignore[override]
                              item: Any = None) -> str:
        path = self.file_path(request, response=response, info=info, item=item)
        await ensure_awaitable(self.store.persist_file(path, BytesIO(response.body), info))
        content_type = response.headers.get("Content-Type")
        self.details[request.url] = (len(response.body), content_type.decode("latin-1") if content_type else None)
        if _extension(request.url) in SPREADSHEETS:
            self.sheets[request.url] = self._tables(response.body, request)
        return hashlib.sha256(response.body).hexdigest()

    def _tables(self, body: bytes, request: Request) -> list[Any] | None:
        """The sheets of a spreadsheet as tables; None (counted, logged with its URL) if it cannot be read."""
        try:
            return [table.record() for table in read_sheets(body, urlsplit(request.url).path)]
        except UnreadableSheet as exc:
            self.run.count("attachment/unreadable")
            logger.warning("attachment %s of article %s is stored but not read: %s", request.meta["attachment"],
                           request.meta["article_id"], exc)
            return None

    def item_completed(self, results: list[tuple[bool, Any]], item: Any, info: Any) -> Any:
        if not isinstance(item, Article):
            return item
        run = self.run
        requests = self.get_media_requests(item, info)
        by_url = {request.meta["attachment"]: outcome for request, outcome in zip(requests, results)}
        for attachment in item.attachments:
            outcome = by_url.get(attachment["url"])
            if outcome is None:
                continue
            ok, value = outcome
            fetched = next(r.url for r in requests if r.meta["attachment"] == attachment["url"])
            if ok and value:  # else failed: media_failed said why
                size, content_type = self.details.pop(value["url"], (None, None))
                attachment.update(path=value["path"], checksum=value["checksum"], size=size,
                                  content_type=content_type, tables=self.sheets.pop(value["url"], None))
                run.count("attachment/stored")
            else:
                reason = self.errors.pop(fetched, None) or (failure_reason(value) if isinstance(value, Failure)
                                                            else "not downloaded")
                self._failed(item, attachment["url"], reason)
        return item

    def _failed(self, item: Article, url: str, reason: str) -> None:
        """Listed in the summary; fetched again by the next run unless gone or tried ``attempts`` runs."""
        run = self.run
        run.count("attachment/failed")
        attempt = run.tally.attachment_attempts.get(item.article_id, 0) + 1
        retry = Retry(item.article_id, item.url, list(item.sections), f"attachment {url}: {reason}", attempt) \
            if not gone(reason) and attempt < self.attempts else None
        run.send(attachment_failed, article_id=item.article_id, url=url, reason=reason, attempt=attempt, retry=retry)
