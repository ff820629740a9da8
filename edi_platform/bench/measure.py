"""Run a command and measure it: wall time, CPU time and peak memory of its whole process tree.

CPU time comes from the kernel's accounting of the finished process and every descendant it
waited for (``os.wait4``). Peak memory is the largest sum of resident set sizes over the
process and its descendants, sampled every 0.1 s from /proc (Linux): ingest workers and dbt
run beside the main process, so the largest single process would understate it. Shared
pages are counted once per process, so the figure errs high, never low.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")
_SAMPLE_S = 0.1


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    cpu_s: float
    peak_mb: float
    returncode: int

    def as_dict(self) -> dict[str, float]:
        return {
            "wall_s": round(self.wall_s, 2),
            "cpu_s": round(self.cpu_s, 2),
            "peak_mb": round(self.peak_mb, 1),
        }


def measure(
    command: list[str], *, env: dict[str, str] | None = None, log: Path | None = None
) -> Measurement:
    """Run ``command`` to the end (output to ``log``), measured."""
    out = log.open("w", encoding="utf-8") if log else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = _Peak(process.pid)
        peak.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        peak.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    return Measurement(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_mb=max(peak.bytes, usage.ru_maxrss * 1024) / 2**20,
        returncode=process.returncode,
    )


class _Peak(threading.Thread):
    """Samples the resident memory of a process tree until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.bytes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(_SAMPLE_S):
            self.bytes = max(self.bytes, tree_rss(self.pid))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, now."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            statm = Path(entry.path, "statm").read_text()
        except OSError:
            continue  # the process ended while we looked
        # The command name (field 2) may hold spaces; fields after its ')' are fixed.
        ppid = int(stat.rpartition(")")[2].split()[1])
        pid = int(entry.name)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(statm.split()[1]) * _PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total
