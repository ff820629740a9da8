"""What a run leaves behind, in a form two runs can be compared by.

Raw and quarantine files, published CSV, Parquet and HTML are compared byte
for byte (they are written deterministically); workbooks by their cells (an
.xlsx file records when it was saved); warehouse tables by their rows.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal
from xlsx_cells import read_cells

from edi_platform.paths import DataPaths

WAREHOUSE_SCHEMAS = ("staging", "intermediate", "marts", "publish")


def snapshot(paths: DataPaths) -> dict[str, object]:
    files: dict[str, object] = {}
    for zone in (paths.raw, paths.quarantine, paths.published):
        for path in sorted(p for p in zone.rglob("*") if p.is_file()):
            key = path.relative_to(paths.root).as_posix()
            if path.suffix == ".xlsx":
                files[key] = read_cells(path)
            else:
                files[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"files": files, "tables": warehouse_tables(paths.warehouse)}


def warehouse_tables(warehouse: Path) -> dict[str, pl.DataFrame]:
    if not warehouse.exists():  # nothing built yet
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            f"where schema_name in {WAREHOUSE_SCHEMAS} order by 1"
        ).fetchall()
        tables = {}
        for (name,) in names:
            frame = pl.from_arrow(con.sql(f"select * from {name}").to_arrow_table())
            tables[name] = frame.sort(frame.columns, nulls_last=True)
        return tables


def differences(expected: dict[str, object], actual: dict[str, object]) -> list[str]:
    """Human-readable differences; empty when the two runs left the same outputs."""
    found = []
    for kind in ("files", "tables"):
        missing = sorted(set(expected[kind]) - set(actual[kind]))
        extra = sorted(set(actual[kind]) - set(expected[kind]))
        found += [f"missing {kind[:-1]} {name}" for name in missing]
        found += [f"unexpected {kind[:-1]} {name}" for name in extra]
        for name in sorted(set(expected[kind]) & set(actual[kind])):
            one, other = expected[kind][name], actual[kind][name]
            if not (_same_rows(one, other) if isinstance(one, pl.DataFrame) else one == other):
                found.append(f"{kind[:-1]} {name} differs")
    return found


def _same_rows(one: pl.DataFrame, other: pl.DataFrame) -> bool:
    # DuckDB sums doubles in parallel, so the last bits of a ratio may differ run to run.
    try:
        assert_frame_equal(one, other, check_exact=False, rel_tol=1e-9)
    except AssertionError:
        return False
    return True
