"""One run at a time per spider and state directory: an advisory lock the kernel drops when the
process dies, so a run killed with SIGKILL never leaves a stale lock behind."""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cqnnews.clock import utc_now
from cqnnews.errors import StateError

_HELD: dict[Path, "RunLock"] = {}


class LockHeld(StateError):
    """Another run holds the lock."""


@dataclass
class RunLock:
    path: Path
    handle: IO[str]

    def release(self) -> None:
        _HELD.pop(self.path, None)
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def acquire(state_dir: str | Path, spider: str) -> RunLock:
    """The lock of ``spider`` in ``state_dir``; the same lock again if this process holds it already."""
    return acquire_file(Path(state_dir) / f"{spider}.lock", f"another {spider} run holds")


def acquire_file(path: Path, held: str) -> RunLock:
    """The lock file ``path``; LockHeld (``held`` names who holds it) if another process has it."""
    path = path.resolve()
    if path in _HELD:
        return _HELD[path]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the whole run)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise LockHeld(f"{held} {path} ({holder}); not starting") from None
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "started": utc_now()}))
    handle.flush()
    lock = RunLock(path, handle)
    _HELD[path] = lock
    return lock
