"""Planted invalid rows: a few rows that break one row-level rule each.

They let tests check that ingest quarantines exactly these rows, and nothing
else. Only row-level faults are planted (never a wrong org code or a missing
column, which fail the whole file), and few enough to stay well under the
share of rejected rows that fails a partition: one row per
ROWS_PER_INVALID_ROW, at most one per planned kind, none in a small file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from edi_platform.generator.random_streams import RandomStreams
from edi_platform.years import ReportingYear

ROWS_PER_INVALID_ROW = 250
FIRST_DATA_ROW = 2  # the header is row 1, as ingest counts rows


@dataclass(frozen=True)
class PlantedInvalidRow:
    source_row: int  # as ingest counts it: header row 1, first data row 2
    column: str  # the contract's column name
    rule: str  # the rule the row breaks
    value: str  # the value as written


@dataclass(frozen=True)
class InvalidKind:
    column: str
    rule: str
    literal: str | None = None  # written as is, in place of the formatted value


# Rule ids as ingest reports them (edi_platform/ingest/rules.py).
KINDS = {
    "fte_zero": InvalidKind("fte", "out_of_range"),
    "unknown_pay_band": InvalidKind("pay_band", "unknown_code", literal="Band 10"),
    "invalid_date_of_birth": InvalidKind("date_of_birth", "unparseable_date", literal="31/02/1985"),
    "appointed_not_shortlisted": InvalidKind("appointed", "appointed_not_shortlisted"),
    "incident_outside_year": InvalidKind("incident_date", "outside_reporting_year"),
    "invalid_incident_date": InvalidKind(
        "incident_date", "unparseable_date", literal="31/09/{year}"
    ),
}


@dataclass(frozen=True)
class Planting:
    frame: pl.DataFrame  # the typed frame, with the typed faults applied
    rows: tuple[int, ...]  # zero-based row index of each planted fault
    kinds: tuple[str, ...]


def plant(
    frame: pl.DataFrame, kinds: tuple[str, ...], year: ReportingYear, streams: RandomStreams
) -> Planting:
    """Apply the typed faults; literal faults are written later by ``write_literals``."""
    kinds = kinds[: min(len(kinds), frame.height // ROWS_PER_INVALID_ROW)]
    taken: set[int] = set()
    rows, planted = [], []
    for i, name in enumerate(kinds):
        candidates = [r for r in _candidates(frame, name) if r not in taken]
        if not candidates:
            continue
        row = candidates[streams.sample_indices(f"{i}/{name}", len(candidates), 1)[0]]
        taken.add(row)
        rows.append(row)
        planted.append(name)
        frame = _apply_typed(frame, name, row, year, streams.child(str(i)))
    return Planting(frame=frame, rows=tuple(rows), kinds=tuple(planted))


def _candidates(frame: pl.DataFrame, kind: str) -> list[int]:
    indexed = frame.with_row_index("_row")
    if "primary_assignment" in frame.columns:
        # A person whose only assignment is quarantined just drops out; one who
        # lost a primary but kept a second assignment would look like a data error.
        single = indexed.group_by("employee_number").agg(pl.len().alias("_n"))
        indexed = indexed.join(single, on="employee_number", how="left").filter(
            (pl.col("_n") == 1) & ~pl.col("board_member")
        )
    if kind == "appointed_not_shortlisted":
        indexed = indexed.filter(~pl.col("shortlisted"))
    return indexed["_row"].sort().to_list()


def _apply_typed(
    frame: pl.DataFrame, kind: str, row: int, year: ReportingYear, streams: RandomStreams
) -> pl.DataFrame:
    at_row = pl.int_range(pl.len()) == row
    if kind == "fte_zero":
        return frame.with_columns(pl.when(at_row).then(0.0).otherwise(pl.col("fte")).alias("fte"))
    if kind == "appointed_not_shortlisted":
        return frame.with_columns(
            pl.when(at_row).then(True).otherwise(pl.col("appointed")).alias("appointed")
        )
    if kind == "incident_outside_year":
        days = int(streams.integers("days_outside", 1, 1, 20)[0])
        before = streams.uniform("before", 1)[0] < 0.5
        day = year.start - timedelta(days=days) if before else year.end + timedelta(days=days)
        return frame.with_columns(
            pl.when(at_row)
            .then(pl.lit(day))
            .otherwise(pl.col("incident_date"))
            .alias("incident_date")
        )
    return frame  # literal kinds are written after formatting


def write_literals(
    formatted: pl.DataFrame, planting: Planting, year: ReportingYear
) -> pl.DataFrame:
    for kind, row in zip(planting.kinds, planting.rows, strict=True):
        spec = KINDS[kind]
        if spec.literal is None:
            continue
        literal = spec.literal.format(year=year.end.year)
        formatted = formatted.with_columns(
            pl.when(pl.int_range(pl.len()) == row)
            .then(pl.lit(literal))
            .otherwise(pl.col(spec.column))
            .alias(spec.column)
        )
    return formatted


def records(formatted: pl.DataFrame, planting: Planting) -> tuple[PlantedInvalidRow, ...]:
    """What was planted, with each value as the file shows it."""
    return tuple(
        PlantedInvalidRow(
            source_row=row + FIRST_DATA_ROW,
            column=KINDS[kind].column,
            rule=KINDS[kind].rule,
            value=str(formatted[row, KINDS[kind].column]),
        )
        for kind, row in sorted(
            zip(planting.kinds, planting.rows, strict=True), key=lambda kr: kr[1]
        )
    )
