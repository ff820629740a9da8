"""Baseline (a), the floor: DuckDB reading every landing CSV once, as fast as files can be read.

    python edi_platform/bench/floor.py LANDING_FOLDER

``select count(*)`` over each CSV (every column read as text, so nothing is inferred
twice). Workbooks are not counted (DuckDB reads them only through an extension that is
not installed here); the benchmark reports how many there were. A Windows-1252 file is
read as Latin-1 (DuckDB's nearest encoding) once UTF-8 has failed on it. Prints one JSON
line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb


def main(landing: Path) -> None:
    rows = files = 0
    with duckdb.connect() as con:
        for path in sorted(landing.rglob("*.csv")):
            try:
                rows += _count(con, path, "utf-8")
            except duckdb.InvalidInputException:
                rows += _count(con, path, "latin-1")
            files += 1
    workbooks = len(list(landing.rglob("*.xlsx")))
    print(json.dumps({"csv_files": files, "csv_rows": rows, "workbooks_not_read": workbooks}))


def _count(con: duckdb.DuckDBPyConnection, path: Path, encoding: str) -> int:
    query = "select count(*) from read_csv(?, header = true, all_varchar = true, encoding = ?)"
    return con.execute(query, [str(path), encoding]).fetchone()[0]


if __name__ == "__main__":
    main(Path(sys.argv[1]))
