"""cqnnews/outputs/dataset/signing.py: the repost signatures of the articles an update writes, made while they are written."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from cqnnews.outputs import feed_signatures, reposts
from cqnnews.outputs.dataset.signing import Kept, Signer

BODY = "市场监管总局发布质量抽查结果，涉及电动自行车等产品。\n抽查发现不合格产品批次，已依法处理。"


def rows(origin: str, ids: list[int], published: list[datetime | None]) -> pa.Table:
    return pa.table({"origin": [origin] * len(ids), "article_id": pa.array(ids, pa.int64()),
                     "published_at": pa.array(published, pa.timestamp("s", tz="Asia/Shanghai")),
                     "title": [f"标题{i}" for i in ids], "body": [f"{BODY}{i}" for i in ids]})


def test_the_new_articles_of_each_origin_are_signed_in_their_order(tmp_path: Path) -> None:
    when = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)
    signer = Signer({"a": np.array([3, 1])}, tmp_path / "signatures")
    signer.add(rows("a", [1, 2], [when, None]))  # 1: in the index already
    signer.add(pa.concat_tables([rows("b", [1], [when]), rows("a", [4, 3], [when, when])]))
    found = signer.result()
    assert sorted(found) == ["a", "b"]
    ids, published, signatures = found["a"]
    assert ids.tolist() == [2, 4]
    assert np.isnan(published[0]) and published[1] == when.timestamp() * 1_000_000
    expected = reposts.signature_rows([("标题2", f"{BODY}2"), ("标题4", f"{BODY}4")])
    assert signatures.dtype == np.uint16 and (signatures == expected).all()
    assert found["b"][0].tolist() == [1] and (found["b"][2] == reposts.signature_rows([("标题1", f"{BODY}1")])).all()
    assert signer.seconds > 0
    assert not list((tmp_path / "signatures").iterdir())  # the scratch files read back and removed


def test_a_failure_while_signing_is_raised_to_the_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(texts: object) -> np.ndarray:
        raise ValueError("no signature")

    monkeypatch.setattr("cqnnews.outputs.dataset.signing.signature_rows", broken)
    signer = Signer({}, tmp_path / "signatures")
    with pytest.raises(ValueError, match="no signature"):
        for n in range(3):  # raised by an add once the failed batch is waited for, or by the result
            signer.add(rows("a", [n], [None]))
        signer.result()
    signer.close()


def test_a_signature_a_crawl_kept_beside_its_feed_is_read_not_made_again(tmp_path: Path) -> None:
    when = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)
    fetched = feed_signatures.microseconds("2026-11-20T01:00:00Z")
    marked = np.full((1, reposts.NUM_PERM), 7, dtype=np.uint16)  # not what signing gives: shows it was read
    feed_signatures.keep(tmp_path / "a.jsonl", feed_signatures.records([2], [fetched], marked), append=False)
    other = reposts.signature_rows([("x", "y")])
    feed_signatures.keep(tmp_path / "b.jsonl", feed_signatures.records([4], [fetched + 1], other), append=False)
    kept = Kept({"feeds/a.jsonl": tmp_path / "a.signatures", "feeds/b.jsonl": tmp_path / "b.signatures",
                 "feeds/c.jsonl": tmp_path / "c.signatures"})  # c: none kept
    assert kept.lines == 2
    signer = Signer({}, tmp_path / "signatures", kept)
    batch = rows("o", [2, 4, 5], [when, when, None])
    batch = batch.append_column("feed", pa.array(["feeds/a.jsonl", "feeds/b.jsonl", "feeds/a.jsonl"]))
    batch = batch.append_column("fetched_at", pa.array([when] * 3, pa.timestamp("s", tz="UTC")))
    signer.add(batch)
    ids, _, signatures = signer.result()["o"]
    assert ids.tolist() == [2, 4, 5]
    assert (signatures[0] == 7).all()  # kept by the crawl of feed a
    # 4: feed b kept a line of 4 fetched at another time (another revision); 5: none kept: both signed
    assert (signatures[1:] == reposts.signature_rows([("标题4", f"{BODY}4"), ("标题5", f"{BODY}5")])).all()
    assert signer.taken == 1

