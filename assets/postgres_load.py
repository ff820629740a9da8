"""The raw loader: on a PostgreSQL warehouse, ingest's Parquet copied into tables for dbt.

Only in the definitions when ``EDI_WAREHOUSE=postgres`` (DuckDB reads the
Parquet in place). One asset per extract, ``warehouse_raw/<extract>``, between
the ingest asset ``raw/<extract>`` and dbt's source, so the lineage reads
ingest → load → staging. The work is ``edi_platform.postgres_load``.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    multi_asset,
)

from assets.automation import REFRESH_WHEN_INPUTS_CHANGE
from assets.dbt import WAREHOUSE_POOL
from assets.ingest import raw_key
from assets.ownership import OWNERS
from edi_platform.paths import EXTRACTS, DataPaths
from edi_platform.postgres_load import RawLoadError, connect, load_extract

LOAD_GROUP = "warehouse_raw"


def loaded_key(extract: str) -> AssetKey:
    return AssetKey([LOAD_GROUP, extract])


def postgres_load_assets(paths: DataPaths) -> AssetsDefinition:
    @multi_asset(
        specs=[
            AssetSpec(
                loaded_key(extract),
                deps=[raw_key(extract)],
                group_name=LOAD_GROUP,
                kinds={"postgres", "polars"},
                owners=OWNERS,
                automation_condition=REFRESH_WHEN_INPUTS_CHANGE,
                description=(
                    f"Table raw.{extract} in the PostgreSQL warehouse: every ingested "
                    f"raw/{extract} Parquet file, copied for dbt's source (PostgreSQL cannot "
                    "read Parquet). Replaced whole in one transaction, so a failed load "
                    "leaves the previous table."
                ),
            )
            for extract in EXTRACTS
        ],
        # A load must not interleave with a dbt build reading the tables it replaces.
        pool=WAREHOUSE_POOL,
        can_subset=True,
        name="load_raw_into_postgres",
    )
    def _load(context: AssetExecutionContext):
        wanted = [e for e in EXTRACTS if loaded_key(e) in context.selected_asset_keys]
        missing = [e for e in wanted if not paths.raw_files(e)]
        if missing:
            raise Failure(
                description=(
                    f"No {', '.join(missing)} data has been ingested yet under {paths.raw}: "
                    "ingest at least one trust-year of every extract before loading the warehouse."
                )
            )
        connection = connect()
        try:
            for extract in wanted:
                try:
                    loaded = load_extract(connection, extract, paths.raw_files(extract))
                except RawLoadError as err:
                    raise Failure(description=str(err)) from err
                yield MaterializeResult(
                    asset_key=loaded_key(extract),
                    metadata={
                        "dagster/row_count": loaded.rows,
                        "dagster/table_name": loaded.table,
                        "files": loaded.files,
                        "table_recreated": loaded.recreated,
                    },
                )
        finally:
            connection.close()

    return _load
