"""Run the replica in a subprocess on a free port, for tests, the demo and benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tests.replica.site import Site

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningReplica:
    url: str
    site: Site  # the same site, in this process: the ground truth
    process: subprocess.Popen[str]


@contextmanager
def running_replica(seed: int = 1, scale: int = 8, now: datetime | None = None, faults: str = "",
                    fixed_faults: bool = False, latency: float = 0.0, port: int = 0, home: str = "current",
                    articles: str = "current", without: str = "", refuse: str = "",
                    listings: str = "current") -> Iterator[RunningReplica]:
    """The replica in a process of its own, on ``port`` (0: a free one). The same site on another
    day is the replica started again with a later ``now`` on the same port: the same origin."""
    removed = frozenset(filter(None, without.split(",")))
    site = Site(seed=seed, scale=scale, now=now, home=home, template=articles, removed=removed, listings=listings) \
        if now else Site(seed=seed, scale=scale, home=home, template=articles, removed=removed, listings=listings)
    cmd = [sys.executable, "-m", "tests.replica", "--port", str(port), "--seed", str(seed), "--scale", str(scale),
           "--now", site.now.isoformat(), "--faults", faults, *(["--fixed-faults"] if fixed_faults else []),
           "--latency", str(latency), "--home", home, "--articles", articles,
           "--without", without, "--refuse", refuse, "--listings", listings]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the server accepts connections
        if not line.startswith("serving "):
            raise RuntimeError(f"replica did not start: {line!r} (exit {process.poll()})")
        yield RunningReplica(line.split()[1], site, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
