"""Atomic writes: a reader (dbt, a person) sees the old file or the new one, never half.

Files are written in a scratch folder under the data root (on the same disk,
outside every zone's glob) and renamed over the target; a file left there by
a killed process is removed by the next run (edi_platform/temporary_files.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from edi_platform.temporary_files import atomic_write


def _replace(target: Path, scratch: Path, write: Callable[[Path], None]) -> None:
    with atomic_write(target, scratch) as temporary:
        write(temporary)


def write_parquet(
    frame: pl.DataFrame, target: Path, scratch: Path, metadata: dict[str, str]
) -> None:
    # One row group and no timestamps: the same frame always gives the same bytes.
    _replace(
        target,
        scratch,
        lambda path: frame.write_parquet(
            path,
            compression="zstd",
            statistics=True,
            row_group_size=max(frame.height, 1),
            metadata=metadata,
        ),
    )


def write_text(text: str, target: Path, scratch: Path) -> None:
    _replace(target, scratch, lambda path: path.write_text(text, encoding="utf-8"))
