"""The instance's event log (assets/event_log_storage.py) stores and reads runs' events
as Dagster's own one-file SQLite storage does, with one engine per storage object."""

from __future__ import annotations

import multiprocessing
import shutil
from collections import Counter
from pathlib import Path

import dagster as dg

from assets import event_log_storage
from assets.event_log_storage import EdiSqliteEventLogStorage

DAGSTER_YAML = Path(__file__).resolve().parents[1] / "assets" / "dagster.yaml"


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows": 3})


def test_the_shipped_instance_stores_events_through_one_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    shutil.copyfile(DAGSTER_YAML, tmp_path / "dagster.yaml")
    engines, make_engine = [], event_log_storage.create_engine

    def counted_engine(*args, **kwargs):
        engines.append(make_engine(*args, **kwargs))
        return engines[-1]

    monkeypatch.setattr(event_log_storage, "create_engine", counted_engine)
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, EdiSqliteEventLogStorage)
        first = dg.materialize([counted], instance=instance)
        second = dg.materialize([counted], instance=instance)
        assert first.success and second.success
        latest = instance.get_latest_materialization_event(dg.AssetKey("counted"))
        # Two runs' events written and read back through the one engine made first.
        assert engines == [storage._engine]
        assert latest.run_id == second.run_id
        assert latest.asset_materialization.metadata["rows"].value == 3
        for run in (first, second):
            # Every event the run produced was stored (with those made when the run was
            # created, such as the planned materialization).
            stored = Counter(e.dagster_event_type for e in instance.all_logs(run.run_id))
            produced = Counter(e.event_type for e in run.all_events)
            assert produced[dg.DagsterEventType.ASSET_MATERIALIZATION] == 1
            assert stored & produced == produced
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
