"""The Dagster UI listens on this machine only unless someone decides otherwise.

Dagster's open-source UI has no login: whoever can reach its port can read run
logs and start runs. `edi dev` and `make dev` must therefore bind 127.0.0.1 by
default (docs/operations.md, "Sharing the UI"). No server is started here: the
command `edi dev` would hand to the operating system is captured instead.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import assets.dbt
from edi_platform import cli
from edi_platform.paths import REPO_ROOT


@pytest.fixture
def exec_command(data_root, monkeypatch) -> list[list[str]]:
    """The commands `edi dev` would replace itself with (os.execv), none run."""
    commands: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, args: commands.append(list(args)))
    monkeypatch.setattr(os, "chdir", lambda path: None)
    monkeypatch.setattr(assets.dbt, "ensure_manifest", lambda project: Path("manifest.json"))
    return commands


def _host(command: list[str]) -> str:
    return command[command.index("--host") + 1]


def test_edi_dev_binds_the_loopback_address_by_default(exec_command, data_root):
    assert cli.main(["--data-dir", str(data_root), "dev"]) == 0
    [command] = exec_command
    assert Path(command[0]).name == "dagster" and command[1] == "dev"
    assert _host(command) == "127.0.0.1"


def test_another_address_is_used_only_when_asked_for(exec_command, data_root):
    cli.main(["--data-dir", str(data_root), "dev", "--host", "10.1.2.3", "--port", "3100"])
    [command] = exec_command
    assert _host(command) == "10.1.2.3"
    assert command[command.index("--port") + 1] == "3100"


def test_make_dev_passes_the_loopback_address_unless_host_is_set():
    environment = {k: v for k, v in os.environ.items() if k != "HOST"}

    def dev_line(*overrides: str) -> str:
        shown = subprocess.run(
            ["make", "-n", "dev", *overrides],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return next(line for line in shown.splitlines() if " dev --host " in line)

    assert "edi dev --host 127.0.0.1 " in dev_line()
    assert "edi dev --host 0.0.0.0 " in dev_line("HOST=0.0.0.0")
