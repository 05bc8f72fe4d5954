"""Reposts of the replica: the same story published again under another id and channel, with small edits.

The real site does it (SITE.md: ``qt`` pages also carry 中国质量报 stories; agency copy reposted): the story
comes back hours later under a new id, in another channel's listing, with a byline added or changed, a
first line (原标题：…, 来源：…), sometimes a changed headline, a paragraph dropped.  Two listings of the
replica are made of such reposts:

* 市场监管>>报摘: pieces of 中国质量报>>第一版 (the regulator's paper) posted under 市场监管 (under 综合 they would
  be out of reach of a crawler on the 2018 home page, whose /qt/index.htm is gone and which links no such list);
* 品牌>>媒体转载: agency copy (人民网, 新华网...) of 综合>>要闻二 reposted under 品牌.

Each repost listing takes the free slot after its host listing's articles (like 民生>>召回,
:class:`~tests.replica.timeline.ShadowSchedule`): no other article moves, and which host articles are
reposted and how they are edited is drawn from a random stream of its own (``<seed>:repost:...``), so every
article, listing and page the replica served before is served unchanged.  :func:`truth` says which article
is a repost of which: what a near-duplicate detector must find, and nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tests.replica.content import EDITORS, NAMES, PAPER_SOURCE, Block, Kind, Story
from tests.replica.timeline import EPOCH, LeafSchedule, ShadowSchedule

if TYPE_CHECKING:
    from tests.replica.site import ArticleRef, Site


@dataclass(frozen=True)
class Reposting:
    """A listing made of reposts of another listing's articles."""

    key: str  # the repost listing, <channel>/<name>
    host: str  # the listing whose articles it reposts
    share: float  # of the host's backlog reposted (after EPOCH: every other article, so that it publishes daily)


REPOSTINGS = (
    Reposting("市场监管/报摘", "中国质量报/第一版", 0.5),
    Reposting("品牌/媒体转载", "综合/要闻二", 0.5),  # its agency copy (人民网, 新华网...) keeps its source
)
BY_KEY = {r.key: r for r in REPOSTINGS}
CORRECTION = "更正："  # how the site's corrections begin (tests.replica.site: is_revised)
KIND: Kind = "news"  # the kind of the repost listings' nodes (their stories are the host's, edited)


@dataclass(frozen=True)
class RepostSchedule:
    """The host's free slots (:class:`ShadowSchedule`) where a repost is published: those ``keep`` chooses."""

    shadow: ShadowSchedule
    keep: Callable[[int], bool]  # by the repost's slot

    @property
    def backlog(self) -> int:
        return self.shadow.backlog

    def check(self) -> None:
        self.shadow.check()

    def slots_until(self, now):  # type: ignore[no-untyped-def]
        return [s for s in self.shadow.slots_until(now) if self.keep(s)]


def rng_of(seed: int, what: str, n: int) -> random.Random:
    """The reposts' own random stream: no draw of the site's other streams is taken or moved."""
    return random.Random(f"{seed}:repost:{what}:{n}")


def keeps(site: Site, reposting: Reposting) -> Callable[[int], bool]:
    """Whether the free slot after a host article holds a repost of it: a share of the backlog, and every other
    article of the daily publishing (so that the listing publishes daily, like every other)."""
    schedule = site.schedule(site.leaf(reposting.host))
    assert isinstance(schedule, LeafSchedule)
    daily = schedule._first_owned(EPOCH)  # the host's first slot of daily publishing
    step = schedule.stride * schedule.daily_step

    def keep(slot: int) -> bool:
        original = slot - schedule.stride
        if original >= daily:
            return (original - daily) // step % 2 == 0
        return rng_of(site.seed, "keep", slot).random() < reposting.share

    return keep


def original_of(site: Site, ref: ArticleRef) -> ArticleRef:
    """The host article ``ref`` reposts: the one published in the host's slot just before."""
    host = site.leaf(BY_KEY[ref.leaf.key].host)
    stride = site.schedule(host).stride  # type: ignore[union-attr]
    original = site.host_article(host, ref.slot - stride)
    assert original is not None, ref
    return original


def repost_story(site: Site, ref: ArticleRef) -> Story:
    """The original's story, edited the way reposts are: a byline, a first line, a headline, a paragraph."""
    original = original_of(site, ref)
    story = site._story(original)  # as written, not as one page variant shows it
    rng = rng_of(site.seed, "story", ref.article_id)
    # the story as first published: a correction made to the original later is not in the repost
    blocks = [replace(b) for b in story.blocks if not (b.kind == "p" and b.text.startswith(CORRECTION))
              and (b.kind != "image" or rng.random() < 0.5)]  # images uploaded again, or left out
    own = f"/{ref.channel_slug}/img/{ref.published:%Y-%m}/{ref.published:%d}/"
    for block in blocks:
        if block.image is not None:
            block.image = replace(block.image, src=own + block.image.src.rsplit("/", 1)[-1])
    paragraphs = [i for i, b in enumerate(blocks) if b.kind == "p"]
    if len(paragraphs) >= 4 and rng.random() < 0.2:  # the last paragraph left out
        del blocks[paragraphs[-1]]
    title = story.title
    headline = rng.choice(["same", "same", "prefixed", "rewritten"])
    if headline == "prefixed":
        title = f"{rng.choice(['【质量报】', '【转载】', '聚焦：', '关注｜'])}{title}"
    elif headline == "rewritten" and paragraphs:  # the lead's first clause made the headline
        lead = blocks[paragraphs[0]].text
        title = lead.split("，", 2)[1] if lead.startswith(("下一步", "会议指出", "据介绍", "抽查发现")) else lead.split("，")[0]
        title = title.rstrip("。")[:30]
    first = rng.choice(["none", "original_title", "from", "note"])
    if first == "original_title" and title != story.title:
        blocks.insert(0, Block("p", text=f"原标题：{story.title}"))
    elif first == "from":
        blocks.insert(0, Block("p", text=f"来源：{'中国质量报' if story.source == PAPER_SOURCE else story.source}"))
    elif first == "note":
        blocks.insert(0, Block("p", text="编者按：本文转载自其他媒体，仅供读者参考。"))
    source = story.source
    byline = story.byline
    authors = list(story.authors)
    prefix = story.lead_prefix
    if story.source == PAPER_SOURCE:  # under 综合: the site's own byline forms, not the paper's
        source = rng.choice([PAPER_SOURCE, "中国质量报"])
        byline = rng.choice(["lead", "trailing", "own_line"])
        prefix = "本报讯" if byline == "lead" else ""
    elif rng.random() < 0.5 and byline in ("trailing", "own_line"):  # the byline changed: a correspondent added
        authors = [*authors, rng.choice([n for n in NAMES if n not in authors])][:2]
    if byline == "lead":  # a dateline byline names one reporter
        authors = authors[:1]
    editor = rng.choice(EDITORS)
    return Story(title=title, subtitle=None, source=source,  # a subtitle is the paper's page furniture
                 authors=authors, editor=editor, keywords=list(story.keywords), blocks=blocks,
                 attachments=list(story.attachments), parens=story.parens, byline=byline, lead_prefix=prefix,
                 repeat_title=False)


def truth(site: Site) -> dict[int, int]:
    """Every repost the site has published by now: its article id -> the id of the article it reposts."""
    out = {}
    for reposting in REPOSTINGS:
        for ref in site.own_articles(site.leaf(reposting.key)):
            out[ref.article_id] = original_of(site, ref).article_id
    return out


def template_sibling(site: Site, ref: ArticleRef) -> tuple[str, str] | None:
    """Another notice of the template of the spot-check notice ``ref`` (the same boilerplate paragraphs, word
    for word, about another product, with another table of failed batches): its title and body as read, or None
    if ``ref`` shows no table.  Never a repost of ``ref``, however many of its words it shares."""
    from tests.replica.content import PRODUCTS
    from tests.replica.notices import make_table
    from tests.replica.truth import body_text

    story = site._story(ref)
    if not any(b.spot is not None for b in story.blocks):
        return None
    rng = rng_of(site.seed, "sibling", ref.article_id)
    product = next((p for p in PRODUCTS if p in story.title), None)
    other = rng.choice([p for p in PRODUCTS if p != product])
    blocks = [Block("table", spot=make_table(rng, other, False)) if b.spot is not None else b for b in story.blocks]
    sibling = replace(story, blocks=blocks)
    swap = (lambda text: text.replace(product, other)) if product else (lambda text: text)
    return swap(story.title), swap(body_text(sibling))
