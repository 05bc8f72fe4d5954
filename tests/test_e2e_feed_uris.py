"""Every feed URI Scrapy takes: the feed where Scrapy puts it, the summary on local disk where the log says,
the state recording the real location, and no credential in any line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cqnnews.outputs.feeds import SIDECAR_SUFFIXES
from tests.conftest import NOW
from tests.crawl import read_feed, run_crawl, state_dir
from tests.redis_server import free_port
from tests.replica.process import RunningReplica, running_replica
from tests.replica.truth import expected_feed

YAOWEN = {"综合/要闻一", "综合/要闻二"}


@pytest.fixture(scope="module")
def replica() -> Iterator[RunningReplica]:
    with running_replica(seed=1, scale=2, now=NOW) as running:
        yield running


def crawl(replica: RunningReplica, workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    result = run_crawl("yaowen", replica.url, workdir, *args, timeout=300, CQN_NOW=NOW.isoformat(), **env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def feeds_in_state(workdir: Path) -> set[str]:
    db = sqlite3.connect(state_dir(workdir) / "yaowen.sqlite3")
    return {row[0] for row in db.execute("SELECT DISTINCT feed FROM articles")}


def test_a_templated_path_is_rendered_and_the_summary_lies_beside_it(replica: RunningReplica, tmp_path: Path) -> None:
    result = crawl(replica, tmp_path, "-o", "out/%(name)s-%(time)s.jsonl")
    [feed] = [f for f in (tmp_path / "out").glob("yaowen-*.jsonl") if not f.name.endswith(SIDECAR_SUFFIXES)]
    assert sorted(r["article_id"] for r in read_feed(feed)) == sorted(expected_feed(replica.site, YAOWEN))
    summary = feed.with_name(feed.stem + ".summary.json")
    assert summary.exists() and str(summary.name) in result.stderr
    assert json.loads(summary.read_text(encoding="utf-8"))["feed"] == str(Path("out") / feed.name)
    assert feeds_in_state(tmp_path) == {str(Path("out") / feed.name)}
    assert not list(tmp_path.rglob("*%(*"))  # nothing named after the template itself


def test_stdout_gets_the_feed_and_the_summary_goes_to_the_feed_directory(replica: RunningReplica,
                                                                         tmp_path: Path) -> None:
    result = crawl(replica, tmp_path, "-s", 'FEEDS={"stdout:": {"format": "jsonlines"}}')
    ids = sorted(json.loads(line)["article_id"] for line in result.stdout.splitlines() if line.startswith("{"))
    assert ids == sorted(expected_feed(replica.site, YAOWEN))
    [summary] = list((tmp_path / "feeds" / "yaowen").glob("*.summary.json"))
    assert str(summary.relative_to(tmp_path)) in result.stderr
    assert json.loads(summary.read_text(encoding="utf-8"))["exported"] == len(ids)
    assert feeds_in_state(tmp_path) == {"stdout:"}


def test_s3_feed_on_a_local_s3_server_with_no_credential_in_any_line(replica: RunningReplica, tmp_path: Path) -> None:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    secrets = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY123", "AWS_SECRET_ACCESS_KEY": "Secret-Sauce-98765",
               "AWS_DEFAULT_REGION": "us-east-1"}
    try:
        s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=secrets["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=secrets["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")
        s3.create_bucket(Bucket="analysts")
        result = crawl(replica, tmp_path, "-s", 'FEEDS={"s3://analysts/yaowen/%(time)s.jsonl": {"format": "jsonlines"}}',
                       "-s", f"AWS_ENDPOINT_URL={endpoint}", **secrets)
        [key] = [o["Key"] for o in s3.list_objects_v2(Bucket="analysts")["Contents"]]
        body = s3.get_object(Bucket="analysts", Key=key)["Body"].read().decode("utf-8")
    finally:
        server.stop()
    ids = sorted(json.loads(line)["article_id"] for line in body.splitlines())
    assert ids == sorted(expected_feed(replica.site, YAOWEN))
    [summary] = list((tmp_path / "feeds" / "yaowen").glob("*.summary.json"))
    assert json.loads(summary.read_text(encoding="utf-8"))["feed"] == f"s3://analysts/{key}"
    assert feeds_in_state(tmp_path) == {f"s3://analysts/{key}"}
    for secret in (secrets["AWS_ACCESS_KEY_ID"], secrets["AWS_SECRET_ACCESS_KEY"]):
        assert secret not in result.stderr + result.stdout + summary.read_text(encoding="utf-8")


def test_the_summary_says_what_ran(replica: RunningReplica, tmp_path: Path) -> None:
    crawl(replica, tmp_path, "-O", "out.jsonl", "-a", "recheck_days=2", "-s", "CQN_REDIS_OUTAGE_MAX=60")
    report = json.loads((tmp_path / "out.summary.json").read_text(encoding="utf-8"))
    ran = report["run"]
    assert ran["origin"] == replica.url and ran["cqnnews_version"]
    assert ran["arguments"]["recheck_days"] == 2
    assert ran["settings"]["CQN_REDIS_OUTAGE_MAX"] == "60" and ran["settings"]["FEEDS"] == {"out.jsonl": ran["settings"]["FEEDS"]["out.jsonl"]}
    times = sorted(r["published_at"] for r in read_feed(tmp_path / "out.jsonl"))
    assert ran["published_at"] == {"earliest": times[0], "latest": times[-1]}
    assert report["duration_seconds"] > 0
