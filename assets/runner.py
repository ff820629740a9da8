"""`edi run`: materialise every configured partition from the landing zone, then the warehouse.

Runs execute in this process but are recorded in the Dagster instance
(DAGSTER_HOME), so the UI shows them exactly as if it had launched them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance, ExecuteInProcessResult

from assets.definitions import build_definitions
from assets.ingest import raw_key
from assets.jobs import INGEST_JOB, PUBLISH_JOB, WAREHOUSE_JOB
from assets.partitions import partition_key
from edi_platform.config import IcsConfig
from edi_platform.landing import scan_landing
from edi_platform.paths import EXTRACTS, DataPaths

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class RunOutcome:
    partitions_ok: int = 0
    partitions_failed: int = 0
    warehouse_ok: bool = False
    publish_ok: bool = False

    @property
    def ok(self) -> bool:
        return self.partitions_failed == 0 and self.warehouse_ok and self.publish_ok


def prepare_dagster_home(paths: DataPaths) -> Path:
    """Point DAGSTER_HOME at the data folder unless the operator chose one."""
    home = Path(os.environ.get("DAGSTER_HOME") or paths.root / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(Path(__file__).with_name("dagster.yaml"), home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run_pipeline(
    config: IcsConfig, paths: DataPaths, echo: Callable[[str], None] = print
) -> RunOutcome:
    prepare_dagster_home(paths)
    instance = DagsterInstance.get()
    defs = build_definitions(config, paths)
    outcome = RunOutcome()

    scan = scan_landing(paths, config)
    for skipped in scan.skipped:
        echo(f"skipped {skipped.path}: {skipped.reason}")
    partitions = scan.partitions()
    if not partitions:
        echo(f"No landing files under {paths.landing} for the configured trusts and years.")
    for org_code in config.org_codes:
        for year in config.reporting_years:
            if (org_code, year) not in partitions:
                echo(
                    f"not yet received: {org_code} {year} (no files in {paths.landing_dir(year, org_code)})"
                )

    ingest_job = defs.resolve_job_def(INGEST_JOB)
    for number, (org_code, year) in enumerate(partitions, start=1):
        extracts = scan.extracts_for(org_code, year)
        result = ingest_job.execute_in_process(
            partition_key=partition_key(org_code, year),
            asset_selection=[raw_key(e) for e in extracts],
            instance=instance,
            run_config=QUIET_LOGS,
            tags={"edi/launched_by": "edi run"},
            raise_on_error=False,
        )
        missing = [e for e in EXTRACTS if e not in extracts]
        echo(f"[{number}/{len(partitions)}] {org_code} {year}: {_describe_ingest(result, missing)}")
        if result.success:
            outcome.partitions_ok += 1
        else:
            outcome.partitions_failed += 1
            for message in _failure_messages(result):
                echo(f"    FAILED {message}")

    dbt_log = paths.root / "logs" / "warehouse_build.log"
    dbt_log.parent.mkdir(parents=True, exist_ok=True)
    echo(f"Building the warehouse with dbt (seeds, models, tests); dbt's log: {dbt_log}")
    # dagster-dbt echoes every dbt event to stdout: keep it in a log file, not the terminal.
    with dbt_log.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        warehouse = defs.resolve_job_def(WAREHOUSE_JOB).execute_in_process(
            instance=instance,
            run_config=QUIET_LOGS,
            tags={"edi/launched_by": "edi run"},
            raise_on_error=False,
        )
    outcome.warehouse_ok = warehouse.success
    built = len(warehouse.get_asset_materialization_events())
    checks = warehouse.get_asset_check_evaluations()
    failed_checks = [c for c in checks if not c.passed]
    echo(
        f"warehouse: {built} tables and views built, {len(checks) - len(failed_checks)} of "
        f"{len(checks)} dbt tests passed -> {paths.warehouse}"
    )
    for check in failed_checks:
        echo(f"    test failed: {check.asset_key.to_user_string()} {check.check_name}")
    if not warehouse.success:
        for message in _failure_messages(warehouse):
            echo(f"    FAILED {message}")
    if paths.warehouse.exists():
        _publish(defs, instance, paths, outcome, echo)
    return outcome


def _publish(
    defs, instance: DagsterInstance, paths: DataPaths, outcome: RunOutcome, echo: Callable
) -> None:
    """Run the publish job after the warehouse, and say what it wrote."""
    published = defs.resolve_job_def(PUBLISH_JOB).execute_in_process(
        instance=instance,
        run_config=QUIET_LOGS,
        tags={"edi/launched_by": "edi run"},
        raise_on_error=False,
    )
    outcome.publish_ok = published.success
    written = []
    for event in published.get_asset_materialization_events():
        rows = event.materialization.metadata.get("dagster/row_count")
        name = event.asset_key.path[-1]
        written.append(f"{name} {rows.value:,} rows" if rows else name)
    echo(f"published: {', '.join(written)} -> schema publish and {paths.published}")
    for message in _failure_messages(published):
        echo(f"    FAILED {message}")


def _describe_ingest(result: ExecuteInProcessResult, missing: list[str]) -> str:
    parts = []
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        loaded = metadata["dagster/row_count"].value
        rejected = metadata["rows_rejected"].value
        note = f", {rejected:,} rejected" if rejected else ""
        parts.append(f"{event.asset_key.path[-1]} {loaded:,} rows{note}")
    parts += [f"{extract} not received" for extract in missing]
    return "; ".join(parts) or "nothing loaded"


def _failure_messages(result: ExecuteInProcessResult) -> list[str]:
    messages = []
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        data = event.step_failure_data
        description = data.user_failure_data.description if data.user_failure_data else None
        messages.append(f"{event.step_key}: {description or data.error.message.strip()}")
    return messages
