"""A throw-away PostgreSQL server for the tests: Debian's binaries, a temporary folder.

``initdb`` makes a cluster in a fresh temporary folder, ``pg_ctl`` starts it on a
free local port (its Unix socket in the same folder, so it never meets a system
server's) and stops it again on the way out, also when the test failed. The
cluster trusts local connections: it listens on 127.0.0.1 only and is deleted
afterwards, so no password is needed or written anywhere.

PostgreSQL refuses to run as root; under root (as in CI containers) every server
command runs as the ``postgres`` account Debian's package creates, and the folder
is handed to it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2

SUPERUSER = "edi"
# Durability is pointless for a cluster deleted after the test; these make it faster.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    folder: Path

    def environment(self, database: str) -> dict[str, str]:
        """The libpq variables that point dbt, the loader and psql at ``database``."""
        return {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGDATABASE": database,
        }

    def connect(self, database: str = "postgres"):
        return psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname=database)

    def create_database(self, name: str) -> None:
        connection = self.connect()
        connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'create database "{name}"')
        finally:
            connection.close()


def server_binaries() -> Path:
    """The folder holding initdb and pg_ctl (the newest Debian PostgreSQL installed)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise FileNotFoundError(
        "PostgreSQL server binaries not found: `make test` installs Debian's postgresql package"
    )


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a fresh cluster; stop it and delete its folder however the block ends."""
    binaries = server_binaries()
    folder = Path(tempfile.mkdtemp(prefix="edi-postgres-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data = folder / "cluster"
    port = _free_port()

    def run(*command: str) -> None:
        done = subprocess.run(
            [*as_owner, *command], cwd=folder, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            log = folder / "server.log"
            tail = log.read_text()[-3000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}{tail}")

    try:
        run(
            str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
            "--locale=C.UTF-8", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = " ".join(
            [f"-p {port}", f"-k {folder}", "-c listen_addresses=127.0.0.1"]
            + [f"-c {setting}" for setting in FAST_SETTINGS]
        )
        run(
            str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip
        yield PostgresServer("127.0.0.1", port, SUPERUSER, folder)
    finally:
        try:
            # A server that started (even one whose start timed out) has its pid file.
            # `immediate`: nothing in it is worth a clean shutdown, and it is quickest.
            if (data / "postmaster.pid").exists():
                run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    """A port no one listens on now (the kernel's pick); the server binds it a moment later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
