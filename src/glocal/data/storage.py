"""The folder of stored imports on disk: listing it, writing into it atomically, locking it.

Accepted imports are written atomically (temporary file, ``fsync``, rename), so a
process killed mid-import leaves the folder as it was before or as it is after, never
half; a folder lock serialises writers across processes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "default_imports_dir",
    "folder_lock",
    "import_files",
    "remove_stale_temporaries",
    "write_atomically",
]


def default_imports_dir(cache_dir: Path | str) -> Path:
    """Where imports are kept unless ``--imports-dir`` says otherwise: ``<cache-dir>/imports``.

    >>> default_imports_dir("/tmp/cache")
    PosixPath('/tmp/cache/imports')
    """
    return Path(cache_dir) / "imports"


def import_files(folder: Path | str) -> list[Path]:
    """The stored imports in a folder (``*.trig``), sorted; temporary files are skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.trig") if p.is_file() and not p.name.startswith("."))


def write_atomically(path: Path | str, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers and crashes see the old or the new file.

    The bytes go to a temporary file in the same folder, are flushed to disk
    (``fsync``) and renamed over the target; the folder is synced too, so the rename
    itself survives a power cut. A process killed at any point leaves at most a
    temporary ``.<name>.*.<pid>.tmp`` file, which :func:`import_files` ignores.

    >>> target = Path(tempfile.mkdtemp()) / "x.trig"
    >>> write_atomically(target, b"<a:b> <a:c> <a:d> .")
    >>> target.read_bytes()
    b'<a:b> <a:c> <a:d> .'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=f".{os.getpid()}.tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp's 0600 would hide it from a server user
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files of writers that were killed mid-write.

    A temporary file's name ends with its writer's pid, so only files of processes
    that no longer run are removed.
    """
    for leftover in folder.glob(".*.tmp"):
        pid = leftover.name.rsplit(".", 2)[-2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            leftover.unlink(missing_ok=True)
        except PermissionError:
            continue


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (its ``.lock`` file) across processes.

    It serialises imports into one folder (a CLI import while the server imports);
    the kernel drops the lock when a process dies.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
