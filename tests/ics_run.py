"""One command-line run shared by the end-to-end tests: `edi generate` then
`edi backfill` on a small ICS whose trust codes the sample never uses.

It is a session fixture (tests/conftest.py) because several modules read what
it wrote: the pipeline tests, the UI test and the personal-data scan.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import outputs
import pytest
import yaml
from dagster import DagsterInstance

from edi_platform.cli import main as edi
from edi_platform.paths import DataPaths

RAW_CONFIG = {
    "icb_code": "QAB",
    "icb_name": "Test ICB",
    "reporting_years": ["2022-23", "2023-24"],
    "trusts": [
        {"org_code": "R1X", "name": "First Test Trust", "type": "acute"},
        {"org_code": "R2Y", "name": "Second Test Trust", "type": "mental_health"},
    ],
}
SCALE = 0.03
# An operator's key (not the published demo key), so a scan can look for it.
RUN_KEY = "test-operator-key-6f1c2a9e4b7d8c3f0a5e"

# An analyst's DuckDB session in its own process, as it would be: it opens the file
# read-write (as the DuckDB command line does) and answers one query per line.
ANALYST = """
import sys, duckdb
path = sys.argv[1]
con = duckdb.connect(path)
print("open", flush=True)
for line in sys.stdin:
    if line.strip() == "reconnect":
        con.close()
        con = duckdb.connect(path)
        print("open", flush=True)
    else:
        print(con.execute(line).fetchone()[0], flush=True)
"""


class AnalystSession:
    def __init__(self, database: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-c", ANALYST, str(database)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout.readline().strip() == "open"

    def ask(self, line: str) -> str:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@dataclass
class CliRun:
    paths: DataPaths
    exit_code: int
    out: str
    err: str
    analyst: AnalystSession
    job_names: set[str]
    config_file: Path
    key: str
    """The pseudonymisation key of the run (not the demo key: the personal-data scan
    looks for it in everything written)."""
    timings: Path | None = None
    """Each stage's wall and CPU seconds (`--timings`)."""
    outputs: dict = field(default_factory=dict)
    """What the run wrote (tests/outputs.py), recorded before any test changes it."""


BACKFILL = ["backfill", "--years", "2022-23:2023-24", "--workers", "2"]


def edi_args(config_file: Path, data: Path) -> list[str]:
    return ["--config", str(config_file), "--data-dir", str(data)]


def prepare_landing(config_file: Path, data: Path) -> None:
    """The generated ICS (seeded: the same files every time), one broken file and one
    folder of a trust the ICS does not have."""
    paths = DataPaths(data)
    assert edi([*edi_args(config_file, data), "generate", "--scale", str(SCALE)]) == 0
    (paths.landing_dir("2023-24", "R2Y") / "recruitment.csv").write_bytes(b"\x00\x01bad\xff")
    (paths.landing / "2023-24" / "R9Q").mkdir()


@pytest.fixture(scope="session")
def cli_run(tmp_path_factory, dbt_manifest) -> Iterator[CliRun]:
    """`edi generate` then `edi backfill` of both years with two workers, on another ICS's
    configuration, with one broken file, one folder of a trust the ICS does not have,
    and an analyst's DuckDB session open on analyst.duckdb from start to finish.

    The environment is set only while the commands run: later tests pass what they
    need (data folder, Dagster home, key) explicitly. What the run wrote is recorded
    at once (``outputs``), before any test changes the data."""
    root = tmp_path_factory.mktemp("cli")
    data = root / "data"
    paths = DataPaths(data)
    config_file = root / "other-ics.yaml"
    timings = root / "timings.json"  # what `edi bench` reads (test_bench.py)
    config_file.write_text(yaml.safe_dump(RAW_CONFIG))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("EDI_DATA_DIR", str(data))
        env.setenv("DAGSTER_HOME", str(data / "dagster_home"))
        env.setenv("EDI_PSEUDONYMISATION_KEY", RUN_KEY)
        prepare_landing(config_file, data)
        analyst = AnalystSession(paths.analyst_database)  # open from before the run
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = edi([*edi_args(config_file, data), *BACKFILL, "--timings", str(timings)])
        with DagsterInstance.get() as instance:
            jobs = {r.job_name for r in instance.get_runs()}
    run = CliRun(paths, code, out.getvalue(), err.getvalue(), analyst, jobs, config_file, RUN_KEY)
    run.outputs = outputs.snapshot(paths)
    run.timings = timings
    try:
        yield run
    finally:
        analyst.close()
