"""What a correct crawler must output for each replica article: the ground truth.

It is computed from the same :class:`~tests.replica.content.Story` the page is rendered
from, never from the crawler's output.  ``listings`` names every listing that shows the
article as ``<channel name>/<listing name>``; a spider's ``sections`` are the names of
those listings it walked.
"""

from __future__ import annotations

from typing import Any

from tests.replica.content import Block, Story
from tests.replica.site import ArticleRef, Site

CANONICAL_ORIGIN = "https://www.cqn.com.cn"


def body_text(story: Story) -> str:
    lines: list[str] = []
    for block in story.blocks:
        if block.kind == "p":
            lines.append(block.text)
        elif block.kind == "table" and block.spot is not None:
            lines.extend(block.spot.lines())
        elif block.kind == "table":
            lines.extend("\t".join(row) for row in block.rows)
    return "\n".join(lines)


def table_of(block: Block) -> dict[str, Any]:
    """The table a person reads: a spot-check table's caption, header and rows with merged cells repeated."""
    if block.spot is not None:
        return block.spot.table()
    return {"caption": None, "header": block.rows[0], "rows": block.rows[1:]}


def expected_fields(site: Site, ref: ArticleRef, downloaded: bool = False) -> dict[str, Any]:
    """The article's fields as read from its pages; ``downloaded``: as a crawl exports it, its attachments
    downloaded (cqnnews.crawl.pipelines.files)."""
    from tests.replica.files import stored

    story = site.story(ref)
    unfetched = {"path": None, "checksum": None, "size": None, "content_type": None, "tables": None}
    return {
        "url": CANONICAL_ORIGIN + ref.path,
        "article_id": ref.article_id,
        "channel": ref.channel_slug,
        "breadcrumb": [] if site.variant(ref).layout == "generic" else ref.leaf.breadcrumb,
        "listings": site.listings_of(ref),
        "title": story.title,
        "subtitle": story.subtitle,
        "published_at": site.published_as_shown(ref).isoformat(),
        "source": story.source,
        "authors": list(story.authors),
        "editor": story.editor,
        "keywords": list(story.keywords),
        "body": body_text(story),
        "images": [{"url": CANONICAL_ORIGIN + b.image.src, "caption": b.image.caption}
                   for b in story.blocks if b.kind == "image" and b.image is not None],
        "attachments": [{"url": CANONICAL_ORIGIN + a.href, "title": a.title,
                         **(stored(a.href, a.spot) if downloaded else unfetched)} for a in story.attachments],
        "tables": [table_of(b) for b in story.blocks if b.kind == "table"],
        "layout": "generic" if site.variant(ref).layout == "redesign" else site.variant(ref).layout,
        "pages": site.variant(ref).pages,
        # a page served with one charset declared and written in another says so
        "flags": ["charset_misdeclared"] if site.variant(ref).declare == "conflict" and not site.variant(ref).mojibake
        else [],
    }


def expected_sections(site: Site, ref: ArticleRef, walked: set[str]) -> list[str]:
    """The ``sections`` a spider that walked the listings ``walked`` (keys) must write."""
    return [site.leaf(key).name for key in site.listings_of(ref) if key in walked]


def expected_feed(site: Site, walked: set[str]) -> dict[int, dict[str, Any]]:
    """Every article a spider walking the listings ``walked`` (keys) must export, by id, with its sections."""
    out: dict[int, dict[str, Any]] = {}
    for key in walked:
        for ref in site.listing(site.leaf(key)):
            if ref.article_id not in out:
                fields = expected_fields(site, ref, downloaded=True)
                fields["sections"] = expected_sections(site, ref, walked)
                del fields["listings"]
                out[ref.article_id] = fields
    return out


def leaves_of(site: Site, *channels: str, names: tuple[str, ...] = ()) -> set[str]:
    """Keys of the listings of ``channels`` (Chinese names), narrowed to paths holding one of ``names``."""
    return {leaf.key for leaf in site.leaves if leaf.channel.name in channels
            and (not names or any(n.name in names for n in leaf.path))}


def served_pages(site: Site, ref: ArticleRef, origin: str) -> list[tuple[bytes, str, str]]:
    """(bytes, Content-Type, URL) of every page of the article, as the replica serves them at ``origin``."""
    from tests.replica import render

    pages = []
    for n in range(1, site.variant(ref).pages + 1):
        page = render.article(site, ref, n)
        assert page is not None
        pages.append((page.body, page.content_type, origin + ref.page_path(n)))
    return pages


def expected_spotchecks(site: Site, ref: ArticleRef) -> list[dict[str, Any]]:
    """Every spot-check record of the article: one per failed batch of each spot-check table, as a correct
    reader records it (cqnnews/schema/spotcheck.schema.json): the page's tables, then those only a
    spreadsheet attachment holds (an attachment repeating the page's table adds none)."""
    from tests.replica.files import stored

    story = site.story(ref)
    fields = expected_fields(site, ref)
    common = {"article_id": ref.article_id, "url": fields["url"], "published_at": fields["published_at"],
              "issuer": story.title.replace("：", ":").split(":", 1)[0],
              "scope": "national" if "国家抽查" in fields["breadcrumb"]
              else "local" if "地方抽查" in fields["breadcrumb"] else None}
    out: list[dict[str, Any]] = []
    tables = [b for b in story.blocks if b.kind == "table"]
    for t, block in enumerate(tables):
        if block.spot is not None:
            out += _batch_records(block.spot, {**common, "source": "page", "file_checksum": None, "table": t})
    on_page = [b.spot for b in tables]
    for a in story.attachments:
        if a.spot is not None and a.spot not in on_page:
            checksum = stored(a.href, a.spot)["checksum"]
            out += _batch_records(a.spot, {**common, "source": "attachment", "file_checksum": checksum, "table": 0})
    return out


def _batch_records(spot: Any, common: dict[str, Any]) -> list[dict[str, Any]]:
    from tests.replica.notices import UNKNOWN_COLUMN

    out = []
    rows, row = spot.rows(), 0
    for batch in spot.batches:
        out.append({
            **common, "row": row,
            "product": batch.product, "model": batch.model, "trademark": batch.trademark, "batch": batch.batch,
            "manufacturer": batch.manufacturer, "manufacturer_address": batch.manufacturer_address,
            "sampled_unit": batch.sampled_unit, "sampled_unit_address": batch.sampled_unit_address,
            "parties": batch.parties, "origin_country": batch.origin_country,
            "failed_items": batch.failed_items, "agencies": batch.agencies, "note": batch.note,
            "maker_denies": batch.maker_denies,
            "extra": {UNKNOWN_COLUMN: batch.extra[UNKNOWN_COLUMN]} if UNKNOWN_COLUMN in spot.headers else {},
            "raw": dict(zip(spot.headers, rows[row])),
        })
        row += len(batch.failed_items) if spot.items_in_rows else 1
    return out
