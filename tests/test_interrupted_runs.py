"""A run whose `edi` process was killed is closed by the next run, and frees its slot."""

from __future__ import annotations

import os
import subprocess
import sys

from dagster import DagsterInstance, DagsterRun, DagsterRunStatus
from dagster._core.utils import make_new_run_id

from assets.interrupted import PROCESS, close_interrupted_runs, edi_run_tags


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _started_run(instance: DagsterInstance, pid: int | None) -> DagsterRun:
    tags = {**edi_run_tags(), PROCESS: str(pid)} if pid else {}
    run = DagsterRun(
        job_name="build_warehouse",
        run_id=make_new_run_id(),
        status=DagsterRunStatus.STARTED,
        tags=tags,
    )
    return instance.add_run(run)


def test_a_killed_run_is_marked_failed_and_its_warehouse_slot_freed(tmp_path):
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots("warehouse", 1)
        killed = _started_run(instance, _dead_pid())
        live = _started_run(instance, os.getpid())  # still running: left alone
        launched_elsewhere = _started_run(instance, None)  # the UI's runs have no pid tag
        assert storage.claim_concurrency_slot("warehouse", killed.run_id, "warehouse").is_claimed
        blocked = storage.claim_concurrency_slot("warehouse", "next-run", "warehouse")
        assert not blocked.is_claimed  # the build after the kill would wait for ever

        assert close_interrupted_runs(instance) == [killed.run_id]

        assert instance.get_run_by_id(killed.run_id).status == DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(live.run_id).status == DagsterRunStatus.STARTED
        assert instance.get_run_by_id(launched_elsewhere.run_id).status == DagsterRunStatus.STARTED
        assert storage.claim_concurrency_slot("warehouse", "next-run", "warehouse").is_claimed
        assert close_interrupted_runs(instance) == []  # once only
