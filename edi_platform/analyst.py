"""The analysts' database: a copy of the marts and published tables that never blocks the pipeline.

DuckDB allows one writer, and a writer cannot open a file that another process
holds, even read-only. An analyst who keeps ``warehouse.duckdb`` open all day
would make the next dbt build fail; so analysts get ``analyst.duckdb``
instead (architecture.md). After every build the pipeline writes a complete
new copy beside it and renames it into place. An analyst's open session keeps
reading the copy it opened (the old file lives on until they disconnect); a
new connection sees the new data. Nothing the analyst does, even opening the
file read-write, can block a pipeline run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from edi_platform.temporary_files import atomic_write

ANALYST_SCHEMAS: tuple[str, ...] = ("marts", "publish")


def refresh_analyst_database(
    warehouse: Path, target: Path, schemas: tuple[str, ...] = ANALYST_SCHEMAS
) -> dict[str, int]:
    """Copy ``schemas`` of the warehouse into a new database at ``target``; rows per table."""
    with atomic_write(target) as file:
        file.unlink()  # DuckDB creates the file itself
        try:
            with duckdb.connect(str(file)) as connection:
                copied = _copy_schemas(connection, warehouse, schemas)
        finally:
            Path(f"{file}.wal").unlink(missing_ok=True)  # left only if the copy failed
    return copied


def _copy_schemas(
    connection: duckdb.DuckDBPyConnection, warehouse: Path, schemas: tuple[str, ...]
) -> dict[str, int]:
    copied: dict[str, int] = {}
    connection.execute(f"attach '{warehouse}' as warehouse (read_only)")
    tables = connection.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = 'warehouse' and schema_name in "
        f"({', '.join('?' for _ in schemas)}) order by all",
        list(schemas),
    ).fetchall()
    views = connection.execute(
        "select schema_name, view_name, comment from duckdb_views() "
        "where database_name = 'warehouse' and schema_name in "
        f"({', '.join('?' for _ in schemas)}) order by all",
        list(schemas),
    ).fetchall()
    for schema, name, comment in [*tables, *views]:
        connection.execute(f'create schema if not exists "{schema}"')
        connection.execute(
            f'create table "{schema}"."{name}" as select * from warehouse."{schema}"."{name}"'
        )
        if comment:
            quoted = comment.replace("'", "''")  # COMMENT ON takes no parameters
            connection.execute(f'comment on table "{schema}"."{name}" is \'{quoted}\'')
        copied[f"{schema}.{name}"] = connection.execute(
            f'select count(*) from "{schema}"."{name}"'
        ).fetchone()[0]
    connection.execute("detach warehouse")
    connection.execute("checkpoint")
    return copied
