"""A real redis-server for tests, on 127.0.0.1 and a free port, stopped afterwards.

``make test`` installs redis-server with scripts/redis.sh where it is missing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 10.0) -> None:
    """Until the redis-server at ``url`` answers PING."""
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + seconds
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server at {url} did not start") from None
            time.sleep(0.05)


@contextmanager
def running_redis(directory: Path) -> Iterator[str]:
    """The URL of a fresh redis-server, for the life of the block."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run scripts/redis.sh install (make test does)")
    port = free_port()
    process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                                "--dir", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class RestartableRedis:
    """A redis-server that keeps its data on disk (append-only file, fsync always), as a production
    one would, and can be stopped and started again on the same port."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run scripts/redis.sh install (make test does)")
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.url)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: redis-server finishes its append-only file
            self.process.wait(timeout=10)
            self.process = None

    def restart(self, down: float) -> None:
        self.stop()
        time.sleep(down)
        self.start()


@contextmanager
def restartable_redis(directory: Path) -> Iterator[RestartableRedis]:
    server = RestartableRedis(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
