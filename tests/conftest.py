"""Shared test set-up: every test runs on its own data folder and Dagster instance."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests use the published demo pseudonymisation key, never a real one.
os.environ["EDI_MODE"] = "test"
os.environ.pop("EDI_PSEUDONYMISATION_KEY", None)
# Tests build DuckDB unless they choose PostgreSQL themselves (test_postgres_equivalence.py),
# whatever warehouse the developer's shell points at.
os.environ.pop("EDI_WAREHOUSE", None)


@pytest.fixture
def data_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty EDI_DATA_DIR (and DAGSTER_HOME inside it) for one test."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("EDI_DATA_DIR", str(root))
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    return root


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The dbt manifest, parsed once per session (as `make` does), not at every code load."""
    from assets.dbt import dbt_project, ensure_manifest

    return ensure_manifest(dbt_project())


# The shared command-line run (tests/ics_run.py), made visible to every module.
from ics_run import cli_run  # noqa: E402, F401


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test` runs the suite on two processes (pytest-xdist, ``--dist loadgroup``).

    Each module stays on one process, because its module fixtures build a warehouse
    that would otherwise be built twice; the tests that read the shared command-line
    run (``cli_run``) go together, so that run is made once.
    """
    for item in items:
        group = "cli_run" if "cli_run" in item.fixturenames else item.module.__name__
        item.add_marker(pytest.mark.xdist_group(group))
