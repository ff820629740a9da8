"""Header row -> contract columns.

Names match ignoring case, spaces, underscores, hyphens and punctuation, so
``Employee Number``, ``employee_number`` and ``EMPLOYEE-NUMBER`` are one
column. Unknown columns are listed and ignored; a missing required column or
a contract column named twice refuses the file.

An XLSX is read from its first sheet only, so a workbook whose extract is on
another sheet, or on several, is refused rather than loaded in part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from edi_platform.ingest.errors import FileFault
from edi_platform.ingest.read import OtherSheet, cell


def header_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


@dataclass(frozen=True)
class HeaderMatch:
    positions: dict[str, int]
    """Contract column -> position in the file."""
    unknown: tuple[str, ...]
    """Columns outside the contract, as written in the header."""


def match_headers(
    header: tuple[str, ...],
    rows: pl.DataFrame,
    columns: Iterable[str],
    required: Iterable[str],
    file: str,
) -> HeaderMatch:
    by_key = {header_key(c): c for c in columns}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for position, name in enumerate(header):
        column = by_key.get(header_key(name))
        if column is None:
            if name.strip():
                unknown.append(name.strip())
            elif (rows[cell(position)].str.strip_chars() != "").any():
                # Data under a blank header cell is still a column the contract lacks.
                unknown.append(f"(no header, column {position + 1})")
            continue
        if column in positions:
            first = header[positions[column]]
            raise FileFault(
                file,
                "duplicate_column",
                f"the header names {column} twice ({first!r} and {name!r})",
                column=column,
            )
        positions[column] = position
    missing = [c for c in required if c not in positions]
    if missing:
        detail = "the header row lacks " + ", ".join(missing)
        if unknown:
            # A misspelt column shows up here: naming it helps the submitter spot it.
            detail += "; columns not in the contract: " + ", ".join(unknown)
        raise FileFault(file, "missing_column", detail, column=", ".join(missing))
    return HeaderMatch(positions=positions, unknown=tuple(unknown))


def check_sheets(
    sheet: str | None,
    header: tuple[str, ...],
    other_sheets: tuple[OtherSheet, ...],
    required: Iterable[str],
    file: str,
) -> None:
    """Refuse a workbook whose rows are not all on the first sheet.

    A sheet "holds the extract" when its header names every required column and
    rows follow it; notes, pivots and empty templates on other sheets are fine.
    Reading only the first sheet of a workbook split over several (by month, by
    division) would silently load part of the trust's data.
    """
    required = list(required)
    holding = [s.name for s in other_sheets if s.has_rows and _names_all(s.header, required)]
    if not holding:
        return
    if _names_all(header, required):
        raise FileFault(
            file,
            "several_data_sheets",
            f"the first sheet, {sheet!r}, holds rows of the extract and {_sheets(holding)} "
            "too; only the first sheet is read: put every row on it",
        )
    raise FileFault(
        file,
        "data_not_on_first_sheet",
        f"the first sheet, {sheet!r}, is not the extract; its rows are on {_sheets(holding)}: "
        "move that sheet to the front of the workbook",
    )


def _sheets(names: list[str]) -> str:
    quoted = ", ".join(repr(name) for name in names)
    return f"sheet {quoted}" if len(names) == 1 else f"sheets {quoted}"


def _names_all(header: tuple[str, ...], required: list[str]) -> bool:
    keys = {header_key(name) for name in header}
    return all(header_key(column) in keys for column in required)
