"""The project's own ``scrapy list`` and ``scrapy crawl`` commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cqnnews.sections import SECTIONS
from cqnnews.state.store import StateStore
from tests.crawl import crawl_env, origin_dir
from tests.replica.process import RunningReplica


def test_scrapy_list_prints_bare_names_as_scrapyd_reads_them(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=tmp_path, env=crawl_env("http://127.0.0.1:9"),
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == sorted(s.spider for s in SECTIONS)


def test_scrapy_list_verbose_shows_every_spider_with_its_description(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "scrapy", "list", "-v"], cwd=tmp_path,
                         env=crawl_env("http://127.0.0.1:9"), capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert len(lines) == len(SECTIONS)
    for s in SECTIONS:
        assert any(line.split()[0] == s.spider and s.description in line for line in lines)


def test_scrapy_parse_prints_the_article_and_touches_no_state_and_writes_no_feed(replica: RunningReplica,
                                                                                tmp_path: Path) -> None:
    state = origin_dir(tmp_path, replica.url)
    StateStore.open(state, "yaowen").close()
    before = {p.name: p.read_bytes() for p in state.iterdir()}
    ref = replica.site.listing(replica.site.leaf("综合/要闻一"))[0]
    done = subprocess.run([sys.executable, "-m", "scrapy", "parse", "--spider=yaowen", replica.url + ref.path],
                          cwd=tmp_path, env=crawl_env(replica.url), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert replica.site.story(ref).title in done.stdout and str(ref.article_id) in done.stdout
    assert {p.name: p.read_bytes() for p in state.iterdir()} == before
    assert not (tmp_path / "feeds").exists()


def test_unknown_spider_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "nosuch"], cwd=tmp_path,
                            env=crawl_env("http://127.0.0.1:9"), capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "cqnnews: error: unknown spider 'nosuch'; valid: " + ", ".join(sorted(s.spider for s in SECTIONS))]


def test_scrapy_check_runs_a_contract_per_callback_against_the_replica(replica: RunningReplica,
                                                                       tmp_path: Path) -> None:
    listed = subprocess.run([sys.executable, "-m", "scrapy", "check", "-l", "yaowen"], cwd=tmp_path,
                            env=crawl_env(replica.url), capture_output=True, text=True, timeout=120)
    methods = {line.strip().lstrip("*").strip() for line in listed.stdout.splitlines()}
    assert {"parse", "parse_home", "parse_channel", "parse_listing", "parse_article"} <= methods, listed.stdout
    done = subprocess.run([sys.executable, "-m", "scrapy", "check"], cwd=tmp_path, env=crawl_env(replica.url),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "\nOK" in done.stderr, done.stderr[-3000:]
    assert f"Ran {7 * len(SECTIONS)} contracts" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no state, no feed


def test_scrapy_check_fails_where_the_pages_are_not(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "scrapy", "check", "yaowen", "-s", "RETRY_TIMES=0",
                           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"], cwd=tmp_path,
                          env=crawl_env("http://127.0.0.1:9"), capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "FAILED" in done.stderr, done.stderr[-2000:]
