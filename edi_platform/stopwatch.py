"""Seconds spent in each named stage of a piece of work (for the benchmark and the UI).

    watch = Stopwatch()
    with watch.stage("read"):
        ...
    watch.seconds  # {"read": 0.42}

A stage entered twice adds up. Wall-clock time, because that is what a user waits for;
the benchmark measures CPU time and memory of whole processes separately.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Stopwatch:
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def add(self, other: dict[str, float]) -> None:
        for name, seconds in other.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds
