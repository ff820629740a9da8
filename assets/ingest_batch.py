"""Ingest a batch of partitions, side by side in worker processes (``edi run`` / ``edi backfill``).

Each partition is one run of the ``ingest`` job, recorded in the Dagster
instance, so the UI shows it as if it had launched it. Workers are fresh
Python processes (spawned, not forked: polars' and DuckDB's thread pools do
not survive a fork) that load only the ingest assets, once per worker. Ingest
writes only Parquet, never the warehouse, so workers cannot meet a DuckDB
lock. This module stays light on purpose: a worker imports it, not dbt.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from dagster import DagsterInstance, Definitions, ExecuteInProcessResult

from assets.ingest import STAGE_SECONDS, ingest_assets, raw_key
from assets.interrupted import edi_run_tags
from assets.jobs import INGEST_JOB, ingest_job
from assets.landing import landing_specs
from assets.partitions import partition_key, trust_year_partitions
from edi_platform.config import IcsConfig
from edi_platform.paths import EXTRACTS, DataPaths
from edi_platform.stopwatch import Stopwatch

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
Partition = tuple[str, str, tuple[str, ...]]  # org code, year, extracts that arrived


@dataclass(frozen=True)
class IngestReport:
    """What one partition's ingest run did, in words for the terminal."""

    org_code: str
    year: str
    success: bool
    summary: str
    failures: tuple[str, ...]
    seconds: dict[str, float]  # ingest's stages, added up over the partition's extracts


_WORKER: dict = {}


def _start_worker(config: IcsConfig, paths: DataPaths, dagster_home: str) -> None:
    os.environ["DAGSTER_HOME"] = dagster_home
    partitions_def = trust_year_partitions(config)
    definitions = Definitions(
        assets=[*landing_specs(partitions_def), *ingest_assets(config, paths, partitions_def)],
        jobs=[ingest_job()],
    )
    _WORKER["instance"] = DagsterInstance.get()
    _WORKER["job"] = definitions.resolve_job_def(INGEST_JOB)


def _ingest_one(org_code: str, year: str, extracts: tuple[str, ...]) -> IngestReport:
    result = _WORKER["job"].execute_in_process(
        partition_key=partition_key(org_code, year),
        asset_selection=[raw_key(e) for e in extracts],
        instance=_WORKER["instance"],
        run_config=QUIET_LOGS,
        tags=edi_run_tags(),
        raise_on_error=False,
    )
    missing = [e for e in EXTRACTS if e not in extracts]
    return IngestReport(
        org_code,
        year,
        result.success,
        describe_ingest(result, missing),
        tuple(failure_messages(result)),
        stage_seconds(result),
    )


def ingest_batch(
    config: IcsConfig, paths: DataPaths, batch: list[Partition], workers: int
) -> Iterator[IngestReport]:
    """Each partition's report as it finishes (in batch order when ``workers`` is 1)."""
    home = os.environ["DAGSTER_HOME"]
    if workers == 1:
        _start_worker(config, paths, home)
        for partition in batch:
            yield _ingest_one(*partition)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(config, paths, home),
    ) as pool:
        futures = [pool.submit(_ingest_one, *p) for p in largest_first(paths, batch)]
        for future in as_completed(futures):
            yield future.result()


def largest_first(paths: DataPaths, batch: list[Partition]) -> list[Partition]:
    """The partitions by the size of their landing files, largest first: the runs that end
    the batch are then small ones, and no worker sits idle while another finishes a big
    trust (longest job first)."""

    def size(partition: Partition) -> int:
        folder = paths.landing_dir(partition[1], partition[0])
        files = folder.iterdir() if folder.is_dir() else ()
        return sum(f.stat().st_size for f in files if f.is_file())

    return sorted(batch, key=size, reverse=True)


def describe_ingest(result: ExecuteInProcessResult, missing: list[str]) -> str:
    parts = []
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        loaded = metadata["dagster/row_count"].value
        rejected = metadata["rows_rejected"].value
        note = f", {rejected:,} rejected" if rejected else ""
        parts.append(f"{event.asset_key.path[-1]} {loaded:,} rows{note}")
    parts += [f"{extract} not received" for extract in missing]
    return "; ".join(parts) or "nothing loaded"


def stage_seconds(result: ExecuteInProcessResult) -> dict[str, float]:
    watch = Stopwatch()
    for event in result.get_asset_materialization_events():
        stages = event.materialization.metadata.get(STAGE_SECONDS)
        if stages is not None:
            watch.add(stages.value)
    return watch.seconds


def failure_messages(result: ExecuteInProcessResult) -> list[str]:
    messages = []
    for event in result.all_events:
        if not event.is_step_failure:
            continue
        data = event.step_failure_data
        description = data.user_failure_data.description if data.user_failure_data else None
        messages.append(f"{event.step_key}: {description or data.error.message.strip()}")
    return messages
