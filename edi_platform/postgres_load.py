"""Copy the raw zone's Parquet into PostgreSQL, where dbt's sources read it (schema ``raw``).

DuckDB reads the raw Parquet in place; PostgreSQL cannot read Parquet, so on
that warehouse (``EDI_WAREHOUSE=postgres``) each extract is copied into a table
``raw.<extract>`` before dbt builds: every ingested partition file, read with
polars, sent with ``COPY ... FROM STDIN`` as CSV (PostgreSQL's fastest bulk
path; no file on the database server, no extension).

Each extract loads in one transaction, so a load that fails half-way leaves the
table as it was. When the columns are unchanged the table is emptied and
refilled, which keeps dbt's staging views on it; when the raw contract changed
it is dropped (with those views, which the next dbt build recreates) and
created again. Files are copied one at a time, so memory holds one partition,
not the extract. Columns are matched by name, as DuckDB's ``union_by_name``
does: a column some files lack is null in their rows.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from edi_platform.paths import EXTRACTS, DataPaths
from edi_platform.warehouse import postgres_connection_settings

RAW_SCHEMA = "raw"


class RawLoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class LoadedTable:
    extract: str
    table: str
    files: int
    rows: int
    recreated: bool
    """True when the table was (re)created, False when it was emptied and refilled."""


def postgres_type(dtype: pl.DataType) -> str:
    """The PostgreSQL column type for a raw Parquet column, exact for every type ingest writes."""
    if isinstance(dtype, pl.Decimal):
        return f"numeric({dtype.precision}, {dtype.scale})"
    for polars_type, sql_type in _TYPES:
        if dtype == polars_type:
            return sql_type
    raise RawLoadError(f"no PostgreSQL type for raw column type {dtype}")


_TYPES = (
    (pl.String, "text"),
    (pl.Int64, "bigint"),
    (pl.Int32, "integer"),
    (pl.Float64, "double precision"),
    (pl.Boolean, "boolean"),
    (pl.Date, "date"),
)


def table_columns(extract: str, files: Sequence[Path]) -> dict[str, str]:
    """Column name → PostgreSQL type over all files, in first-seen order (union by name).

    Only the Parquet footers are read. A column whose type differs between files
    is refused: DuckDB would widen it silently, and the two warehouses would differ.
    """
    columns: dict[str, str] = {}
    seen_in: dict[str, Path] = {}
    for file in files:
        for name, dtype in pl.read_parquet_schema(file).items():
            sql_type = postgres_type(dtype)
            if name in columns and columns[name] != sql_type:
                raise RawLoadError(
                    f"{extract}: column {name} is {columns[name]} in {seen_in[name]} "
                    f"but {sql_type} in {file}"
                )
            columns.setdefault(name, sql_type)
            seen_in.setdefault(name, file)
    return columns


def load_extract(connection, extract: str, files: Sequence[Path]) -> LoadedTable:
    """Replace ``raw.<extract>`` with the rows of ``files``, all in one transaction.

    ``connection`` is a psycopg2 connection; it is committed on success and rolled
    back on any error, which is raised again.
    """
    if not files:
        raise RawLoadError(
            f"No {extract} data has been ingested yet: ingest at least one trust-year of "
            "every extract before loading the warehouse."
        )
    columns = table_columns(extract, files)
    table = f"{_quote(RAW_SCHEMA)}.{_quote(extract)}"
    rows = 0
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"create schema if not exists {_quote(RAW_SCHEMA)}")
            recreated = _existing_columns(cursor, extract) != columns
            if recreated:
                # The staging view on the old table goes too; dbt's next build recreates it.
                cursor.execute(f"drop table if exists {table} cascade")
                definition = ", ".join(f"{_quote(n)} {t}" for n, t in columns.items())
                cursor.execute(f"create table {table} ({definition})")
            else:
                cursor.execute(f"truncate table {table}")
            for file in files:
                rows += _copy_file(cursor, table, file)
        connection.commit()
    except Exception:
        connection.rollback()
        raise
    return LoadedTable(extract, f"{RAW_SCHEMA}.{extract}", len(files), rows, recreated)


def connect():
    """A psycopg2 connection to the warehouse database (the PG* variables, as dbt's)."""
    import psycopg2

    return psycopg2.connect(**postgres_connection_settings(), application_name="edi raw loader")


def load_raw_zone(
    connection, paths: DataPaths, extracts: Iterable[str] = EXTRACTS
) -> list[LoadedTable]:
    """Load every extract's ingested files, each extract in its own transaction.

    Every extract must have data before any is loaded (dbt needs all four), so a
    missing extract changes nothing; the first failing load stops the rest.
    """
    files = {extract: paths.raw_files(extract) for extract in extracts}
    missing = [extract for extract, found in files.items() if not found]
    if missing:
        raise RawLoadError(
            f"No {', '.join(missing)} data has been ingested yet under {paths.raw}: "
            "ingest at least one trust-year of every extract before loading the warehouse."
        )
    return [load_extract(connection, extract, found) for extract, found in files.items()]


def _copy_file(cursor, table: str, file: Path) -> int:
    frame = pl.read_parquet(file)
    buffer = io.BytesIO()
    # polars writes null as an empty field and an empty string as "", which is exactly
    # how COPY's CSV format tells them apart; floats are written so they read back
    # bit for bit, and decimals and dates in the forms PostgreSQL parses.
    frame.write_csv(buffer, include_header=False)
    buffer.seek(0)
    column_list = ", ".join(_quote(name) for name in frame.columns)
    cursor.copy_expert(f"copy {table} ({column_list}) from stdin with (format csv)", buffer)
    return frame.height


def _existing_columns(cursor, extract: str) -> dict[str, str]:
    """The table's columns and types as ``postgres_type`` writes them ({} when absent)."""
    cursor.execute(
        """
        select a.attname, format_type(a.atttypid, a.atttypmod)
        from pg_attribute as a
        where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped
        order by a.attnum
        """,
        (f"{_quote(RAW_SCHEMA)}.{_quote(extract)}",),
    )
    return {name: _normalise(sql_type) for name, sql_type in cursor.fetchall()}


def _normalise(sql_type: str) -> str:
    # format_type writes numeric(18,2); postgres_type writes numeric(18, 2).
    return sql_type.replace(",", ", ") if sql_type.startswith("numeric(") else sql_type


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
