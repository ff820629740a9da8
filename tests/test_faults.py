"""Fault injection: `edi backfill` killed with SIGKILL in ingest, in the dbt build and in
publish, at random points; a plain re-run then finishes with the outputs of a clean run.

Every file the platform writes is written under a temporary name and renamed into
place, and DuckDB keeps its own write-ahead log, so a killed run leaves either the
old version or the new one of each output, never half of one; the next run removes
what the killed one left half-written. The clean run is the session's `cli_run`
(tests/ics_run.py): the same generated files, the same key and the same command but
for one ingest worker instead of two (test_pipeline.py shows the outputs are equal).

The kill points are random; the seed is printed, and EDI_FAULT_SEED replays one.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import outputs
import polars as pl
import pytest
import yaml
from ics_run import RAW_CONFIG, edi_args, prepare_landing

from edi_platform.paths import DataPaths

pytestmark = pytest.mark.slow

# Each stage: the line `edi` prints once it is under way, the line that says it has
# finished, and how long after the first the kill may land (inside the stage's length
# on a slow machine: the test checks that the second line had not been printed).
STAGES = {
    "ingest": ("[1/4]", "ingest: ", 0.5),  # partitions 2-4 are being written
    "dbt build": ("Building the warehouse with dbt", "warehouse: ", 25.0),
    "publish": ("warehouse: ", "published: ", 1.0),  # tables, board packs, analysts' copy
}
# One worker: the partitions are ingested in the `edi` process itself, which the kill hits.
COMMAND = ["backfill", "--years", "2022-23:2023-24", "--workers", "1"]
TEMPORARY = re.compile(r"(^\..+\.tmp$)|(\.tmp\.wal$)|(\.wal$)")


class EdiProcess:
    """`edi` in its own process group, its output read line by line as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("edi")), *args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,  # the kill takes its workers and dbt with it
        )  # fmt: skip
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, marker: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not any(marker in line for line in self.lines):
            assert self.process.poll() is None, f"ended before {marker!r}:\n{self.output}"
            assert time.monotonic() < deadline, f"no {marker!r} after {seconds} s:\n{self.output}"
            time.sleep(0.05)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._reader.join(timeout=10)

    def finish(self, seconds: float) -> int:
        code = self.process.wait(timeout=seconds)
        self._reader.join(timeout=10)
        return code

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


def _leftovers(paths: DataPaths) -> list[str]:
    """Temporary files anywhere the platform writes, and dbt's half-built relations."""
    found = [
        p.relative_to(paths.root).as_posix()
        for p in paths.root.rglob("*")
        if p.is_file() and TEMPORARY.search(p.name) and "dagster_home" not in p.parts
        and "landing" not in p.parts
    ]  # fmt: skip
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        found += [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables() union all "
                "select schema_name, view_name from duckdb_views() where not internal"
            ).fetchall()
            if "__dbt_tmp" in name or "__dbt_backup" in name
        ]
    return found


def _readable(paths: DataPaths) -> None:
    """What a killed run left is whole: every Parquet file it wrote opens and reads."""
    for zone in (paths.raw, paths.quarantine, paths.published):
        for file in zone.rglob("*.parquet"):
            pl.read_parquet(file)


def test_a_run_killed_at_random_points_recovers_on_a_plain_re_run(cli_run, tmp_path):
    """Kill in ingest, re-run; kill that re-run in its dbt build, re-run; kill that one in
    publish, re-run to the end. Each re-run is checked on the stage the kill before it
    interrupted: raw files after the ingest kill, the warehouse after the dbt kill,
    everything (and no temporary file anywhere) at the end."""
    seed = int(os.environ.get("EDI_FAULT_SEED", time.time_ns() % 1_000_000))
    print(f"EDI_FAULT_SEED={seed}")
    chance = random.Random(seed)
    data = tmp_path / "data"
    paths = DataPaths(data)
    config_file = tmp_path / "ics.yaml"
    config_file.write_text(yaml.safe_dump(RAW_CONFIG))
    env = {
        **os.environ,
        "EDI_DATA_DIR": str(data),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "EDI_PSEUDONYMISATION_KEY": cli_run.key,
        "PYTHONUNBUFFERED": "1",
    }
    prepare_landing(config_file, data)
    command = [*edi_args(config_file, data), *COMMAND]
    clean = cli_run.outputs

    for number, (stage, (started, finished, window)) in enumerate(STAGES.items()):
        run = EdiProcess(command, env)
        run.wait_for(started, 300)
        if number == 1:  # this run re-did the ingest the previous kill interrupted
            assert _files(outputs.snapshot(paths), "raw/", "quarantine/") == _files(
                clean, "raw/", "quarantine/"
            ), f"seed {seed}: raw zone after a kill in ingest"
        time.sleep(chance.uniform(0.05, window))
        run.kill()
        tries = 1
        # On a machine faster than this one a stage may end inside the window: the kill
        # then hit a later stage; kill a new run sooner, until one lands inside.
        while any(finished in line for line in run.lines):
            assert tries < 4, f"seed {seed}: {stage} always finished first:\n{run.output}"
            window, tries = window / 3, tries + 1
            run = EdiProcess(command, env)
            run.wait_for(started, 300)
            time.sleep(chance.uniform(0.01, window))
            run.kill()
        print(f"killed in {stage} ({tries} tries)")
        _readable(paths)
        if number == 2:  # this run re-built the warehouse the previous kill interrupted
            warehouse = {"files": {}, "tables": outputs.warehouse_tables(paths.warehouse)}
            expected = {"files": {}, "tables": dict(clean["tables"])}
            for tables in (warehouse["tables"], expected["tables"]):
                for name in [n for n in tables if n.startswith("publish.")]:
                    del tables[name]  # publish was under way: checked at the end
            assert outputs.differences(expected, warehouse) == [], f"seed {seed}: after dbt"

    final = EdiProcess(command, env)
    # the same result as the clean run: the broken file fails its partition alone
    assert final.finish(600) == cli_run.exit_code, final.output
    assert outputs.differences(clean, outputs.snapshot(paths)) == [], f"seed {seed}"
    assert _leftovers(paths) == [], f"seed {seed}"


def _files(snapshot: dict, *zones: str) -> dict:
    return {k: v for k, v in snapshot["files"].items() if k.startswith(zones)}
