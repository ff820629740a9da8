"""Helpers for the test modules that generate an ICS, ingest it and run dbt on it."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assets.dbt import dbt_executable
from edi_platform.config import IcsConfig
from edi_platform.generator import GenerationSummary, generate_ics
from edi_platform.ingest import ingest_partition, resolve_key
from edi_platform.paths import DBT_PROJECT_DIR, EXTRACTS, DataPaths


@dataclass
class DbtRun:
    returncode: int
    output: str
    run_results: dict
    manifest: dict


def run_dbt(
    args: list[str], data_dir: Path, work_dir: Path, *, icb_code: str | None = None
) -> DbtRun:
    """One dbt command on the warehouse under data_dir; its target and logs under work_dir."""
    target = work_dir / "dbt_target"
    env = {
        **os.environ,
        "EDI_DATA_DIR": str(data_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    command = [
        dbt_executable(), *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target),
        "--log-path", str(work_dir / "dbt_logs"),
        "--no-use-colors",
        *(["--vars", json.dumps({"icb_code": icb_code})] if icb_code else []),
    ]  # fmt: skip
    # Clear the previous command's results, so that a dbt that dies early is not
    # mistaken for one that ran.
    (target / "run_results.json").unlink(missing_ok=True)
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    output = done.stdout + done.stderr
    if not (target / "run_results.json").is_file():
        pytest.fail(f"dbt {args[0]} did not run (exit {done.returncode}):\n{output[-5000:]}")
    return DbtRun(
        done.returncode,
        output,
        json.loads((target / "run_results.json").read_text()),
        json.loads((target / "manifest.json").read_text()),
    )


def generate_and_ingest(
    config: IcsConfig,
    paths: DataPaths,
    *,
    seed: int,
    scale: float,
    extracts: Iterable[str] = EXTRACTS,
) -> GenerationSummary:
    """Generate the ICS into paths' landing zone and ingest each file of `extracts` into raw."""
    summary = generate_ics(config, paths.landing, seed=seed, scale=scale)
    key, _ = resolve_key()  # the published demo key: tests/conftest.py sets EDI_MODE=test
    wanted = set(extracts)
    for file in summary.files:
        if file.extract in wanted:
            ingest_partition(
                file.extract,
                file.org_code,
                file.reporting_year,
                source=file.path,
                paths=paths,
                key=key,
                settings=config.ingest,
            )
    return summary
