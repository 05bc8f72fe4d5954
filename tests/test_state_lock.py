from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cqnnews.state import lock


def test_the_same_process_gets_its_own_lock_back(tmp_path: Path) -> None:
    first = lock.acquire(tmp_path, "yaowen")
    assert lock.acquire(tmp_path, "yaowen") is first
    first.release()


def test_another_process_is_refused_then_admitted_after_release(tmp_path: Path) -> None:
    held = lock.acquire(tmp_path, "yaowen")
    code = ("import sys; from cqnnews.state import lock\n"
            "try:\n    lock.acquire(sys.argv[1], 'yaowen')\nexcept lock.LockHeld as e:\n    print(e); sys.exit(3)\n")
    refused = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert refused.returncode == 3 and "another yaowen run holds" in refused.stdout and '"pid"' in refused.stdout
    held.release()
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path)]).returncode == 0


def test_spiders_lock_separately(tmp_path: Path) -> None:
    a, b = lock.acquire(tmp_path, "yaowen"), lock.acquire(tmp_path, "zgzlb")
    assert a.path != b.path
    a.release()
    b.release()


def test_lock_dies_with_its_process(tmp_path: Path) -> None:
    code = "import os, sys; from cqnnews.state import lock; lock.acquire(sys.argv[1], 'yaowen'); os._exit(0)"
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    lock.acquire(tmp_path, "yaowen").release()


@pytest.fixture(autouse=True)
def _no_lock_left() -> Iterator[None]:
    before = dict(lock._HELD)
    yield
    assert lock._HELD == before, "a test left a lock held"
