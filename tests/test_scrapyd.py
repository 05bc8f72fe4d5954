"""scrapyd end to end: a real scrapyd on 127.0.0.1, the project deployed as an egg, yaowen scheduled against
the replica, every 要闻 article in the job's feed, its summary, and a clean log."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

from cqnnews.outputs.feeds import article_feeds
from tests.conftest import NOW
from tests.crawl import ROOT, read_feed
from tests.redis_server import free_port
from tests.replica.process import running_replica
from tests.replica.truth import expected_feed

BIN = Path(sys.executable).parent
YAOWEN = {"综合/要闻一", "综合/要闻二"}


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            requests.get(url, timeout=2).raise_for_status()
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_deploy_schedule_and_find_every_article(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = {tmp_path / 'eggs'}\nlogs_dir = {tmp_path / 'logs'}\nitems_dir =\n"
        f"dbs_dir = {tmp_path / 'dbs'}\nmax_proc = 1\npoll_interval = 0.5\n")
    daemon = subprocess.Popen([str(BIN / "scrapyd")], cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/daemonstatus.json")
        egg = tmp_path / "cqnnews.egg"
        built = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=ROOT, capture_output=True,
                               text=True, timeout=300)
        assert built.returncode == 0 and egg.exists(), built.stderr[-2000:]
        with egg.open("rb") as file:
            added = requests.post(base + "/addversion.json", data={"project": "cqnnews", "version": "1"},
                                  files={"egg": file}, timeout=60).json()
        assert added["status"] == "ok" and "yaowen" in requests.get(
            base + "/listspiders.json", params={"project": "cqnnews"}, timeout=30).json()["spiders"], added
        with running_replica(seed=1, scale=2, now=NOW) as replica:
            settings = {"CQN_BASE_URL": replica.url, "CQN_STATE_DIR": str(tmp_path / "state"),
                        "CQN_FEED_DIR": str(tmp_path / "feeds"), "CQN_NOW": NOW.isoformat(),
                        "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}
            job = requests.post(base + "/schedule.json", timeout=30, data=[
                ("project", "cqnnews"), ("spider", "yaowen"),
                *(("setting", f"{key}={value}") for key, value in settings.items())]).json()
            assert job["status"] == "ok", job
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                jobs = requests.get(base + "/listjobs.json", params={"project": "cqnnews"}, timeout=30).json()
                if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                    break
                time.sleep(0.5)
            else:
                raise AssertionError(f"the job did not finish: {jobs}")
            expected = sorted(expected_feed(replica.site, YAOWEN))
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
    [feed] = article_feeds(tmp_path / "feeds" / "yaowen")
    assert sorted(r["article_id"] for r in read_feed(feed)) == expected
    assert feed.with_name(feed.stem + ".summary.json").exists()
    log = (tmp_path / "logs" / "cqnnews" / "yaowen" / f"{job['jobid']}.log").read_text(encoding="utf-8")
    assert "run summary: healthy" in log and " ERROR: " not in log and "Traceback" not in log
