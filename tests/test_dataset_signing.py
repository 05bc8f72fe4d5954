"""cqnnews/dataset/signing.py: the repost signatures of the articles an update writes, made while they are written."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from cqnnews import reposts
from cqnnews.dataset.signing import Signer

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

    monkeypatch.setattr("cqnnews.dataset.signing.signature_rows", broken)
    signer = Signer({}, tmp_path / "signatures")
    with pytest.raises(ValueError, match="no signature"):
        for n in range(3):  # raised by an add once the failed batch is waited for, or by the result
            signer.add(rows("a", [n], [None]))
        signer.result()
    signer.close()
