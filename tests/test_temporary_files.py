"""Temporary files of a killed writer are removed; a live writer's never are."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from edi_platform.temporary_files import make_temporary, remove_abandoned


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_files_of_writers_that_are_gone_are_removed(tmp_path: Path):
    dead = _dead_pid()
    published = tmp_path / "published" / "2023-24"
    published.mkdir(parents=True)
    abandoned = [
        published / f".report.html.{dead}.k2j4.tmp",
        tmp_path / ".tmp" / f".part-0.parquet.{dead}.a1b2.tmp",
        tmp_path / f".analyst.duckdb.{dead}.x9y8.tmp",
        tmp_path / f".analyst.duckdb.{dead}.x9y8.tmp.wal",
    ]
    live = make_temporary(published / "board_pack.xlsx")  # this process is writing it
    kept = [
        live,
        published / "report.html",
        # a trust's upload in progress, and Dagster's own files: never ours to remove
        tmp_path / "landing" / "2023-24" / "R1X" / f".esr_staff.csv.{dead}.u1.tmp",
        tmp_path / "dagster_home" / f".runs.db.{dead}.z.tmp",
    ]
    for path in [*abandoned, *kept]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")

    removed = remove_abandoned(tmp_path)

    assert sorted(removed) == sorted(abandoned)
    assert not any(p.exists() for p in abandoned)
    assert all(p.exists() for p in kept)
    assert f".{os.getpid()}." in live.name


def test_a_missing_data_folder_has_nothing_to_remove(tmp_path: Path):
    assert remove_abandoned(tmp_path / "not-there") == []
