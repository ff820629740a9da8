"""`edi run` and `edi backfill`: ingest a batch of partitions, then build the warehouse once.

Each partition is one ingest run, recorded in the Dagster instance
(DAGSTER_HOME) so the UI shows it as if it had launched it. Partitions run in
parallel in worker processes (one per core by default; each loads the code
once, not once per partition): ingest writes only Parquet, never the
warehouse, so workers cannot meet a DuckDB lock. Then one warehouse build and
one publish follow the whole batch, however many partitions it held.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterInstance

from assets.definitions import build_definitions
from assets.ingest_batch import QUIET_LOGS, failure_messages, ingest_batch
from assets.interrupted import close_interrupted_runs, edi_run_tags
from assets.jobs import PUBLISH_JOB, WAREHOUSE_JOB
from edi_platform.config import IcsConfig
from edi_platform.landing import scan_landing
from edi_platform.paths import DataPaths
from edi_platform.stopwatch import Stopwatch
from edi_platform.temporary_files import remove_abandoned


@dataclass
class RunOutcome:
    partitions_ok: int = 0
    partitions_failed: int = 0
    warehouse_ok: bool = False
    publish_ok: bool = False
    # Per stage (ingest, dbt_build, publish): wall and CPU seconds, workers and dbt included.
    stages: dict[str, dict[str, float]] = field(default_factory=dict)
    # Inside ingest, added up over partitions: read, pseudonymise, validate, write.
    ingest_stages: dict[str, float] = field(default_factory=dict)

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
    config: IcsConfig,
    paths: DataPaths,
    echo: Callable[[str], None] = print,
    *,
    years: Iterable[str] | None = None,
    trusts: Iterable[str] | None = None,
    workers: int | None = None,
) -> RunOutcome:
    """Ingest every landing partition (of ``years`` and ``trusts``, default all configured),
    then build the warehouse and publish once."""
    prepare_dagster_home(paths)
    instance = DagsterInstance.get()
    defs = build_definitions(config, paths)
    outcome = RunOutcome()
    wanted_years = set(years) if years is not None else set(config.reporting_years)
    wanted_trusts = set(trusts) if trusts is not None else set(config.org_codes)
    # What a killed run left: its temporary files, and its runs still "started".
    abandoned = remove_abandoned(paths.root)
    if abandoned:
        echo(f"removed {len(abandoned)} temporary file(s) left by an interrupted run")
    for run_id in close_interrupted_runs(instance):
        echo(f"marked run {run_id} failed: its edi process was killed before it finished")

    scan = scan_landing(paths, config)
    for skipped in scan.skipped:
        echo(f"skipped {skipped.path}: {skipped.reason}")
    partitions = [
        (org, year)
        for org, year in scan.partitions()
        if year in wanted_years and org in wanted_trusts
    ]
    if not partitions:
        echo(f"No landing files under {paths.landing} for the configured trusts and years.")
    for org_code in (code for code in config.org_codes if code in wanted_trusts):
        for year in sorted(wanted_years):
            if (org_code, year) not in partitions:
                echo(
                    f"not yet received: {org_code} {year} (no files in {paths.landing_dir(year, org_code)})"
                )

    batch = [(org, year, tuple(scan.extracts_for(org, year))) for org, year in partitions]
    workers = max(1, min(workers or _default_workers(len(batch)), len(batch)))
    if len(batch) > 1:
        echo(f"Ingesting {len(batch)} partition(s) with {workers} worker(s)")
    ingest_watch = Stopwatch()
    with _measured(outcome, "ingest"):
        for number, report in enumerate(ingest_batch(config, paths, batch, workers), start=1):
            echo(f"[{number}/{len(batch)}] {report.org_code} {report.year}: {report.summary}")
            ingest_watch.add(report.seconds)
            if report.success:
                outcome.partitions_ok += 1
            else:
                outcome.partitions_failed += 1
                for message in report.failures:
                    echo(f"    FAILED {message}")
    outcome.ingest_stages = ingest_watch.seconds
    echo(f"ingest: {_seconds(outcome, 'ingest')}")

    dbt_log = paths.root / "logs" / "warehouse_build.log"
    dbt_log.parent.mkdir(parents=True, exist_ok=True)
    echo(f"Building the warehouse with dbt (seeds, models, tests); dbt's log: {dbt_log}")
    # dagster-dbt echoes every dbt event to stdout: keep it in a log file, not the terminal.
    with (
        _measured(outcome, "dbt_build"),
        dbt_log.open("w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
    ):
        warehouse = defs.resolve_job_def(WAREHOUSE_JOB).execute_in_process(
            instance=instance,
            run_config=QUIET_LOGS,
            tags=edi_run_tags(),
            raise_on_error=False,
        )
    outcome.warehouse_ok = warehouse.success
    built = len(warehouse.get_asset_materialization_events())
    checks = warehouse.get_asset_check_evaluations()
    failed_checks = [c for c in checks if not c.passed]
    echo(
        f"warehouse: {built} tables and views built, {len(checks) - len(failed_checks)} of "
        f"{len(checks)} dbt tests passed -> {paths.warehouse} ({_seconds(outcome, 'dbt_build')})"
    )
    for check in failed_checks:
        echo(f"    test failed: {check.asset_key.to_user_string()} {check.check_name}")
    if not warehouse.success:
        for message in failure_messages(warehouse):
            echo(f"    FAILED {message}")
    if not any(job.name == PUBLISH_JOB for job in defs.jobs or ()):
        # The published layer reads and writes warehouse.duckdb; on PostgreSQL it is not
        # in the definitions yet, and the run does not count as complete.
        echo("publish: not run: the published layer is not yet ported to PostgreSQL "
             "(docs/deployment.md); the marts are in the warehouse's schema marts")  # fmt: skip
    elif paths.warehouse.exists():
        _publish(defs, instance, paths, outcome, echo)
    return outcome


def _publish(
    defs, instance: DagsterInstance, paths: DataPaths, outcome: RunOutcome, echo: Callable
) -> None:
    """Run the publish job after the warehouse, and say what it wrote."""
    with _measured(outcome, "publish"):
        published = defs.resolve_job_def(PUBLISH_JOB).execute_in_process(
            instance=instance,
            run_config=QUIET_LOGS,
            tags=edi_run_tags(),
            raise_on_error=False,
        )
    outcome.publish_ok = published.success
    written = []
    for event in published.get_asset_materialization_events():
        rows = event.materialization.metadata.get("dagster/row_count")
        name = event.asset_key.to_user_string()
        written.append(f"{name} {rows.value:,} rows" if rows else name)
    echo(
        f"published: {', '.join(written)} -> schema publish, {paths.published} and "
        f"{paths.analyst_database} ({_seconds(outcome, 'publish')})"
    )
    for message in failure_messages(published):
        echo(f"    FAILED {message}")


@contextlib.contextmanager
def _measured(outcome: RunOutcome, stage: str) -> Iterator[None]:
    """Wall and CPU seconds of a stage, counting the processes it started and waited for
    (ingest workers, dbt), so the benchmark can say where a run's time went."""
    wall, cpu = time.perf_counter(), _cpu_seconds()
    try:
        yield
    finally:
        outcome.stages[stage] = {
            "wall_s": time.perf_counter() - wall,
            "cpu_s": _cpu_seconds() - cpu,
        }


def _seconds(outcome: RunOutcome, stage: str) -> str:
    return f"{outcome.stages[stage]['wall_s']:.1f} s"


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _default_workers(partitions: int) -> int:
    """One per core when the batch is big enough to repay each worker's start (a fresh
    Python loading Dagster: seconds), else one."""
    cores = os.cpu_count() or 1
    return cores if partitions >= 4 * cores else 1
