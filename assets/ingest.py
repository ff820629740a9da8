"""Ingest assets: one per extract, partitioned trust × reporting year.

Each partition reads one landing file and writes one raw Parquet file; the
work itself is ``edi_platform.ingest.ingest_partition``. A file-level fault
fails only that partition; rejected rows are reported through the
``rows_valid`` check and the partition's data-quality report.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    asset,
)

from assets.landing import LANDING_DESCRIPTIONS, landing_key
from assets.ownership import OWNERS
from assets.partitions import trust_and_year
from edi_platform.config import IcsConfig
from edi_platform.ingest import IngestError, IngestResult, ingest_partition, resolve_key
from edi_platform.landing import find_landing_file
from edi_platform.paths import EXTRACTS, DataPaths

ROWS_VALID = "rows_valid"
STAGE_SECONDS = "seconds_by_stage"


def raw_key(extract: str) -> AssetKey:
    return AssetKey(["raw", extract])


def ingest_assets(
    config: IcsConfig, paths: DataPaths, partitions_def: PartitionsDefinition
) -> list[AssetsDefinition]:
    return [_ingest_asset(extract, config, paths, partitions_def) for extract in EXTRACTS]


def _ingest_asset(
    extract: str, config: IcsConfig, paths: DataPaths, partitions_def: PartitionsDefinition
) -> AssetsDefinition:
    key = raw_key(extract)

    @asset(
        key=key,
        deps=[landing_key(extract)],
        partitions_def=partitions_def,
        group_name="ingest",
        kinds={"polars", "parquet"},
        owners=OWNERS,
        description=(
            f"{LANDING_DESCRIPTIONS[extract]} Validated against the extract contract, "
            "identifiers pseudonymised, date of birth and free text dropped; written to "
            f"raw/{extract}/year=<year>/org=<org>/part-0.parquet (see docs/raw-zone.md)."
        ),
        check_specs=[
            AssetCheckSpec(
                ROWS_VALID,
                asset=key,
                description=(
                    "Every row of the landing file passed the contract's rules. Rows that broke "
                    "a rule are quarantined with the rule; the partition fails outright when "
                    f"more than {config.ingest.max_rejected_share:.0%} of rows are rejected."
                ),
            )
        ],
    )
    def _ingest(context: AssetExecutionContext) -> MaterializeResult:
        org_code, year = trust_and_year(context.partition_key)
        source = find_landing_file(paths, year, org_code, extract)
        if source is None:
            raise Failure(
                description=(
                    f"No {extract} file has arrived for {org_code} {year}: expected "
                    f"{paths.landing_dir(year, org_code)}/{extract}.csv or .xlsx"
                )
            )
        secret, used_demo_key = resolve_key()
        if used_demo_key:
            context.log.info("Using the published demo pseudonymisation key: demo data only.")
        try:
            result = ingest_partition(
                extract,
                org_code,
                year,
                source=source,
                paths=paths,
                key=secret,
                settings=config.ingest,
            )
        except IngestError as err:
            raise Failure(
                description=str(err),
                metadata={"file": str(source), "rule": err.rule, "column": str(err.column)},
            ) from err
        return MaterializeResult(
            metadata=_materialization_metadata(result),
            check_results=[_rows_valid(result)],
        )

    return _ingest


def _materialization_metadata(result: IngestResult) -> dict:
    return {
        "dagster/row_count": result.rows_loaded,
        "rows_read": result.rows_read,
        "rows_rejected": result.rows_rejected,
        "source_file": MetadataValue.path(str(result.source)),
        "source_sha256": result.source_sha256,
        "raw_file": MetadataValue.path(str(result.raw_file)),
        "quality_report": MetadataValue.path(str(result.report_file)),
        "unknown_columns_ignored": ", ".join(result.unknown_columns) or "none",
        "demo_key": result.used_demo_key,
        # Where the time went (read, pseudonymise, validate, write), in seconds.
        STAGE_SECONDS: MetadataValue.json({k: round(v, 4) for k, v in result.seconds.items()}),
    }


def _rows_valid(result: IngestResult) -> AssetCheckResult:
    errors = [i for i in result.issues if i.severity == "error"]
    warnings = [i for i in result.issues if i.severity != "error"]
    table = "\n".join(
        ["| rule | column | severity | rows | example rows |", "|---|---|---|---|---|"]
        + [
            f"| {i.rule} | {i.column or ''} | {i.severity} | {i.count} | "
            f"{', '.join(map(str, i.example_rows))} |"
            for i in result.issues
        ]
    )
    return AssetCheckResult(
        check_name=ROWS_VALID,
        passed=not errors,
        # Rejected rows within the threshold still load: warn, don't block.
        severity=AssetCheckSeverity.WARN,
        metadata={
            "rows_rejected": result.rows_rejected,
            "rejected_share": float(result.rejected_share),
            "rules_broken": len(errors),
            "warnings": len(warnings),
            "issues": MetadataValue.md(table if result.issues else "No issues."),
            "quality_report": MetadataValue.path(str(result.report_file)),
        },
    )
