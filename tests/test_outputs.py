"""Which files beside a feed cqnnews may replace: only those it wrote (cqnnews/outputs/beside.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cqnnews.outputs.beside import foreign_files, is_own_feed_folder, sidecars, written_by_cqnnews
from cqnnews.outputs.html_page import NotOurs
from cqnnews.outputs.report import write_index


def test_the_files_beside_a_feed_carry_its_stem(tmp_path: Path) -> None:
    assert [p.name for p in sidecars(tmp_path / "out.csv")] == [
        "out.summary.json", "out.report.html", "out.spotchecks.jsonl", "out.recalls.jsonl", "out.signatures"]


def test_a_missing_file_is_free_and_the_projects_own_files_are_recognised(tmp_path: Path) -> None:
    summary, report, spotchecks, recalls, signatures = sidecars(tmp_path / "out.jsonl")
    assert written_by_cqnnews(summary)
    summary.write_text(json.dumps({"spider": "yaowen", "exit_status": 0, "finish_reason": "finished"}))
    report.write_text('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>cqnnews yaowen: run</title>')
    spotchecks.write_text("")
    recalls.write_text("")
    signatures.write_bytes(b"cqnnews signatures rensa-digest1-128x20261203-cp6d4\n")
    assert foreign_files([summary, report, spotchecks, recalls, signatures]) == []
    signatures.write_bytes(b"\x00" * 300)  # not a file cqnnews wrote: a run would refuse to replace it
    assert foreign_files([summary, report, spotchecks, recalls, signatures]) == [signatures]
    spotchecks.write_text(json.dumps({"article_id": 1, "file_checksum": None, "table": 1, "row": 1}) + "\n")
    assert written_by_cqnnews(spotchecks)


def test_the_recall_records_a_run_wrote_are_its_own(tmp_path: Path) -> None:
    """A second ``-O out.jsonl`` finds the first run's ``out.recalls.jsonl``: written by cqnnews, replaced."""
    from cqnnews.reading.recalls import records

    article = {"article_id": 9000001, "url": "http://www.cqn.com.cn/ms/content/2026-11/02/content_9000001.htm",
               "published_at": "2026-11-02T10:00:00+08:00", "title": "宝马召回部分进口汽车",
               "body": "近日，宝马（中国）汽车贸易有限公司根据《缺陷汽车产品召回管理条例》要求，向国家市场监督管理总局备案了"
                       "召回计划，自2026年12月1日起，召回2019年3月至2020年5月生产的部分进口X5汽车，共计1,234辆。"}
    written = [json.dumps(r, ensure_ascii=False) for r in records(article)]
    assert written, "the recall is read"
    recalls = sidecars(tmp_path / "out.jsonl")[3]
    recalls.write_text("\n".join(written) + "\n", encoding="utf-8")
    assert written_by_cqnnews(recalls)


@pytest.mark.parametrize(("name", "content"), [
    ("out.summary.json", '{"mine": true}'),
    ("out.summary.json", "not json"),
    ("out.report.html", "<html><title>my report</title></html>"),
    ("out.spotchecks.jsonl", '{"my": "records"}\n'),
    ("out.recalls.jsonl", '{"article_id": 1, "mine": true}\n'),
    ("index.html", "<p>mine</p>"),
])
def test_someone_elses_file_is_not_ours(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content)
    assert foreign_files([tmp_path / name]) == [tmp_path / name]


def test_a_folder_under_the_name_is_not_ours(tmp_path: Path) -> None:
    (tmp_path / "out.summary.json").mkdir()
    assert not written_by_cqnnews(tmp_path / "out.summary.json")


def test_the_history_page_never_replaces_someone_elses_index(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_bytes(b"<p>mine</p>")
    with pytest.raises(NotOurs):
        write_index(tmp_path)
    assert (tmp_path / "index.html").read_bytes() == b"<p>mine</p>"
    (tmp_path / "index.html").unlink()
    page = write_index(tmp_path)
    assert written_by_cqnnews(page)
    write_index(tmp_path)  # its own page: written again


def test_only_the_spiders_folder_under_the_feed_dir_is_the_projects_own(tmp_path: Path) -> None:
    assert is_own_feed_folder(tmp_path / "feeds" / "yaowen", str(tmp_path / "feeds"), "yaowen")
    assert not is_own_feed_folder(tmp_path / "feeds", str(tmp_path / "feeds"), "yaowen")
    assert not is_own_feed_folder(tmp_path / "elsewhere", str(tmp_path / "feeds"), "yaowen")
    assert not is_own_feed_folder(tmp_path / "feeds" / "yaowen", "", "yaowen")


def test_a_runs_own_recall_records_are_recognised_someone_elses_are_not(tmp_path: Path) -> None:
    """A second run into the same named feed replaces the recall records the first one wrote beside it."""
    empty, ours, theirs = tmp_path / "a.recalls.jsonl", tmp_path / "b.recalls.jsonl", tmp_path / "c.recalls.jsonl"
    empty.write_text("")
    ours.write_text('{"article_id": 1, "recall": 1, "recallers": [], "raw": "召回"}\n', encoding="utf-8")
    theirs.write_text('{"mine": true}\n')
    assert written_by_cqnnews(empty) and written_by_cqnnews(ours) and not written_by_cqnnews(theirs)
