"""Writing published tables to files: atomically, and safe to open in a spreadsheet.

A text cell starting with ``=``, ``+``, ``-`` or ``@`` is run as a formula by
Excel and other spreadsheets (CSV injection); such text cells get a leading
apostrophe. Numbers stay numbers: a negative pay gap is -3.2, not '-3.2.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@")


def defuse_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix an apostrophe to every text cell that a spreadsheet would read as a formula."""
    risky = "^[" + "".join("\\" + p for p in FORMULA_PREFIXES) + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(risky))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )


def _replace(path: Path, write) -> None:
    # Readers (the report, a download) never see half a file: write beside it, then rename.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    os.replace(temporary, path)


def write_table(frame: pl.DataFrame, directory: Path, name: str) -> list[Path]:
    """``name``.csv and ``name``.parquet in ``directory``, each replaced atomically."""
    safe = defuse_formulas(frame)
    csv, parquet = directory / f"{name}.csv", directory / f"{name}.parquet"
    _replace(csv, safe.write_csv)
    _replace(parquet, safe.write_parquet)
    return [csv, parquet]
