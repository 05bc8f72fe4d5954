"""cqnnews/outputs/reposts.py: near-duplicate detection, and its precision and recall against the replica's truth."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
import pytest

from cqnnews.outputs import reposts
from cqnnews.settings import CQN_REPOST_SIMILARITY
from tests.replica import reposts as replica_reposts
from tests.replica.site import SHANGHAI, Site
from tests.replica.truth import expected_fields

THRESHOLD = float(CQN_REPOST_SIMILARITY)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
BODY = ("据介绍，今年以来北京市累计制修订地方标准123项，新增质量提升试点示范项目12个，消费者满意度明显提升。"
        "下一步，北京市将持续深化质量提升改革，完善电动自行车质量追溯体系，推动监管方式由事后处置向事前预防转变。\n"
        "会议指出，要进一步压实企业主体责任，强化电动自行车质量安全监管，切实保障消费者合法权益。")


def article(article_id: int, published_at: str | None, title: str, body: str) -> dict[str, Any]:
    return {"article_id": article_id, "published_at": published_at, "title": title, "body": body}


def test_the_text_compared_is_letters_and_digits_of_title_and_body() -> None:
    assert reposts.text_of("标题：Ａ１", "正文，  第二段。") == "标题A1正文第二段"
    assert len(reposts.features(None, None)) == 0
    assert len(reposts.features("短", None)) == 1
    assert len(reposts.features("质量抽查结果公布", None)) == 3  # three runs of six characters
    assert len(set(reposts.features("质量抽查结果公布", None))) == 3
    # 抽查2026年结果: nine characters, four runs, all holding a digit: each counts DIGIT_WEIGHT times
    assert len(set(reposts.features("抽查2026年结果", None))) == 4 * reposts.DIGIT_WEIGHT
    # punctuation and spacing are no change; another character is
    assert (reposts.features("质量，抽查 结果公布", None) == reposts.features("质量抽查结果公布", None)).all()
    assert not (reposts.features("质量抽检结果公布", None) == reposts.features("质量抽查结果公布", None)).all()


def test_signatures_are_the_same_on_every_run_and_survive_storing() -> None:
    one, two = reposts.signature("标题", BODY), reposts.signature("标题", BODY)
    assert one.dtype == reposts.np.uint16 and one.shape == (reposts.NUM_PERM,)
    assert (one == two).all()
    assert (reposts.from_bytes(reposts.to_bytes(one)) == one).all()
    assert len(reposts.to_bytes(one)) == 2 * reposts.NUM_PERM
    assert not (reposts.signature("标题", BODY + "更正") == one).all()
    many = reposts.signatures([("标题", BODY), ("短", None), (None, None), ("转载", BODY)] * 40)
    assert all((m == reposts.signature(*t)).all() for m, t in zip(many[:4], [("标题", BODY), ("短", None),
                                                                           (None, None), ("转载", BODY)]))
    assert all((many[k] == many[k % 4]).all() for k in range(len(many)))  # hashed together or alone: the same


def test_a_repost_with_a_byline_a_first_line_and_a_new_headline_points_at_the_earliest() -> None:
    found = reposts.clusters([
        article(30, "2026-11-02T09:00:00+08:00", "转载：北京标准化工作取得新进展", "来源：中国质量报\n" + BODY),
        article(10, "2026-11-01T09:00:00+08:00", "北京召开质量提升推进会", BODY),
        article(20, "2026-11-01T09:00:00+08:00", "北京召开质量提升推进会", BODY + "\n（通讯员 李明）"),
        article(40, "2026-11-01T08:00:00+08:00", "电线电缆抽查结果", "完全不同的一篇，讲的是电线电缆产品质量监督抽查的结果。" * 3),
    ], THRESHOLD)
    assert found[10] == (None, None)
    assert found[20][0] == 10 and found[30][0] == 10  # the same time: the lower id is the first
    assert THRESHOLD <= found[30][1] < found[20][1] <= 1.0  # similarity to the first, the bigger edit lower
    assert found[40] == (None, None)


def add(index: reposts.RepostIndex, *articles: tuple[int, float, str]) -> dict[int, int]:
    """Index (id, published, title) articles of BODY; the changed articles' duplicate_of."""
    changed = index.add(np.array([a[0] for a in articles]), np.array([a[1] for a in articles], dtype=float),
                        np.array(reposts.signatures([(a[2], BODY) for a in articles])))
    named = index.duplicate_of()
    return {int(index.ids[k]): int(named[k]) for k in changed}


def test_an_article_found_later_but_published_earlier_becomes_the_first_of_its_cluster() -> None:
    index = reposts.RepostIndex(THRESHOLD)
    assert add(index, (2, 200, "标题")) == {2: -1}
    assert add(index, (3, 300, "转载")) == {3: 2}
    assert add(index, (1, 100, "首发")) == {1: -1, 2: 1, 3: 1}
    assert add(index, (1, 100, "首发")) == {}  # known: nothing changes
    assert dict(zip(index.ids.tolist(), index.duplicate_of().tolist())) == {2: 1, 3: 1, 1: -1}


def test_articles_added_together_are_added_earliest_first() -> None:
    index = reposts.RepostIndex(THRESHOLD)
    assert add(index, (3, 300, "转载"), (1, 100, "首发"), (2, float("nan"), "标题")) == {1: -1, 3: 1, 2: 1}


def test_an_index_restored_from_its_rows_goes_on_as_the_one_that_wrote_them() -> None:
    first = reposts.RepostIndex(THRESHOLD)
    add(first, (1, 100, "首发"), (2, 200, "转载"))
    again = reposts.RepostIndex(THRESHOLD)
    again.restore(first.ids, first.published, [reposts.from_bytes(reposts.to_bytes(s)) for s in first.signatures],
                  first.duplicate_of(), first.similarity)
    assert (again.first == first.first).all()
    changed = again.add(np.array([3]), np.array([300.0]), np.array([reposts.signature("再转载", "编者按：转载。\n" + BODY)]))
    assert again.duplicate_of()[changed].tolist() == [1]


def test_many_copies_of_one_text_are_one_cluster_named_by_the_earliest() -> None:
    """Each copy is compared with the BUCKET_NEAREST indexed just before it, and finds the cluster through them."""
    many = 5 * reposts.BUCKET_NEAREST
    index = reposts.RepostIndex(THRESHOLD)
    found = add(index, *[(k, float(k), "标题") for k in range(many, 1, -1)])
    assert found == {2: -1, **{k: 2 for k in range(3, many + 1)}}
    assert add(index, (1, 1.0, "首发")) == {1: -1, **{k: 1 for k in range(2, many + 1)}}  # earlier still: named again
    assert all(len(pairs) <= reposts.BUCKET_NEAREST * len(index) for pairs in index._candidates(0))


def test_a_threshold_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        reposts.RepostIndex(0.0)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        reposts.RepostIndex(1.5)


@cache
def _replica(seed: int) -> tuple[Site, list[dict[str, Any]], dict[int, int]]:
    site = Site(seed=seed, scale=8, now=NOW)
    return site, [expected_fields(site, ref) for ref in site.articles()], replica_reposts.truth(site)


def precision_recall(found: dict[int, tuple[int | None, float | None]], truth: dict[int, int]) -> tuple[float, float]:
    """Of the articles called reposts, the share whose duplicate_of is the article the truth says; of the
    truth's reposts, the share found so."""
    called = {a: d for a, (d, _) in found.items() if d is not None}
    right = sum(1 for a, d in called.items() if truth.get(a) == d)
    return right / len(called), right / len(truth)


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_precision_and_recall_against_the_replica_truth_at_the_default_threshold(seed: int) -> None:
    site, articles, truth = _replica(seed)
    assert len(truth) >= 100 and len(articles) >= 3000
    found = reposts.clusters(articles, THRESHOLD)
    precision, recall = precision_recall(found, truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_no_two_spot_check_or_recall_notices_of_the_replica_are_called_reposts() -> None:
    site, articles, _ = _replica(1)
    kinds = {ref.article_id: ref.leaf.node.kind for ref in site.articles()}
    notices = [a for a in articles if kinds[a["article_id"]] in ("notice", "recall")]
    assert sum(1 for a in notices if kinds[a["article_id"]] == "notice") >= 200 and len(notices) >= 300
    found = reposts.clusters(notices, THRESHOLD)
    assert [(a, d) for a, (d, _) in found.items() if d is not None] == []


def test_two_spot_check_notices_of_one_template_are_not_reposts() -> None:
    """Each notice of the replica with a table beside another of its template: the same paragraphs word for word,
    another product and table.  They share much of their text, and none is called a repost of the other."""
    site, _, _ = _replica(1)
    pairs = []
    for ref in (r for r in site.articles() if r.leaf.node.kind == "notice"):
        sibling = replica_reposts.template_sibling(site, ref)
        if sibling is not None:
            fields = expected_fields(site, ref)
            pairs.append([article(1, "2026-11-01T09:00:00+08:00", fields["title"], fields["body"]),
                          article(2, "2026-11-02T09:00:00+08:00", *sibling)])
    assert len(pairs) >= 100
    shared = sorted(len(set(reposts.features(a["title"], a["body"]).tolist())
                        & set(reposts.features(b["title"], b["body"]).tolist()))
                    / len(set(reposts.features(a["title"], a["body"]).tolist())) for a, b in pairs)
    assert shared[len(shared) // 2] >= 0.3  # the boilerplate: a third of a notice's text and more, in half of them
    called = [pair for pair in pairs if reposts.clusters(pair, THRESHOLD)[2][0] is not None]
    assert called == []


def test_the_threshold_was_chosen_on_a_plateau_of_the_curve() -> None:
    """Either side of the default, precision and recall stay above 0.95: the choice is not a knife's edge."""
    _, articles, truth = _replica(1)
    for threshold in (THRESHOLD - 0.05, THRESHOLD + 0.05):
        precision, recall = precision_recall(reposts.clusters(articles, threshold), truth)
        assert precision >= 0.95 and recall >= 0.95, (threshold, precision, recall)


def test_an_index_of_many_articles_finds_the_buckets_a_plain_sort_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``PREFILTERED_FROM`` articles a band's keys seen once are ruled out before the sort: the same
    clusters as sorting them all, whether added at once or into an index of many."""
    from cqnnews.outputs import repost_index

    rng = np.random.default_rng(7)
    n = repost_index.PREFILTERED_FROM + 5_000
    signatures = rng.integers(0, 1 << 16, size=(n, reposts.NUM_PERM), dtype=np.uint16)
    copies = rng.choice(n, size=400, replace=False)
    signatures[copies[200:]] = signatures[copies[:200]]  # exact copies
    signatures[copies[:100] + 1, :100] = signatures[copies[:100], :100]  # near copies (0.78)
    published = rng.random(n) * 1e9
    ids = np.arange(n, dtype=np.int64)

    def clusters() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        index = reposts.RepostIndex(THRESHOLD)
        index.add(ids[:-3_000], published[:-3_000], signatures[:-3_000])
        changed = index.add(ids[-3_000:], published[-3_000:], signatures[-3_000:])
        return index.duplicate_of(), index.similarity, changed

    def buckets() -> list[Any]:  # of each band, as the pairs are taken from them
        index = reposts.RepostIndex(THRESHOLD)
        index.add(ids, published, signatures)
        return [index._buckets(band, 0) for band in range(reposts.BANDS)]

    prefiltered, prefiltered_buckets = clusters(), buckets()
    monkeypatch.setattr(repost_index, "PREFILTERED_FROM", 10 * n)
    plain, plain_buckets = clusters(), buckets()
    for one, other in zip(prefiltered_buckets, plain_buckets):
        assert one is not None and other is not None
        assert np.array_equal(one[0], other[0]) and np.array_equal(one[1], other[1])
    assert np.count_nonzero(prefiltered[0] >= 0) >= 250
    assert np.array_equal(prefiltered[0], plain[0]) and np.array_equal(prefiltered[2], plain[2])
    assert np.array_equal(prefiltered[1], plain[1], equal_nan=True)


def test_an_index_restored_with_room_adds_its_articles_there_and_leaves_other_buffers_alone() -> None:
    """An update adds a few thousand articles to an index of a million: into the room after the signatures
    restored, not a copy of them all; a buffer the index was not given room in is never written past its rows."""
    from cqnnews.outputs.repost_arrays import room_for

    first = reposts.RepostIndex(THRESHOLD)
    add(first, (1, 100, "首发"), (2, 200, "转载"), (5, 500, "另一条"))
    new = np.array(reposts.signatures([("再转载", BODY), ("又一条", "完全不同的内容。" * 20)]))
    buffer = room_for(3, 2)
    buffer[:3] = first.signatures
    roomy = reposts.RepostIndex(THRESHOLD)
    roomy.restore(first.ids, first.published, buffer[:3], first.duplicate_of(), first.similarity, buffer)
    assert roomy.add(np.array([3, 4]), np.array([300.0, 400.0]), new).tolist() == [3, 4]
    assert np.shares_memory(roomy.signatures, buffer) and np.array_equal(roomy.signatures[3:], new)
    plain = reposts.RepostIndex(THRESHOLD)  # the same articles in an index never restored
    add(plain, (1, 100, "首发"), (2, 200, "转载"), (5, 500, "另一条"))
    plain.add(np.array([3, 4]), np.array([300.0, 400.0]), new)
    assert roomy.duplicate_of().tolist() == plain.duplicate_of().tolist() == [-1, 1, 1, 1, -1]
    roomy.add(np.array([6]), np.array([600.0]), new[:1])  # no room left: a new buffer, the same rows
    assert not np.shares_memory(roomy.signatures, buffer)
    assert np.array_equal(roomy.signatures, np.concatenate([first.signatures, new, new[:1]]))
    kept = np.concatenate([first.signatures, np.full((2, reposts.NUM_PERM), 7, dtype=np.uint16)])
    tight = reposts.RepostIndex(THRESHOLD)
    tight.restore(first.ids, first.published, kept[:3], first.duplicate_of(), first.similarity)  # no room given
    tight.add(np.array([3, 4]), np.array([300.0, 400.0]), new)
    assert (kept[3:] == 7).all() and np.array_equal(tight.signatures[3:], new)
    assert tight.duplicate_of().tolist() == roomy.duplicate_of()[:5].tolist()


def test_restore_finds_each_named_article_and_add_skips_the_ids_it_holds() -> None:
    """``restore`` finds the position of each id named as a first (the first place of an id held twice), and
    ``add`` leaves out the ids already held, as a sort of all the ids did before."""
    from cqnnews.outputs.repost_arrays import held

    rng = np.random.default_rng(3)
    ids = rng.choice(1 << 40, size=5_000, replace=False).astype(np.int64)
    ids[4_000] = ids[10]  # an id twice
    named = np.full(len(ids), -1, dtype=np.int64)
    members = rng.choice(len(ids), size=300, replace=False)
    named[members] = ids[rng.choice(len(ids), size=300)]
    named[7] = ids[10]
    index = reposts.RepostIndex(THRESHOLD)
    signatures = rng.integers(0, 1 << 16, size=(len(ids), reposts.NUM_PERM), dtype=np.uint16)
    index.restore(ids, np.zeros(len(ids)), signatures, named, np.full(len(ids), np.nan))
    expected = np.array([-1 if n < 0 else int(np.nonzero(ids == n)[0][0]) for n in named])
    assert np.array_equal(index.first, expected) and index.first[7] == 10
    values = np.concatenate([ids[rng.choice(len(ids), size=200)], rng.integers(0, 1 << 40, size=300), ids[:1]])
    assert np.array_equal(held(values, ids), np.isin(values, ids))
    assert not held(values, ids[:0]).any() and not held(values[:0], ids).any()


def test_rows_moved_up_in_place_are_those_taken() -> None:
    """The index restored from several segments keeps each article's latest row, moved up in its own buffer."""
    from cqnnews.outputs.dataset.index_segments import BATCH, _moved_up

    rng = np.random.default_rng(5)
    rows = rng.integers(0, 1 << 16, size=(BATCH * 20, 4), dtype=np.uint16)
    at = np.sort(rng.choice(len(rows), size=len(rows) - 3_000, replace=False))
    expected = rows[at].copy()
    _moved_up(rows, at)
    assert np.array_equal(rows[:len(at)], expected)
