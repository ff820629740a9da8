"""The analysts' database (edi_platform/analyst.py) as an asset, refreshed after every build."""

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from assets.automation import REFRESH_WHEN_INPUTS_CHANGE
from assets.dbt import WAREHOUSE_POOL
from assets.ownership import OWNERS
from assets.publish import HIA_SCORECARD_KEY, MART_KEYS, SYSTEM_COMPARISON_KEY
from edi_platform.analyst import refresh_analyst_database
from edi_platform.paths import DataPaths

ANALYST_DATABASE_KEY = AssetKey(["analyst", "database"])


def analyst_database_asset(paths: DataPaths):
    @asset(
        key=ANALYST_DATABASE_KEY,
        deps=[*MART_KEYS, SYSTEM_COMPARISON_KEY, HIA_SCORECARD_KEY],
        group_name="analyst",
        kinds={"duckdb"},
        owners=OWNERS,
        # It reads the warehouse: a read-only open fails while dbt writes, so it queues
        # behind the writers in their pool.
        pool=WAREHOUSE_POOL,
        automation_condition=REFRESH_WHEN_INPUTS_CHANGE,
        description=(
            "analyst.duckdb: a copy of schemas marts and publish for analysts to query "
            "and keep open all day. Replaced whole after each build, so it never blocks "
            "the pipeline; reconnect to see new data."
        ),
    )
    def _analyst_database() -> MaterializeResult:
        copied = refresh_analyst_database(paths.warehouse, paths.analyst_database)
        table = "\n".join(
            ["| table | rows |", "|---|---|"] + [f"| {t} | {n:,} |" for t, n in copied.items()]
        )
        return MaterializeResult(
            metadata={
                "path": MetadataValue.path(str(paths.analyst_database)),
                "tables": MetadataValue.md(table),
                "dagster/row_count": sum(copied.values()),
            }
        )

    return _analyst_database
