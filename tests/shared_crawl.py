"""Workers of a shared crawl for tests: started, watched and faulted when they reach a named point, never after a
fixed sleep.

A worker's log goes to a file (a pipe that fills up would block it: a timing of its own); the points a
test waits for are a line in that log, a key in Redis (``alive:<worker>``, ``taken:<worker>``), a
``.part`` file's lines, or a pause point (``CQN_PAUSEPOINT``, :mod:`cqnnews.failpoints`) where the
worker waits for the test.  A worker that fails shows its whole log's errors with their tracebacks.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import redis

from cqnnews.outputs.feeds import article_feeds
from tests.crawl import crawl_command, crawl_env, read_feed

POLL = 0.05


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def said(self, words: str) -> bool:
        return words in self.text()

    def finish(self, timeout: float = 300) -> int:
        return self.process.wait(timeout=timeout)

    def errors(self) -> str:
        """Every ERROR line with what follows it up to the next log line (a whole traceback), and the summary."""
        lines = self.text().splitlines()
        out: list[str] = []
        keep = False
        for line in lines:
            starts = bool(re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", line))
            if starts:
                keep = " ERROR: " in line or "CRITICAL" in line or "run summary" in line
            elif line.startswith(("Traceback", "cqnnews: error", "Task exception")):
                keep = True
            if keep:
                out.append(line)
        return f"worker {self.pid} (exit {self.process.poll()}):\n" + "\n".join(out)


def start(workdir: Path, base_url: str, redis_url: str, settings: dict[str, str], name: str, spider: str = "yaowen",
          args: tuple[str, ...] = (), **env: str) -> Worker:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(crawl_command(spider, *args, settings=settings), cwd=workdir,
                                   env=crawl_env(base_url, CQN_REDIS_URL=redis_url, **env),
                                   stdout=subprocess.DEVNULL, stderr=out)
    return Worker(process, log)


def report(workers: list[Worker]) -> str:
    return "\n\n".join(w.errors() for w in workers)


def wait_until(condition: Callable[[], bool], what: str, workers: list[Worker], timeout: float = 240) -> None:
    """Until ``condition()``; a test failure naming ``what``, with the workers' errors, past ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f}s for {what}\n{report(workers)}")
        time.sleep(POLL)


def exited(worker: Worker) -> bool:
    return worker.process.poll() is not None


def keys_of(redis_url: str, kind: str, worker: Worker) -> list[bytes]:
    """The crawl's ``<kind>:<host>:<pid>:<id>`` keys of ``worker`` (``alive``, ``taken``)."""
    try:
        return list(redis.Redis.from_url(redis_url).scan_iter(f"cqn:*:crawl:{kind}:*:{worker.pid}:*"))
    except redis.RedisError:
        return []


def joined(redis_url: str, worker: Worker) -> bool:
    """The worker beats in the crawl."""
    return bool(keys_of(redis_url, "alive", worker))


def holds_requests(redis_url: str, worker: Worker) -> bool:
    """The worker has taken requests from the shared queue and not finished them."""
    db = redis.Redis.from_url(redis_url)
    try:
        return any(db.hlen(key) for key in keys_of(redis_url, "taken", worker))
    except redis.RedisError:
        return False


def part_lines(workdir: Path, worker: Worker, spider: str = "yaowen") -> int:
    """Articles the worker wrote so far into its feed's ``.part`` file."""
    folder = workdir / "feeds" / spider
    parts = list(folder.glob(f"*-{worker.pid}.jsonl.*.part")) if folder.exists() else []
    return parts[0].read_bytes().count(b"\n") if parts else 0


def held(pause_dir: Path, point: str, worker: Worker | None = None) -> list[Path]:
    """The markers of workers held at ``point`` (of ``worker`` only, if given)."""
    pattern = f"{point}.{worker.pid}" if worker is not None else f"{point}.*"
    return sorted(pause_dir.glob(pattern)) if pause_dir.exists() else []


def release(markers: list[Path]) -> None:
    for marker in markers:
        marker.unlink(missing_ok=True)


def missing(workdir: Path, expected: list[int], workers: list[Worker]) -> str:
    """What the final feeds lack or repeat, and what the workers said of listing walks and re-queues."""
    got = final_ids(workdir)
    lacking = sorted(set(expected) - set(got))
    repeated = sorted({aid for aid in got if got.count(aid) > 1})
    said = [line for w in workers for line in w.text().splitlines()
            if any(k in line for k in ("ends here", "repeats", "queued again", "is gone", "pending", "UNHEALTHY"))]
    return f"missing {lacking}\nrepeated {repeated}\n" + "\n".join(said[-40:])


def final_ids(workdir: Path, spider: str = "yaowen") -> list[int]:
    return sorted(r["article_id"] for feed in article_feeds(workdir / "feeds" / spider) for r in read_feed(feed))


def pause_env(pause_dir: Path, point: str) -> dict[str, str]:
    pause_dir.mkdir(parents=True, exist_ok=True)
    return {"CQN_PAUSEPOINT": point, "CQN_PAUSE_DIR": str(pause_dir)}


def no_tracebacks(workers: list[Worker]) -> bool:
    return all("Traceback" not in w.text() and "Task exception" not in w.text() for w in workers)
