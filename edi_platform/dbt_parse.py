"""Prepare the dbt manifest (``dbt parse``), which the orchestration layer reads."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from edi_platform.paths import data_dir


class DbtParseError(RuntimeError):
    pass


def parse_dbt_project(
    dbt: str, project_dir: Path, target: str = "duckdb", target_path: Path | None = None
) -> None:
    """Write the manifest for ``target`` into ``target_path`` (dbt's default: target/)."""
    env = {**os.environ, "EDI_DATA_DIR": os.environ.get("EDI_DATA_DIR") or str(data_dir())}
    completed = subprocess.run(
        [
            dbt,
            "parse",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target",
            target,
            *(["--target-path", str(target_path)] if target_path else []),
            "--quiet",
        ],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise DbtParseError(
            f"dbt parse failed in {project_dir}:\n{completed.stdout}\n{completed.stderr}"
        )
