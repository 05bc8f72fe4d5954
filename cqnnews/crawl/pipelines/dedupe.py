"""Deduplication: each article once in a run, and across runs only when it changed.

Copies of an article listed in several listings are merged before it is requested: the
run's scratch database notes each article once, with every listing it was found in, and
it is requested once with all of them in ``sections``.  Here, by article id:

- a second copy in the same run (a request repeated by a retry of a shared crawl) is
  dropped, counted ``cqnnews/dedupe/repeated``;
- an article an earlier run exported, whose content is the same (a recheck), is dropped,
  counted ``cqnnews/dedupe/unchanged``: the crawl state only notes it was seen again;
- one whose content changed gets the next ``revision`` and the union of the sections it
  was ever found in.
"""

from __future__ import annotations

from typing import Any

from cqnnews.crawl.pipelines import RunPipeline
from cqnnews.crawl.tally import Counted
from cqnnews.items import Article
from cqnnews.signals import article_counted, article_failed, article_unchanged
from cqnnews.state.records import CONTENT_FIELDS, content_hash


class Unchanged(Counted):
    """Exported before with the same content: not written again."""


class Repeated(Counted):
    """Already exported in this run."""


class NotChecked(Counted):
    """The crawl state could not be reached to check the article: it stays pending, counted as failed."""


class DeduplicationPipeline(RunPipeline):
    async def process_item(self, item: Any) -> Any:
        """Checked against the crawl state; while a shared state (Redis) is away, the article waits for it."""
        if not isinstance(item, Article):
            return item
        while True:
            try:
                return self.check(item)
            except self.run.coordination.errors as exc:  # Redis away, in a shared crawl
                if not await self.run.coordination.wait_out(exc):
                    self.run.send(article_failed, article_id=item.article_id, url=item.url, sections=item.sections,
                                  reason="the crawl state could not be reached")
                    raise NotChecked(f"article {item.article_id}: the crawl state could not be reached",
                                     log_level="INFO") from None

    def check(self, item: Article) -> Article:
        run = self.run
        if run.scratch.was_exported(item.article_id):
            run.count("dedupe/repeated")
            raise Repeated(f"article {item.article_id} is in this run's feed already", log_level="INFO")
        before = run.store.exported(item.article_id)
        if before is None:
            run.send(article_counted, sections=item.sections, outcome="new")
        elif content_hash({k: getattr(item, k) for k in CONTENT_FIELDS}) == before.content_hash:
            run.count("dedupe/unchanged")
            run.send(article_unchanged, article_id=item.article_id, sections=item.sections)
            raise Unchanged(f"article {item.article_id} unchanged since revision {before.revision}", log_level="DEBUG")
        else:
            item.revision = before.revision + 1
            item.sections = list(dict.fromkeys([*before.sections, *item.sections]))
            run.count("dedupe/revised")
            run.send(article_counted, sections=item.sections, outcome="revised")
        run.count("article/parsed")
        return item
