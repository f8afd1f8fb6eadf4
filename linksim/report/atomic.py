"""Writing output files whole or not at all.

Each file is first written (and synced) to a temporary file in its own folder and only then
moved into place with ``os.replace``, so a reader sees the old file or the new one, never half
of one, and a failure (a full disk, a read-only folder) leaves the targets as they were and no
temporary file behind. The CSV, the figures and the HTML report are all written this way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Mapping

__all__ = ["atomic_write_files", "atomic_write_bytes"]


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file next to ``path``, synced to disk; returns its
    name. On failure the temporary file is removed and the ``OSError`` names ``path``."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except OSError as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if exc.filename != os.fspath(path):     # e.g. a write error names no file at all
            raise OSError(exc.errno, exc.strerror or str(exc), os.fspath(path)) from exc
        raise
    except BaseException:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise
    return tmp


def atomic_write_files(files: Mapping[str | os.PathLike, bytes]) -> list[Path]:
    """Write several files whole or not at all: each is first written (and synced) to a
    temporary file in its own folder, and only once all are written are they moved into place
    with ``os.replace``, in the order given. Returns the paths.

    A failure while writing (a full disk, a read-only folder) removes the temporary files and
    leaves every target as it was, and the ``OSError`` names the target it was writing; a
    reader never sees half of a file. Folders are created.
    """
    staged: list[tuple[Path, str]] = []
    new_dirs = []       # folders this call creates: removed again (if empty) on failure
    for path in files:
        for folder in reversed(Path(path).parents):
            if folder not in new_dirs and not folder.exists():
                new_dirs.append(folder)
    try:
        for path, data in files.items():
            path = Path(path)
            staged.append((path, _stage(path, data)))
        for path, tmp in staged:
            os.replace(tmp, path)
    except BaseException:
        for _, tmp in staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        for folder in reversed(new_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    return [path for path, _ in staged]


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and
    ``os.replace``, so a concurrent reader sees the old file or the new one, never half of one;
    a failure leaves ``path`` as it was (see :func:`atomic_write_files`). Returns the path."""
    return atomic_write_files({path: data})[0]
