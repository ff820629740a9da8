"""Runs that `edi` started and never finished, because its process was killed.

A run executed inside the `edi` process records its own end. If that process
is killed (a power cut, kill -9, the out-of-memory killer), the run stays
"started" in the Dagster UI for ever and keeps any concurrency slot it held:
the one slot of the ``warehouse`` pool, so every later warehouse build would
wait for it. Each run `edi` starts carries the process id in a tag; the next
`edi run` marks the runs whose process has gone as failed and frees their slots.
"""

from __future__ import annotations

import os

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from edi_platform.temporary_files import process_running

LAUNCHED_BY = "edi/launched_by"
PROCESS = "edi/pid"
_UNFINISHED = [DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]


def edi_run_tags() -> dict[str, str]:
    """Tags for a run executed in this process."""
    return {LAUNCHED_BY: "edi run", PROCESS: str(os.getpid())}


def close_interrupted_runs(instance: DagsterInstance) -> list[str]:
    """Mark failed the unfinished runs whose `edi` process is gone; their run ids."""
    closed = []
    for run in instance.get_runs(filters=RunsFilter(statuses=_UNFINISHED)):
        pid = run.tags.get(PROCESS)
        if pid is None or not pid.isdigit() or process_running(int(pid)):
            continue
        instance.report_run_failed(
            run,
            message=f"Interrupted: the edi process that ran it (pid {pid}) ended without "
            "finishing it. A later run marked it failed.",
        )
        # The run never reached the code that hands its slots back.
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        closed.append(run.run_id)
    return closed
