"""Jobs: ingest runs per trust-year partition; the warehouse builds once for all of them.

They are separate because Dagster will not mix partitioned and unpartitioned
assets in one job, and because one dbt build should follow a batch of ingest
partitions, not each one.
"""

from __future__ import annotations

from dagster import (
    AssetsDefinition,
    AssetSelection,
    define_asset_job,
)

INGEST_JOB = "ingest"
WAREHOUSE_JOB = "build_warehouse"
PUBLISH_JOB = "publish"


def jobs(warehouse: AssetsDefinition, publish: list[AssetsDefinition]) -> list:
    defined = [
        define_asset_job(
            INGEST_JOB,
            selection=AssetSelection.groups("ingest"),
            description="Validate and pseudonymise one trust's extracts for one reporting year.",
        ),
        define_asset_job(
            WAREHOUSE_JOB,
            selection=AssetSelection.assets(warehouse),
            description="Build and test the dbt warehouse (seeds, staging, and later layers).",
        ),
    ]
    # Its own job, run after the warehouse: a failed dbt test should not stop the
    # analysts' tables from building, and the published layer reads them all.
    defined.append(
        define_asset_job(
            PUBLISH_JOB,
            selection=AssetSelection.assets(*publish),
            description="Disclosure-controlled system comparison, HIA scorecard, board pack "
            "and report.",
        )
    )
    return defined
