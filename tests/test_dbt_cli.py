"""The dbt resource's shortcuts (assets/dbt_cli.py) still tell dagster-dbt the truth."""

from __future__ import annotations

import re
import subprocess

from assets.dbt import dbt_executable, dbt_resource


def test_the_version_given_to_dagster_dbt_is_the_one_dbt_reports():
    reported = subprocess.run(
        [dbt_executable(), "--version"], check=True, capture_output=True, text=True
    ).stdout
    core = re.search(r"installed:\s*(\d+\.\d+\.\d+)", reported)
    assert core, reported
    assert str(dbt_resource()._cli_version) == core.group(1)


def test_no_adapter_is_loaded_in_the_dagster_process():
    assert dbt_resource()._initialize_dbt_core_adapter([]) is None
