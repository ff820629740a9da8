"""Keyed pseudonyms for identifiers (docs/raw-zone.md, "Pseudonyms").

``pseudonym = hex(HMAC-SHA256(key, normalised identifier))``. The hash runs in
DuckDB so a file's identifier columns are pseudonymised in one vectorised query
(one query per file, not per column: each costs a DuckDB connection, which was a
third of pseudonymising a small trust's file), on an in-memory database opened once
per process (opening one took 30 ms, a tenth of a small partition's ingest); the key
travels only as query parameters (the inner and outer HMAC pads), never in SQL text,
logs or outputs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

import duckdb
import polars as pl

from edi_platform.ingest.errors import MissingKeyError

KEY_VARIABLE = "EDI_PSEUDONYMISATION_KEY"
MODE_VARIABLE = "EDI_MODE"
DEMO_MODES = ("demo", "test")
MIN_KEY_LENGTH = 16
# Published on purpose: pseudonyms made with it protect nothing, so it is only
# for synthetic sample data, and every output made with it says so.
DEMO_KEY = b"edi-platform-published-demo-key-synthetic-data-only"

_BLOCK = 64  # SHA-256 block size in bytes
_DATABASES: dict[int, duckdb.DuckDBPyConnection] = {}  # process id -> in-memory DuckDB


def resolve_key(environ: Mapping[str, str] = os.environ) -> tuple[bytes, bool]:
    """The pseudonymisation key and whether it is the published demo key."""
    configured = environ.get(KEY_VARIABLE)
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise MissingKeyError(
                f"{KEY_VARIABLE} is shorter than {MIN_KEY_LENGTH} characters: "
                "set it to a long random secret"
            )
        return configured.encode("utf-8"), False
    if environ.get(MODE_VARIABLE, "").strip().lower() in DEMO_MODES:
        return DEMO_KEY, True
    raise MissingKeyError(
        f"no pseudonymisation key: set {KEY_VARIABLE} to a secret of at least "
        f"{MIN_KEY_LENGTH} characters (or {MODE_VARIABLE}=demo to process synthetic sample data "
        "with the published demo key)"
    )


def normalise_identifier(text: pl.Expr) -> pl.Expr:
    """Trimmed and upper-cased; all-digit identifiers lose leading zeros (Excel drops
    them, ESR keeps them, and both must link). Blank becomes null."""
    upper = text.str.strip_chars().str.to_uppercase()
    unpadded = upper.str.strip_chars_start("0")
    return (
        pl.when(upper == "")
        .then(None)
        .when(upper.str.contains(r"^[0-9]+$"))
        .then(pl.when(unpadded == "").then(pl.lit("0")).otherwise(unpadded))
        .otherwise(upper)
    )


def _pads(key: bytes) -> tuple[bytes, bytes]:
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def pseudonymise_values(values: pl.Series, key: bytes) -> pl.Series:
    """64-hex-character pseudonyms of identifiers (null stays null), same name and order."""
    return pseudonymise_columns(values.to_frame(), [values.name], key)[values.name]


def pseudonymise_columns(frame: pl.DataFrame, columns: list[str], key: bytes) -> pl.DataFrame:
    """``frame`` with each of ``columns`` replaced by its pseudonyms, in one query."""
    if not columns:
        return frame
    normalised = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("position"),
        *(
            normalise_identifier(pl.col(name).cast(pl.String)).alias(f"value_{i}")
            for i, name in enumerate(columns)
        ),
    )
    hashes = ", ".join(
        f"sha256($outer || unhex(sha256($inner || encode(value_{i})))) AS pseudonym_{i}"
        for i in range(len(columns))
    )
    inner, outer = _pads(key)
    # A cursor per call: its own connection to the process's database, so the registered
    # frame is seen by this query only, and is dropped when the cursor closes.
    with _database().cursor() as con:
        con.register("identifiers", normalised.to_arrow())
        hashed = con.sql(
            f"SELECT {hashes} FROM identifiers ORDER BY position",
            params={"inner": inner, "outer": outer},
        ).to_arrow_table()
    pseudonyms = pl.from_arrow(hashed)
    return frame.with_columns(
        pseudonyms[f"pseudonym_{i}"].cast(pl.String).alias(name) for i, name in enumerate(columns)
    )


def _database() -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB; a forked child opens its own, never its parent's."""
    pid = os.getpid()
    if pid not in _DATABASES:
        _DATABASES[pid] = duckdb.connect()
    return _DATABASES[pid]
