"""dagster-dbt's dbt resource, without two costs it pays before every dbt command.

Before each invocation dagster-dbt 0.29 (1) runs ``dbt --version`` in a subprocess
to learn which dbt it is about to run, and (2) loads dbt's adapter and every macro
in the Dagster process, to have a database handle for row counts and column
metadata. Together about 9 s a build (docs/performance.md), in a build of 20-60 s.

(1) The dbt we run is the one installed beside this Python (assets/dbt.py
    ``dbt_executable``), so its version is the installed package's.
(2) The platform asks dagster-dbt for neither row counts nor column metadata, and
    dagster-dbt runs without the handle when it cannot make one (the path it takes
    for dbt Fusion), so none is made.

Both override private members of dagster-dbt, which is pinned (0.29.*) in
pyproject.toml; tests/test_dbt_cli.py checks the version against ``dbt --version``
so an upgrade that changes them fails there, not in production.
"""

from __future__ import annotations

import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging import version


class EdiDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent != Path(sys.executable).parent:
            return super()._cli_version  # another dbt: ask it
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ANN001, ANN202 - dagster-dbt's signature
        return None
