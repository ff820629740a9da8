"""The instance's event log (assets/event_log_storage.py) stores and reads runs' events
as Dagster's own one-file SQLite storage does, with one engine per storage object."""

from __future__ import annotations

import multiprocessing
import shutil
from collections import Counter
from pathlib import Path

import dagster as dg
import pytest

from assets import event_log_storage
from assets.event_log_storage import EdiSqliteEventLogStorage

DAGSTER_YAML = Path(__file__).resolve().parents[1] / "assets" / "dagster.yaml"


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


@pytest.fixture
def engines(monkeypatch) -> list:
    """Every engine the module's storages make, in order."""
    made, make_engine = [], event_log_storage.create_engine

    def counted_engine(*args, **kwargs):
        made.append(make_engine(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(event_log_storage, "create_engine", counted_engine)
    return made


def test_the_shipped_instance_stores_events_through_one_engine(tmp_path, monkeypatch, engines):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    shutil.copyfile(DAGSTER_YAML, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, EdiSqliteEventLogStorage)
        first = dg.materialize([counted], instance=instance)
        second = dg.materialize([counted], instance=instance)
        assert first.success and second.success
        latest = instance.get_latest_materialization_event(dg.AssetKey("counted"))
        # Two runs' events written and read back through the one engine made first; the
        # other engine is the run storage's (also made once, the test below).
        assert storage._engine in engines and len(engines) == 2
        assert latest.run_id == second.run_id
        assert latest.asset_materialization.metadata["rows"].value == 3
        for run in (first, second):
            # Every event the run produced was stored (with those made when the run was
            # created, such as the planned materialization).
            stored = Counter(e.dagster_event_type for e in instance.all_logs(run.run_id))
            produced = Counter(e.event_type for e in run.all_events)
            assert produced[dg.DagsterEventType.ASSET_MATERIALIZATION] == 1
            assert stored & produced == produced
        with storage._engine.connect() as conn:
            # WAL, synced at checkpoints rather than at every event's commit
            assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1  # normal
    assert (tmp_path / "event_log.db").exists()  # one file for every run, as configured


def _materialize_in_a_new_process(home: str, runs: int) -> list[str]:
    import os

    os.environ["DAGSTER_HOME"] = home
    with dg.DagsterInstance.get() as instance:
        return [dg.materialize([counted], instance=instance).run_id for _ in range(runs)]


def test_processes_writing_side_by_side_lose_no_event(tmp_path, monkeypatch):
    """As ingest's two workers do: each process keeps its connections open between
    events, and SQLite's locking orders their writes."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    shutil.copyfile(DAGSTER_YAML, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.get():
        pass  # the database is created once, before the workers race to it
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        batches = pool.starmap(_materialize_in_a_new_process, [(str(tmp_path), 4)] * 2)
    run_ids = [run_id for batch in batches for run_id in batch]
    with dg.DagsterInstance.get() as instance:
        for run_id in run_ids:
            assert instance.get_run_by_id(run_id).is_success
            types = [e.dagster_event_type for e in instance.all_logs(run_id)]
            assert types.count(dg.DagsterEventType.ASSET_MATERIALIZATION) == 1
            assert dg.DagsterEventType.RUN_SUCCESS in types
        stored = instance.fetch_materializations(dg.AssetKey("counted"), limit=100).records
        assert sorted(r.run_id for r in stored) == sorted(run_ids)


def test_schema_checks_remember_a_yes_and_ask_again_after_a_no(tmp_path, monkeypatch):
    """Dagster asks before most asset and check events whether a table or column
    exists; tables and columns are only ever added, so only a yes is remembered."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    shutil.copyfile(DAGSTER_YAML, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        asked = Counter()
        dialect_has_table = storage._engine.dialect.has_table

        def counted_has_table(conn, name, *args, **kwargs):
            asked[name] += 1
            return dialect_has_table(conn, name, *args, **kwargs)

        monkeypatch.setattr(storage._engine.dialect, "has_table", counted_has_table)
        assert storage.has_table("asset_check_executions")
        assert storage.has_table("asset_check_executions")
        assert storage.supports_asset_checks
        assert asked["asset_check_executions"] == 1
        assert not storage.has_table("no_such_table")
        assert not storage.has_table("no_such_table")
        assert asked["no_such_table"] == 2
        # The asset key table's index column, checked before storing each asset event.
        assert storage.has_asset_key_index_cols() and storage.has_asset_key_index_cols()
        assert ("asset_keys", "last_materialization_timestamp") in storage._schema_seen
        assert not storage.has_asset_key_col("no_such_column")
        # Events still stored and read as before with the answers remembered.
        assert dg.materialize([counted], instance=instance).success
        assert instance.get_latest_materialization_event(dg.AssetKey("counted")) is not None


def test_runs_are_stored_in_dagster_s_default_place_through_one_engine(
    tmp_path, monkeypatch, engines
):
    """The run storage keeps Dagster's file (history/runs.db), so an instance made
    before keeps its runs, and makes its engine once, not once per connection."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    shutil.copyfile(DAGSTER_YAML, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.get() as instance:
        runs = instance.run_storage
        assert isinstance(runs, event_log_storage.EdiSqliteRunStorage)
        result = dg.materialize([counted], instance=instance)
        again = dg.materialize([counted], instance=instance)
        assert instance.get_run_by_id(result.run_id).is_success
        assert instance.get_run_by_id(again.run_id).is_success
        # one engine for the run storage and one for the event log, none per connection
        assert len(engines) == 2
        assert {id(e) for e in engines} == {
            id(runs._engine),
            id(instance.event_log_storage._engine),
        }
        with runs._engine.connect() as conn:
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1  # normal
    assert (tmp_path / "history" / "runs.db").exists()
