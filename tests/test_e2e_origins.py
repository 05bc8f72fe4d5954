"""A crawl state per origin: one replica's articles never count for another's, or for the real site's."""

from __future__ import annotations

from pathlib import Path

from cqnnews.outputs.feeds import article_feeds
from tests.conftest import NOW
from tests.crawl import read_feed, run_crawl
from tests.replica.process import running_replica
from tests.replica.truth import expected_feed

YAOWEN = {"综合/要闻一", "综合/要闻二"}


def crawl(url: str, workdir: Path) -> list[int]:
    before = set(article_feeds(workdir / "feeds" / "yaowen")) if (workdir / "feeds").exists() else set()
    result = run_crawl("yaowen", url, workdir, CQN_NOW=NOW.isoformat())
    assert result.returncode == 0, result.stderr[-3000:]
    [feed] = sorted(set(article_feeds(workdir / "feeds" / "yaowen")) - before)
    return sorted(r["article_id"] for r in read_feed(feed))


def test_a_second_origin_with_the_same_state_directory_exports_all_of_its_articles(tmp_path: Path) -> None:
    with running_replica(seed=1, scale=2, now=NOW) as first, running_replica(seed=1, scale=2, now=NOW) as second:
        expected = sorted(expected_feed(first.site, YAOWEN))  # the same ids on both: the replica follows the site
        assert crawl(first.url, tmp_path) == expected
        assert crawl(second.url, tmp_path) == expected  # not "duplicate": another origin, another state
        assert crawl(first.url, tmp_path) == []  # the first origin's state still knows its own
    folders = sorted(p.name for p in (tmp_path / ".cqnnews").iterdir())
    assert len(folders) == 2 and all(name.startswith("127.0.0.1_") for name in folders)


def test_a_state_file_of_the_layout_before_is_refused_with_where_to_move_it(tmp_path: Path) -> None:
    (tmp_path / ".cqnnews").mkdir()
    (tmp_path / ".cqnnews" / "yaowen.sqlite3").write_bytes(b"")
    result = run_crawl("yaowen", "http://127.0.0.1:9", tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "made before crawl states were kept per origin" in line and "127.0.0.1_9/yaowen.sqlite3" in line
