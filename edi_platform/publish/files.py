"""Writing published tables to files: atomically, and safe to open in a spreadsheet.

Text cells that a spreadsheet would run as a formula get a leading apostrophe
(``formulas``), in the CSV and, so that both files hold the same values, in the
Parquet file too. Numbers stay numbers: a negative pay gap is -3.2, not '-3.2.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from edi_platform.publish.formulas import defuse_formulas
from edi_platform.temporary_files import atomic_write


def _replace(path: Path, write) -> None:
    # Readers (the report, a download) never see half a file: write beside it, then rename.
    with atomic_write(path) as temporary:
        write(temporary)


def write_table(frame: pl.DataFrame, directory: Path, name: str) -> list[Path]:
    """``name``.csv and ``name``.parquet in ``directory``, each replaced atomically."""
    safe = defuse_formulas(frame)
    csv, parquet = directory / f"{name}.csv", directory / f"{name}.parquet"
    _replace(csv, safe.write_csv)
    _replace(parquet, safe.write_parquet)
    return [csv, parquet]
