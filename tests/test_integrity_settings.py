"""Bad settings, arguments and state at start: one line saying what is accepted, exit 2, no traceback.

Also: CQN_NOW in every form it accepts, and no secret in any line.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from cqnnews.crawl.startup_checks import check_settings
from cqnnews.reading.dates import SHANGHAI, parse_now
from cqnnews.sections import BadArgument
from cqnnews.urls import redact
from tests.conftest import project_settings
from tests.crawl import origin_dir, run_crawl

NOWHERE = "http://127.0.0.1:9"  # nothing listens: a run that got past its checks would fail, not exit 2


def refused(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 2, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and says in lines[0], result.stderr[-2000:]


@pytest.mark.parametrize(("settings", "says"), [
    ({"CQN_NOW": "yesterday"}, "CQN_NOW must be an ISO 8601 day or time"),
    ({"CQN_NODE_IDS": "要闻一=6500"}, "CQN_NODE_IDS must map listing names to node ids"),
    ({"CQN_NODE_IDS": '{"要闻一": "abc"}'}, "CQN_NODE_IDS must map listing names to node ids"),
    ({"CQN_NODE_IDS": '{"要闻": [20762, "x"]}'}, "CQN_NODE_IDS must map listing names to node ids"),
    ({"CQN_SMOKE_ARTICLES": "two"}, "CQN_SMOKE_ARTICLES must be a whole number ≥ 0"),
    ({"CQN_MAX_ERRORS": "many"}, "CQN_MAX_ERRORS must be a whole number ≥ 0"),
    ({"CQN_LISTING_WINDOW": "0"}, "CQN_LISTING_WINDOW must be a whole number ≥ 1"),
    ({"CQN_MAX_ARTICLE_PAGES": "1e9x"}, "CQN_MAX_ARTICLE_PAGES must be a whole number"),
    ({"CQN_PROGRESS_SECONDS": "nan"}, "CQN_PROGRESS_SECONDS must be a number ≥ 0"),
])
def test_a_bad_setting_is_one_line_and_exit_2(tmp_path: Path, settings: dict[str, str], says: str) -> None:
    refused(run_crawl("yaowen", NOWHERE, tmp_path, settings=settings, timeout=60), says)


def test_a_huge_recheck_days_is_refused(tmp_path: Path) -> None:
    refused(run_crawl("yaowen", NOWHERE, tmp_path, "-a", "recheck_days=99999999999", timeout=60),
            "recheck_days must be a whole number of days")


def test_a_directory_where_the_lock_goes_is_one_line(tmp_path: Path) -> None:
    (origin_dir(tmp_path, NOWHERE) / "yaowen.lock").mkdir(parents=True)
    refused(run_crawl("yaowen", NOWHERE, tmp_path, timeout=60), "cannot take the run lock")


def test_a_damaged_state_file_is_left_as_it_is_with_one_line_saying_how_to_recover(tmp_path: Path) -> None:
    state = origin_dir(tmp_path, NOWHERE)
    db = sqlite3.connect(state / "yaowen.sqlite3")
    db.execute("CREATE TABLE filler (x TEXT)")
    db.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 2000)
    db.commit()
    db.close()
    raw = bytearray((state / "yaowen.sqlite3").read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 8192] = b"\xff" * 8192  # header intact, pages in the middle damaged
    (state / "yaowen.sqlite3").write_bytes(bytes(raw))
    before = (state / "yaowen.sqlite3").read_bytes()
    result = run_crawl("yaowen", NOWHERE, tmp_path, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "yaowen.sqlite3" in result.stderr and ("damaged" in result.stderr or "not a cqnnews" in result.stderr)
    assert (state / "yaowen.sqlite3").read_bytes() == before  # never silently replaced


def test_a_wrong_redis_password_is_one_line_without_the_password(tmp_path: Path) -> None:
    binary = shutil.which("redis-server")
    assert binary is not None, "make test installs redis-server"
    from tests.redis_server import free_port

    port = free_port()
    server = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--requirepass",
                               "right-secret", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        import time

        time.sleep(0.5)
        result = run_crawl("yaowen", NOWHERE, tmp_path, timeout=60,
                           CQN_REDIS_URL=f"redis://:wrong-Secret-42@127.0.0.1:{port}/0")
    finally:
        server.terminate()
        server.wait()
    refused(result, "cannot reach Redis")
    assert "wrong-Secret-42" not in result.stderr + result.stdout


@pytest.mark.parametrize(("text", "want"), [
    ("2026-10-05", "2026-10-05T00:00:00+08:00"),
    ("2026-10-05T12:30:00", "2026-10-05T12:30:00+08:00"),
    ("2026-10-05T04:30:00+00:00", "2026-10-05T04:30:00+00:00"),
])
def test_cqn_now_is_a_day_a_naive_time_in_shanghai_or_an_aware_time(text: str, want: str) -> None:
    value = parse_now(text)
    assert value.isoformat() == want and value.tzinfo is not None
    assert parse_now("2026-10-05").tzinfo == SHANGHAI


def test_the_projects_own_settings_pass_their_checks() -> None:
    from scrapy.settings import Settings

    check_settings(Settings(project_settings()))
    with pytest.raises(BadArgument):
        check_settings(Settings(project_settings(CQN_ARTICLE_BATCH="-3")))


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://:s3cret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ("redis://user:s3cret@host:6379/0", "redis://user:***@host:6379/0"),
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
])
def test_redact(url: str, shown: str) -> None:
    assert redact(url) == shown
