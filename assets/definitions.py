"""The one code location: everything Dagster shows, assembled in one place."""

from __future__ import annotations

from dagster import Definitions

from assets.analyst import analyst_database_asset
from assets.automation import automation_sensor
from assets.dbt import dbt_resource, warehouse_assets
from assets.freshness import freshness_checks, freshness_schedule
from assets.ingest import ingest_assets
from assets.jobs import jobs
from assets.landing import landing_specs
from assets.partitions import trust_year_partitions
from assets.postgres_load import loaded_key, postgres_load_assets
from assets.publish import publish_assets, report_assets
from assets.schedules import annual_schedule, monthly_incidents_schedule
from assets.sensors import landing_sensor
from edi_platform.config import IcsConfig, load_config
from edi_platform.paths import EXTRACTS, DataPaths, data_paths
from edi_platform.warehouse import POSTGRES, warehouse


def build_definitions(config: IcsConfig, paths: DataPaths) -> Definitions:
    partitions_def = trust_year_partitions(config)
    # PostgreSQL cannot read the raw Parquet: there a loader copies it in first, and
    # dbt's sources are the loader's tables (EDI_WAREHOUSE, edi_platform/warehouse.py).
    on_postgres = warehouse() == POSTGRES
    loaders = [postgres_load_assets(paths)] if on_postgres else []
    source_keys = {extract: loaded_key(extract) for extract in EXTRACTS} if loaders else None
    dbt_models = warehouse_assets(config, paths, source_keys)
    # The published layer and the analysts' copy read and write warehouse.duckdb: on
    # PostgreSQL they are left out until ported (docs/deployment.md), rather than
    # publishing from a stale DuckDB file.
    publish = (
        []
        if on_postgres
        else [
            publish_assets(config, paths),
            report_assets(config, paths),
            analyst_database_asset(paths),
        ]
    )
    checks = freshness_checks(config, paths)
    return Definitions(
        assets=[
            *landing_specs(partitions_def),
            *ingest_assets(config, paths, partitions_def),
            *loaders,
            dbt_models,
            *publish,
        ],
        asset_checks=checks,
        jobs=jobs([*loaders, dbt_models], publish, checks),
        sensors=[landing_sensor(config, paths), automation_sensor()],
        schedules=[
            annual_schedule(config, paths),
            monthly_incidents_schedule(config, paths),
            freshness_schedule(),
        ],
        resources={"dbt": dbt_resource()},
    )


defs = build_definitions(load_config(), data_paths())
