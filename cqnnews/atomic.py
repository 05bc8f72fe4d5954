"""Files that appear whole under their name: written beside it, then renamed over it in one step.

A reader (an analyst, a Prometheus collector, another worker) sees the old file or the new
one, never half of one.  Where a file must also survive a power cut (a feed, its records),
``durable`` puts the file and the rename on disk (fsync of the file, then of its folder)
before the call returns.  A leaf: any layer may use it.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import IO, Any


def write_atomic(path: Path, data: bytes | str, *, durable: bool = False, mode: int = 0o666) -> None:
    """``data`` (text: UTF-8) under ``path`` in one rename; the temporary file is removed if anything fails.

    ``mode`` is that of a new file (the umask applies), as :func:`open` makes it; ``durable``: the file and the
    rename on disk before it returns.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                sync_file(file)
        rename_into_place(temporary, path, durable=durable)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def sync_file(file: IO[Any]) -> None:
    """What was written to ``file`` on disk: flushed, then fsynced."""
    file.flush()
    os.fsync(file.fileno())


def sync_path(path: Path | str) -> None:
    """The file at ``path`` on disk, or for a folder its entries (a rename, a new file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(folder: Path | str) -> None:
    """The entries of ``folder`` (a rename, a new file) on disk."""
    sync_path(folder)


def rename_into_place(temporary: Path | str, path: Path | str, *, durable: bool = False) -> None:
    """``temporary``, written in full (and synced where it must be durable), renamed over ``path`` in one step;
    ``durable``: the rename itself on disk too."""
    os.replace(temporary, path)
    if durable:
        sync_folder(Path(path).parent)
