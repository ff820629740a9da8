"""Operating the platform: the file-drop sensor, schedules, declarative automation,
freshness checks and the analysts' database. Fast: no dbt build here (the
end-to-end runs are in test_pipeline.py)."""

from __future__ import annotations

import json
import os
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetKey,
    AssetMaterialization,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    evaluate_automation_conditions,
)

# Backfills are registered the way the UI does; Dagster exposes no public constructor.
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill

from assets.definitions import build_definitions
from assets.freshness import freshness_checks
from assets.jobs import FRESHNESS_JOB
from assets.schedules import annual_schedule, monthly_incidents_schedule
from assets.sensors import landing_sensor
from edi_platform.analyst import refresh_analyst_database
from edi_platform.config import parse_config
from edi_platform.freshness import due_date, overdue_extracts, year_to_check
from edi_platform.landing_watch import WatchState, plan_ingest
from edi_platform.paths import EXTRACTS, DataPaths
from edi_platform.years import last_ended_reporting_year, reporting_year_of

CONFIG = parse_config(
    {
        "icb_code": "QAB",
        "reporting_years": ["2022-23", "2023-24"],
        "trusts": [
            {"org_code": "R1X", "type": "acute"},
            {"org_code": "R2Y", "type": "community"},
        ],
        "freshness": {"extracts_due": "06-30"},
    }
)


def _drop(paths: DataPaths, year: str, org: str, name: str, text: str = "a,b\n1,2\n") -> Path:
    path = paths.landing_dir(year, org) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _age(path: Path, seconds: int) -> None:
    """Move a file's modification time into the past (as if written earlier)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - seconds * 1_000_000_000))


# -- the file-drop logic -------------------------------------------------------------------


def test_a_new_file_runs_once_after_it_has_settled(tmp_path):
    paths = DataPaths(tmp_path)
    _drop(paths, "2023-24", "R1X", "esr_staff.csv")
    _drop(paths, "2023-24", "R1X", "incidents.csv")

    first = plan_ingest(CONFIG, paths, WatchState())
    assert first.requests == [] and len(first.settling) == 2  # may still be uploading

    second = plan_ingest(CONFIG, paths, first.state)
    assert len(second.requests) == 1  # one run for the partition, both extracts
    request = second.requests[0]
    assert (request.org_code, request.reporting_year) == ("R1X", "2023-24")
    assert request.extracts == ("esr_staff", "incidents")

    third = plan_ingest(CONFIG, paths, second.state)
    assert third.requests == [] and third.settling == []  # exactly once per version


def test_a_file_still_being_written_waits_and_a_resubmission_runs_again(tmp_path):
    paths = DataPaths(tmp_path)
    staff = _drop(paths, "2022-23", "R2Y", "esr_staff.csv")
    state = plan_ingest(CONFIG, paths, WatchState()).state
    staff.write_text("a,b\n1,2\n3,4\n")  # grew between ticks: not settled
    growing = plan_ingest(CONFIG, paths, state)
    assert growing.requests == []
    done = plan_ingest(CONFIG, paths, growing.state)
    assert [r.extracts for r in done.requests] == [("esr_staff",)]
    first_key = done.requests[0].run_key

    staff.write_text("a,b\n9,9\n")  # the trust resubmits
    _age(staff, -5)  # a later modification time, even on a coarse clock
    resubmitted = plan_ingest(CONFIG, paths, plan_ingest(CONFIG, paths, done.state).state)
    assert [r.extracts for r in resubmitted.requests] == [("esr_staff",)]
    assert resubmitted.requests[0].run_key != first_key


def test_hidden_files_and_unknown_folders_are_skipped_and_reported_once(tmp_path):
    paths = DataPaths(tmp_path)
    _drop(paths, "2023-24", "R1X", ".esr_staff.csv.part")  # an upload before its rename
    _drop(paths, "2023-24", "R9Q", "esr_staff.csv")  # not a member trust
    _drop(paths, "2019-20", "R1X", "esr_staff.csv")  # year not configured
    _drop(paths, "2023-24", "R1X", "notes.txt")

    first = plan_ingest(CONFIG, paths, WatchState())
    reasons = dict(first.newly_skipped)
    assert len(reasons) == 3
    assert any("not a member trust" in r for r in reasons.values())
    assert any("not configured" in r for r in reasons.values())
    assert first.settling == []  # the hidden upload is not even looked at
    again = plan_ingest(CONFIG, paths, first.state)
    assert again.newly_skipped == [] and again.requests == []


def test_files_already_ingested_are_not_run_again_when_the_sensor_starts(tmp_path):
    paths = DataPaths(tmp_path)
    staff = _drop(paths, "2023-24", "R1X", "esr_staff.csv")
    _age(staff, 60)
    raw = paths.raw_partition("esr_staff", "2023-24", "R1X") / "part-0.parquet"
    raw.parent.mkdir(parents=True)
    raw.write_bytes(b"ingested by edi run after the file arrived")

    plan = plan_ingest(CONFIG, paths, WatchState())
    assert plan.requests == [] and plan.settling == []
    assert str(staff) in plan.state.ingested


def test_the_sensor_requests_the_partition_and_keeps_its_cursor(tmp_path):
    paths = DataPaths(tmp_path)
    _drop(paths, "2023-24", "R2Y", "recruitment.csv")
    sensor = landing_sensor(CONFIG, paths)
    assert sensor.default_status == DefaultSensorStatus.RUNNING

    first = sensor(build_sensor_context())
    assert first.run_requests == []
    second = sensor(build_sensor_context(cursor=first.cursor))
    [request] = second.run_requests
    assert request.partition_key == "R2Y|2023-24"
    assert request.asset_selection == [AssetKey(["raw", "recruitment"])]
    assert request.run_key and request.tags["edi/launched_by"] == "landing_file_drop"
    third = sensor(build_sensor_context(cursor=second.cursor))
    assert third.run_requests == []
    assert json.loads(third.cursor)["ingested"]


# -- schedules -------------------------------------------------------------------------------


def test_reporting_years_of_calendar_days():
    assert reporting_year_of(date(2024, 3, 31)) == "2023-24"
    assert reporting_year_of(date(2024, 4, 1)) == "2024-25"
    assert last_ended_reporting_year(date(2024, 6, 1)) == "2023-24"
    assert last_ended_reporting_year(date(2024, 3, 1)) == "2022-23"


def test_the_annual_schedule_collects_the_year_just_ended(tmp_path):
    paths = DataPaths(tmp_path)
    for org in ("R1X", "R2Y"):
        _drop(paths, "2023-24", org, "esr_staff.csv")
    _drop(paths, "2022-23", "R1X", "esr_staff.csv")
    schedule = annual_schedule(CONFIG, paths)
    assert schedule.default_status == DefaultScheduleStatus.STOPPED  # off in the demo

    june = build_schedule_context(scheduled_execution_time=datetime(2024, 6, 1, 6))
    requests = schedule(june)
    assert sorted(r.partition_key for r in requests) == ["R1X|2023-24", "R2Y|2023-24"]

    later = build_schedule_context(scheduled_execution_time=datetime(2025, 6, 1, 6))
    skipped = schedule(later)
    assert isinstance(skipped, SkipReason) and "2024-25" in skipped.skip_message


def test_the_monthly_schedule_re_reads_incidents_of_the_previous_month_s_year(tmp_path):
    paths = DataPaths(tmp_path)
    _drop(paths, "2023-24", "R1X", "incidents.csv")
    _drop(paths, "2023-24", "R1X", "esr_staff.csv")
    schedule = monthly_incidents_schedule(CONFIG, paths)
    assert schedule.default_status == DefaultScheduleStatus.STOPPED
    # 5 April 2024: March's incidents belong to 2023-24
    [request] = schedule(build_schedule_context(scheduled_execution_time=datetime(2024, 4, 5)))
    assert request.partition_key == "R1X|2023-24"
    assert request.asset_selection == [AssetKey(["raw", "incidents"])]


# -- declarative automation ----------------------------------------------------------------


def test_new_raw_data_refreshes_the_marts_and_published_layer(tmp_path, dbt_manifest):
    defs = build_definitions(CONFIG, DataPaths(tmp_path))
    instance = DagsterInstance.ephemeral()
    keys = [AssetKey(["raw", e]) for e in EXTRACTS]
    for key in keys:  # everything has run once: nothing to do
        instance.report_runless_asset_event(AssetMaterialization(key, partition="R1X|2023-24"))
    first = evaluate_automation_conditions(defs=defs, instance=instance)
    settled = evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    graph = defs.resolve_asset_graph()
    downstream = {
        k
        for k in graph.get_all_asset_keys()
        if k.path[0] in ("staging", "intermediate", "marts", "publish", "analyst")
    }
    for key in downstream:  # record the first build, as if the automation had run it
        instance.report_runless_asset_event(AssetMaterialization(key))
    quiet = evaluate_automation_conditions(defs=defs, instance=instance, cursor=settled.cursor)
    assert quiet.total_requested == 0

    # a trust resubmits one extract of one year (a partition another trust lacks)
    instance.report_runless_asset_event(
        AssetMaterialization(AssetKey(["raw", "esr_staff"]), partition="R2Y|2022-23")
    )
    result = evaluate_automation_conditions(defs=defs, instance=instance, cursor=quiet.cursor)
    requested = {r.key for r in result.results if r.true_subset.size}
    assert AssetKey(["staging", "stg_esr__assignments"]) in requested
    assert {AssetKey(["marts", "wres_indicators"]), AssetKey(["marts", "pay_gaps"])} <= requested
    assert {
        AssetKey(["publish", "system_comparison"]),
        AssetKey(["publish", "report"]),
        AssetKey(["analyst", "database"]),
    } <= requested
    # what does not read ESR data stays put; raw data is never started by automation
    assert AssetKey(["staging", "stg_incidents__incidents"]) not in requested
    assert not {k for k in requested if k.path[0] in ("raw", "landing")}


def _asset_backfill(instance, defs, backfill_id: str, keys: list[AssetKey], partitions: list[str]):
    """Registers a backfill as the UI would; nothing runs it here, so it stays in progress."""
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=backfill_id,
        asset_graph=defs.resolve_asset_graph(),
        partition_names=partitions,
        asset_selection=keys,
        backfill_timestamp=time.time(),
        tags={},
        dynamic_partitions_store=instance,
        all_partitions=False,
        title=None,
        description=None,
        run_config=None,
    )
    instance.add_backfill(backfill)
    return backfill


def test_a_backfill_from_the_ui_is_refreshed_once_after_its_last_partition(tmp_path, dbt_manifest):
    """A UI backfill runs a partition at a time; the refresh waits for all of it.

    Dagster's own ``eager`` waits only for an asset's own inputs: ESR's staging model
    would be rebuilt while survey partitions were still loading, then again later."""
    defs = build_definitions(CONFIG, DataPaths(tmp_path))
    instance = DagsterInstance.ephemeral()
    partitions = ["R1X|2022-23", "R1X|2023-24", "R2Y|2022-23", "R2Y|2023-24"]
    raw = [AssetKey(["raw", e]) for e in EXTRACTS]
    first = evaluate_automation_conditions(defs=defs, instance=instance)
    assert first.total_requested == 0  # nothing ingested yet: nothing to build

    _asset_backfill(instance, defs, "history", raw, partitions)
    for partition in partitions[:3]:  # three partitions done, the last still to run
        for key in raw:
            instance.report_runless_asset_event(AssetMaterialization(key, partition=partition))
    waiting = evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    assert waiting.total_requested == 0

    # a separate ingest of one survey partition is still in progress: ESR's models wait too
    for key in raw:
        instance.report_runless_asset_event(AssetMaterialization(key, partition=partitions[3]))
    instance.update_backfill(
        instance.get_backfill("history").with_status(BulkActionStatus.COMPLETED_SUCCESS)
    )
    _asset_backfill(
        instance, defs, "resubmission", [raw[EXTRACTS.index("staff_survey")]], partitions[:1]
    )
    still = evaluate_automation_conditions(defs=defs, instance=instance, cursor=waiting.cursor)
    assert still.total_requested == 0

    instance.update_backfill(
        instance.get_backfill("resubmission").with_status(BulkActionStatus.COMPLETED_SUCCESS)
    )
    settled = evaluate_automation_conditions(defs=defs, instance=instance, cursor=still.cursor)
    requested = {r.key for r in settled.results if r.true_subset.size}
    # one evaluation asks for the whole warehouse, the seeds a new deployment lacks,
    # the published layer and the analysts' database: one run
    everything = {
        k for k in defs.resolve_asset_graph().get_all_asset_keys()
        if k.path[0] not in ("raw", "landing")
    }  # fmt: skip
    assert requested == everything
    assert any(k.path[0] == "reference" for k in requested)
    again = evaluate_automation_conditions(defs=defs, instance=instance, cursor=settled.cursor)
    assert again.total_requested == 0  # requested once, not at every tick


# -- freshness -------------------------------------------------------------------------------


def test_freshness_names_the_late_trusts_after_the_due_date(tmp_path):
    paths = DataPaths(tmp_path)
    for extract in EXTRACTS:
        _drop(paths, "2023-24", "R1X", f"{extract}.csv")
    _drop(paths, "2023-24", "R2Y", "esr_staff.csv")

    assert due_date(CONFIG, "2023-24") == date(2024, 6, 30)
    assert year_to_check(CONFIG, date(2024, 6, 30)) == "2022-23"  # 2023-24 not due yet
    assert year_to_check(CONFIG, date(2024, 7, 1)) == "2023-24"
    late = overdue_extracts(CONFIG, paths, date(2024, 7, 1))
    assert {(o.org_code, o.extract) for o in late} == {
        ("R2Y", "recruitment"),
        ("R2Y", "staff_survey"),
        ("R2Y", "incidents"),
    }
    assert year_to_check(CONFIG, date(2023, 1, 1)) is None


def test_freshness_checks_warn_in_dagster(tmp_path, dbt_manifest):
    paths = DataPaths(tmp_path)
    for extract in EXTRACTS:
        _drop(paths, "2023-24", "R1X", f"{extract}.csv")
    checks = freshness_checks(CONFIG, paths, today=lambda: date(2024, 8, 1))
    defs = build_definitions(CONFIG, paths)
    job = defs.resolve_job_def(FRESHNESS_JOB)
    # the job built from the real definitions runs the checks for today's date ...
    assert {key.name for key in job.asset_layer.asset_graph.asset_check_keys} == {"arrived_on_time"}
    # ... and the same checks, pinned to 1 August 2024, find R2Y late with every extract
    result = (
        Definitions(
            assets=[spec for spec in defs.assets if getattr(spec, "group_name", None) == "landing"],
            asset_checks=checks,
        )
        .resolve_implicit_global_asset_job_def()
        .execute_in_process(instance=DagsterInstance.ephemeral())
    )
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 4
    for evaluation in evaluations:
        assert not evaluation.passed
        assert evaluation.metadata["overdue_trusts"].value == "R2Y"


# -- the analysts' database ------------------------------------------------------------------


def test_the_analyst_database_is_replaced_under_an_open_session(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    target = tmp_path / "analyst.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create schema publish; create schema staging")
        con.execute("create table marts.m as select 1 as x")
        con.execute("create table publish.p as select 'a' as y")
        con.execute("create table staging.s as select 1 as z")  # not for analysts
    assert refresh_analyst_database(warehouse, target) == {"marts.m": 1, "publish.p": 1}

    analyst = duckdb.connect(str(target))  # read-write, as the DuckDB CLI opens it
    with duckdb.connect(str(warehouse)) as con:  # the pipeline can write meanwhile
        con.execute("insert into marts.m values (2)")
    refresh_analyst_database(warehouse, target)
    assert analyst.execute("select count(*) from marts.m").fetchone()[0] == 1  # its snapshot
    analyst.close()
    with duckdb.connect(str(target), read_only=True) as fresh:
        assert fresh.execute("select count(*) from marts.m").fetchone()[0] == 2
        schemas = {
            r[0] for r in fresh.execute("select schema_name from duckdb_tables()").fetchall()
        }
    assert schemas == {"marts", "publish"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyst.duckdb", "warehouse.duckdb"]


@pytest.mark.parametrize("bad", ["5-31x", "13-01", "31-05"])
def test_a_bad_due_date_is_a_configuration_error(bad):
    from edi_platform.config import ConfigError

    with pytest.raises(ConfigError, match="extracts_due"):
        parse_config({**_raw(), "freshness": {"extracts_due": bad}})


def _raw() -> dict:
    return {
        "icb_code": "QAB",
        "reporting_years": ["2023-24"],
        "trusts": [{"org_code": "R1X", "type": "acute"}],
    }
