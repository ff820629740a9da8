"""Jobs: ingest runs per trust-year partition; the warehouse builds once for all of them.

They are separate because Dagster will not mix partitioned and unpartitioned
assets in one job, and because one dbt build should follow a batch of ingest
partitions, not each one. In the UI the warehouse and published layer also
refresh by themselves after ingest (assets/automation.py); these jobs are for
``edi run`` / ``edi backfill`` and for re-running a layer by hand.
"""

from dagster import (
    AssetsDefinition,
    AssetSelection,
    define_asset_job,
    in_process_executor,
)

INGEST_JOB = "ingest"
WAREHOUSE_JOB = "build_warehouse"
PUBLISH_JOB = "publish"
FRESHNESS_JOB = "check_freshness"


def ingest_job():
    return define_asset_job(
        INGEST_JOB,
        selection=AssetSelection.groups("ingest"),
        # One process per run: a partition's four files are small, and parallelism
        # comes from running partitions side by side (queued runs, or edi's workers).
        executor_def=in_process_executor,
        description="Validate and pseudonymise one trust's extracts for one reporting year.",
    )


def jobs(warehouse: list[AssetsDefinition], publish: list[AssetsDefinition], checks: list) -> list:
    """``warehouse``: the dbt assets, after the raw loader on PostgreSQL. No publish job
    when there is nothing to publish (on PostgreSQL, until the published layer is ported)."""
    defined = [
        ingest_job(),
        define_asset_job(
            WAREHOUSE_JOB,
            selection=AssetSelection.assets(*warehouse),
            description="Build and test the dbt warehouse (seeds, staging, and later layers); "
            "on PostgreSQL, load the raw Parquet into it first.",
        ),
        define_asset_job(
            FRESHNESS_JOB,
            selection=AssetSelection.checks(*checks),
            description="Which trusts are late with this year's extracts.",
        ),
    ]
    if publish:
        # Its own job, run after the warehouse: a failed dbt test should not stop the
        # analysts' tables from building, and the published layer reads them all.
        defined.append(
            define_asset_job(
                PUBLISH_JOB,
                selection=AssetSelection.assets(*publish),
                executor_def=in_process_executor,
                description="Disclosure-controlled system comparison, HIA scorecard, board "
                "pack and report, then the analysts' database.",
            )
        )
    return defined
