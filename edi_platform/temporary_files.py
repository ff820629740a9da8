"""Temporary files of atomic writes, named after the process that writes them.

Every file the platform writes appears whole: it is written under a temporary
name and then renamed over its target. A process killed between the two
(a power cut, the out-of-memory killer, an operator's kill -9) leaves the
temporary file behind. The temporary name carries the writer's process id,
so the next run can remove the files whose writer has gone without touching
one that another running process (a run launched from the UI) is writing.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# .<target name>.<pid>.<random>.tmp, and DuckDB's write-ahead log beside it
_TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)\.[^.]+\.tmp(\.wal)?$")

# Never touched: trusts' own files, and Dagster's storage (it has its own rules).
_LEFT_ALONE = ("landing", "dagster_home")


@contextmanager
def atomic_write(target: Path, directory: Path | None = None) -> Iterator[Path]:
    """A temporary path to write ``target``'s next version to (see ``make_temporary``).

    When the block ends, the file is made readable by all (as any file the platform
    writes; mkstemp creates it private) and renamed over ``target``; if the block
    fails, it is removed and ``target`` stays as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = make_temporary(target, directory)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def make_temporary(target: Path, directory: Path | None = None) -> Path:
    """An empty private file for writing ``target``'s next version (in ``directory``,
    default beside the target: the same disk, so the final rename is atomic)."""
    folder = directory or target.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        dir=folder, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp"
    )
    os.close(handle)
    return Path(name)


def remove_abandoned(root: Path) -> list[Path]:
    """Delete the temporary files under ``root`` whose writing process no longer runs."""
    removed = []
    for path in _temporary_files(root):
        match = _TEMPORARY.match(path.name)
        if match and not process_running(int(match["pid"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _temporary_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == root:
            dirnames[:] = [d for d in dirnames if d not in _LEFT_ALONE]
        for name in filenames:
            if name.startswith(".") and (name.endswith(".tmp") or name.endswith(".tmp.wal")):
                yield Path(dirpath) / name


def process_running(pid: int) -> bool:
    """Whether a process with this id exists (ours, or anyone's)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
