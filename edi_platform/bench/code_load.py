"""How long a code location takes to load: `dagster definitions validate`, and the code server
the UI starts (ready when it answers with the repository, as the UI's first request does).

Both import ``assets.definitions`` in a fresh Python, exactly as Dagster does. The dbt
manifest is prepared once (`edi prepare-dbt`), never parsed at a load.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from edi_platform.bench.measure import measure

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULE = "assets.definitions"
READY_TIMEOUT_S = 120


def measure_code_load(workload: Path) -> dict:
    env = _env(workload)
    dagster = str(Path(sys.executable).with_name("dagster"))
    validate = measure([dagster, "definitions", "validate", "-m", MODULE], env=env)
    if validate.returncode:
        raise RuntimeError("dagster definitions validate failed")
    result = {
        "definitions_validate": validate.as_dict(),
        "code_server_ready_s": round(_code_server_ready(dagster, env), 2),
    }
    print(
        f"   definitions validate {validate.wall_s:.1f} s, code server ready "
        f"{result['code_server_ready_s']:.1f} s",
        flush=True,
    )
    return result


def _code_server_ready(dagster: str, env: dict[str, str]) -> float:
    from dagster._grpc.client import DagsterGrpcClient  # imported before the clock starts

    port = _free_port()
    client = DagsterGrpcClient(port=port, host="127.0.0.1")
    started = time.perf_counter()
    server = subprocess.Popen(
        [dagster, "api", "grpc", "-m", MODULE, "-h", "127.0.0.1", "-p", str(port)],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < READY_TIMEOUT_S:
            if server.poll() is not None:
                raise RuntimeError("the code server exited before it was ready")
            try:
                client.list_repositories()
                return time.perf_counter() - started
            except Exception:  # not listening yet
                time.sleep(0.05)
        raise RuntimeError(f"the code server was not ready within {READY_TIMEOUT_S} s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _env(workload: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        EDI_MODE="demo",
        EDI_ICS_CONFIG=str(workload / "ics.yaml"),
        EDI_DATA_DIR=str(workload / "data"),
        DAGSTER_HOME=str(workload / "data" / "dagster_home"),
    )
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
