"""A scanner for personal data that escaped ingest (issue 8, "Reliability and security").

The needles come from the landing files, the only place personal data may be:
every identifier (``employee_number``, ``assignment_number``, ``application_id``,
``incident_id``, ``victim_employee_number``: the columns extracts.py pseudonymises),
every date of birth and every free-text value (the columns extracts.py withholds),
and the pseudonymisation key. The haystack is everything else under the data
root: every file is read by what it is (its first bytes, not its name), so a
Parquet file's compressed pages, a DuckDB table and a row of Dagster's SQLite
event log are searched as the values they hold, not as bytes.

How values match, and why. Identifiers can be short numbers (an incident id is
six digits), so a plain substring search would "find" one inside any longer
number: a timestamp, a byte count, a pay figure. Every piece of text is split
into tokens (maximal runs of letters and digits; a decimal number with its
point is one token) and a one-token needle hits only a whole token: ``330020``
hits ``330020`` and ``id 330020,`` but not ``1717330020`` or the SVG coordinate
``240.330020``. A needle of several tokens (a date ``1985-11-14``, a sentence of
free text) hits where it appears with no letter or digit touching either end. A table cell is matched the same way, so a whole cell always matches and
so does an identifier quoted inside a longer message (a quality report's
"duplicate 00615223"). Matching ignores case. Identifiers are looked for as
written and as the platform normalises them before hashing (``00615223`` and
``615223``); dates of birth as written and in ISO and UK form, which is how a
parsed date would be printed. HTML and XML text is unescaped first, so
``&#39;`` does not hide an apostrophe.
"""

from __future__ import annotations

import contextlib
import html
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from edi_platform.ingest.errors import FileFault
from edi_platform.ingest.extracts import EXTRACT_SPECS, ColumnSpec
from edi_platform.ingest.headers import header_key
from edi_platform.ingest.pseudonymise import normalise_identifier
from edi_platform.ingest.read import cell, read_table
from edi_platform.ingest.values import parse_date

IDENTIFIER = "identifier"
DATE_OF_BIRTH = "date of birth"
FREE_TEXT = "free text"
KEY = "pseudonymisation key"

# A decimal number is one token (an SVG coordinate 240.320005 is not the incident
# 320005); otherwise letters and digits in any script, underscore a separator.
_TOKEN = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")
_WORD_CHAR = re.compile(r"[^\W_]")
_MARKUP_SUFFIXES = {".html", ".htm", ".xml", ".svg"}


def needle_kind(column: ColumnSpec) -> str | None:
    """What a landing column's values are, as the contract treats them (extracts.py)."""
    if column.kind.pseudonymised:
        return IDENTIFIER
    if column.kind.withheld:
        return DATE_OF_BIRTH if column.source == "date_of_birth" else FREE_TEXT
    return None


@dataclass(frozen=True)
class Hit:
    file: Path
    location: str
    kind: str
    masked: str
    """The needle with most of it hidden, so a failing test does not print personal data."""

    def __str__(self) -> str:
        return f"{self.file}: {self.location}: {self.kind} ({self.masked})"


class Needles:
    """Values that must not appear, each with its kind."""

    def __init__(self) -> None:
        self._words: dict[str, str] = {}  # one-token needles, casefolded -> kind
        # needles of several tokens, by their first token: {first: {needle: kind}}
        self._phrases: dict[str, dict[str, str]] = {}
        self._patterns: dict[str, re.Pattern] = {}

    def add(self, value: str, kind: str) -> None:
        needle = value.strip().casefold()
        tokens = _TOKEN.findall(needle)
        if not tokens:
            return  # punctuation only: nothing that could identify anyone
        if tokens == [needle]:
            self._words.setdefault(needle, kind)
        else:
            self._phrases.setdefault(tokens[0], {}).setdefault(needle, kind)

    def kinds(self) -> Counter:
        found = Counter(self._words.values())
        for phrases in self._phrases.values():
            found.update(phrases.values())
        return found

    def find(self, text: str) -> list[tuple[str, str]]:
        """(kind, masked needle) of every needle in ``text``, as described in the module doc."""
        folded = text.casefold()
        tokens = set(_TOKEN.findall(folded))
        found = [(self._words[t], _mask(t)) for t in tokens if t in self._words]
        for first in tokens & self._phrases.keys():
            for needle, kind in self._phrases[first].items():
                if needle in folded and self._pattern(needle).search(folded):
                    found.append((kind, _mask(needle)))
        return found

    def _pattern(self, needle: str) -> re.Pattern:
        if needle not in self._patterns:
            # No letter or digit may touch an end that is itself a letter or digit.
            before = r"(?<![^\W_])" if _WORD_CHAR.match(needle[0]) else ""
            after = r"(?![^\W_])" if _WORD_CHAR.match(needle[-1]) else ""
            self._patterns[needle] = re.compile(before + re.escape(needle) + after)
        return self._patterns[needle]


def _mask(needle: str) -> str:
    return needle[:2] + "…" if len(needle) > 4 else "…"


@dataclass
class LandingNeedles:
    needles: Needles
    files: list[Path] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    """Landing files the platform itself refuses to read (so nothing of theirs can be stored)."""
    first: dict[str, str] = field(default_factory=dict)
    """The first value of each kind, as written (a known identifier for a control scan)."""


def _identifier_forms(values: pl.Series) -> list[str]:
    normalised = pl.select(normalise_identifier(pl.lit(values))).to_series()
    return [*values.to_list(), *normalised.drop_nulls().to_list()]


def _date_forms(values: pl.Series) -> list[str]:
    parsed = pl.select(parse_date(pl.lit(values))).to_series().drop_nulls()
    dates: list[date] = parsed.to_list()
    return [*values.to_list(), *(d.isoformat() for d in dates), *(f"{d:%d/%m/%Y}" for d in dates)]


def needles_from_landing(landing: Path, key: str | None = None) -> LandingNeedles:
    """Every identifier, date of birth and free-text value of every landing file
    (read as ingest reads it), and the key."""
    found = LandingNeedles(Needles())
    for path in sorted(landing.glob("*/*/*")):
        spec = EXTRACT_SPECS.get(path.stem)
        if spec is None or path.suffix.lower() not in (".csv", ".xlsx"):
            continue
        try:
            table = read_table(path.read_bytes(), path.suffix.lower(), path.name)
        except FileFault:
            found.unreadable.append(path)
            continue
        found.files.append(path)
        positions = {header_key(name): i for i, name in enumerate(table.header)}
        for column in spec.columns:
            kind = needle_kind(column)
            position = positions.get(header_key(column.source))
            if kind is None or position is None:
                continue
            values = table.rows[cell(position)].str.strip_chars()
            values = values.filter(values != "")
            if len(values):
                found.first.setdefault(kind, values[0])
            forms = {
                IDENTIFIER: _identifier_forms,
                DATE_OF_BIRTH: _date_forms,
                FREE_TEXT: lambda v: v.to_list(),
            }[kind](values)
            for value in forms:
                found.needles.add(value, kind)
    if key:
        found.needles.add(key, KEY)
    return found


# --- reading each kind of file as (location, text) pieces --------------------------------


def file_kind(path: Path) -> str:
    """What a file is, from its first bytes (names lie: Dagster's event logs are .db)."""
    with path.open("rb") as stream:
        head = stream.read(16)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head[8:12] == b"DUCK":
        return "duckdb"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if path.suffix.lower() == ".xlsx" else "zip"
    return "text"


def _series_text(frame: pl.DataFrame) -> Iterator[tuple[str, str]]:
    for name in frame.columns:
        column = frame[name]
        if column.dtype != pl.String:
            try:
                column = column.cast(pl.String)
            except pl.exceptions.PolarsError:
                column = pl.Series(name, [None if v is None else str(v) for v in column])
        for row, value in enumerate(column):
            if value is not None:
                yield f"column {name} row {row + 1}", value


def read_parquet(path: Path) -> Iterator[tuple[str, str]]:
    yield from _series_text(pl.read_parquet(path))


@contextlib.contextmanager
def _copy(path: Path, journal: str) -> Iterator[Path]:
    """A private copy of a database and its journal (``journal``: the suffix of its
    write-ahead log). Opening the original would change the tree being scanned
    (SQLite makes -wal and -shm files beside a database even when reading), and
    the analysts' DuckDB file may be held open by a session, which makes DuckDB
    refuse even a read-only connection from another process."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        log = path.with_name(path.name + journal)
        if log.exists():
            shutil.copyfile(log, copy.with_name(copy.name + journal))
        yield copy


def read_duckdb(path: Path) -> Iterator[tuple[str, str]]:
    """Every table and view of every schema, every column."""
    with _copy(path, ".wal") as copy, duckdb.connect(str(copy), read_only=True) as connection:
        tables = connection.sql(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by all"
        ).fetchall()
        for schema, table in tables:
            relation = connection.sql(f'select * from "{schema}"."{table}"')
            for location, text in _series_text(relation.pl()):
                yield f"{schema}.{table} {location}", text


def read_sqlite(path: Path) -> Iterator[tuple[str, str]]:
    """Every column of every table (Dagster's runs, event logs and schedules)."""
    with _copy(path, "-wal") as copy:
        connection = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            tables = connection.execute(
                "select name from sqlite_master where type = 'table' order by name"
            ).fetchall()
            for (table,) in tables:
                cursor = connection.execute(f'select * from "{table}"')
                names = [d[0] for d in cursor.description]
                for row, values in enumerate(cursor, start=1):
                    for name, value in zip(names, values, strict=True):
                        if value is None:
                            continue
                        if isinstance(value, bytes):
                            value = value.decode("utf-8", "replace")
                        yield f"table {table} column {name} row {row}", str(value)
        finally:
            connection.close()


def read_zip(path: Path) -> Iterator[tuple[str, str]]:
    """Every member's text: for a workbook, the XML of its sheets and shared strings."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            text = archive.read(member).decode("utf-8", "replace")
            yield member, html.unescape(text)


def read_text(path: Path) -> Iterator[tuple[str, str]]:
    text = path.read_bytes().decode("utf-8", "replace")
    if path.suffix.lower() in _MARKUP_SUFFIXES:
        text = html.unescape(text)
    for number, line in enumerate(text.splitlines(), start=1):
        yield f"line {number}", line


READERS = {
    "parquet": read_parquet,
    "duckdb": read_duckdb,
    "sqlite": read_sqlite,
    "xlsx": read_zip,
    "zip": read_zip,
    "text": read_text,
}


# --- the scan -----------------------------------------------------------------------------


@dataclass
class Scan:
    hits: list[Hit] = field(default_factory=list)
    files: Counter = field(default_factory=Counter)
    """Files read, by kind (parquet, duckdb, sqlite, xlsx, zip, text)."""
    zones: Counter = field(default_factory=Counter)
    """Files read, by the first folder under the data root (raw, published, ...)."""


def scan_pieces(pieces: Iterable[tuple[str, str]], needles: Needles, file: Path) -> list[Hit]:
    return [
        Hit(file, location, kind, masked)
        for location, text in pieces
        for kind, masked in needles.find(text)
    ]


def scan_tree(
    root: Path, needles: Needles, key: str | None = None, skip: tuple[str, ...] = ("landing",)
) -> Scan:
    """Every file under ``root`` except the folders in ``skip``, read by kind."""
    result = Scan()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if relative.parts[0] in skip:
            continue
        kind = file_kind(path)
        result.files[kind] += 1
        result.zones[relative.parts[0] if len(relative.parts) > 1 else "(root)"] += 1
        hits = scan_pieces(READERS[kind](path), needles, relative)
        # The key as bytes anywhere in the file too, whatever the reader made of it.
        if key and key.encode() in path.read_bytes() and not any(h.kind == KEY for h in hits):
            hits.append(Hit(relative, "raw bytes", KEY, _mask(key)))
        result.hits += hits
    return result
