"""Landing file -> text cells, numbered as the submitter sees them.

CSV (RFC 4180 quoting; UTF-8 with or without BOM, or Windows-1252; LF or
CRLF) and XLSX (first sheet) both become a grid of strings whose
``source_row`` is the row number in the file (header = row 1 when it is the
first line), the number a spreadsheet shows. Blank rows anywhere are not data
and are dropped; the first non-blank row is the header.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import fastexcel
import polars as pl

from edi_platform.ingest.errors import FileFault

SOURCE_ROW = "source_row"
TOO_MANY_FIELDS = "too_many_fields"

# Control characters never found in a text CSV (tab, line breaks and the
# vertical tab Word uses for line breaks in pasted text are allowed).
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1f]")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    """Header cells as written, by position."""
    rows: pl.DataFrame
    """source_row, one String column per header position (``cell(i)``; '' when
    empty) and too_many_fields (a CSV row with more fields than the header)."""


def cell(position: int) -> str:
    return f"c{position}"


def read_table(data: bytes, suffix: str, file: str) -> Table:
    grid = _csv_grid(data, file) if suffix == ".csv" else _xlsx_grid(data, file)
    cells = [c for c in grid.columns if c not in (SOURCE_ROW, TOO_MANY_FIELDS)]
    grid = grid.filter(~pl.all_horizontal(pl.col(c).str.strip_chars() == "" for c in cells))
    if grid.is_empty():
        raise FileFault(file, "empty_file", "the file has no header row and no data")
    header = tuple(grid.row(0, named=True)[c] for c in cells)
    return Table(header=header, rows=grid.slice(1))


def _decode(data: bytes, file: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileFault(
            file, "unreadable_encoding", "the file is UTF-16 ('Unicode text'): save it as CSV UTF-8"
        )
    if data.startswith(_ZIP_MAGIC):
        raise FileFault(
            file, "not_a_text_file", "the file is an Excel workbook: send it named .xlsx"
        )
    if _BINARY.search(data):
        raise FileFault(file, "not_a_text_file", "the file contains binary data, not CSV text")
    # Text that decodes as UTF-8 is almost never Windows-1252 by accident, so UTF-8 goes first.
    encodings = ("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFault(
        file,
        "unreadable_encoding",
        "the file is neither UTF-8 nor Windows-1252: save it as CSV UTF-8",
    )


def _csv_grid(data: bytes, file: str) -> pl.DataFrame:
    text = _decode(data, file)
    if not text.strip():
        raise FileFault(file, "empty_file", "the file is empty")
    utf8 = text.encode("utf-8")
    # Blank lines before the header are skipped by line, so the header sets the width.
    blank_lines = text[: len(text) - len(text.lstrip())].count("\n")
    try:
        width = pl.read_csv(
            utf8,
            has_header=False,
            skip_lines=blank_lines,
            n_rows=1,
            infer_schema=False,
            truncate_ragged_lines=True,
        ).width
        # Twice the header's width, so a row with extra fields (an unquoted comma)
        # shows up as non-empty overflow cells instead of being cut silently.
        grid = pl.read_csv(
            utf8,
            has_header=False,
            skip_lines=blank_lines,
            schema={cell(i): pl.String for i in range(2 * width)},
            missing_columns="insert",
            truncate_ragged_lines=True,
            empty_string_is_null=False,
            row_index_name=SOURCE_ROW,
            row_index_offset=blank_lines + 1,
        )
    except pl.exceptions.PolarsError as exc:
        if text.count('"') % 2:
            raise FileFault(
                file,
                "unbalanced_quotes",
                'a quoted field is never closed: look for a stray " character',
            ) from exc
        raise FileFault(file, "malformed_csv", "the file could not be read as CSV") from exc
    overflow = [cell(i) for i in range(width, 2 * width)]
    return grid.select(
        pl.col(SOURCE_ROW).cast(pl.Int64),
        *(pl.col(cell(i)).fill_null("") for i in range(width)),
        pl.any_horizontal(pl.col(c).fill_null("").str.strip_chars() != "" for c in overflow).alias(
            TOO_MANY_FIELDS
        ),
    )


def _xlsx_grid(data: bytes, file: str) -> pl.DataFrame:
    if not data.startswith(_ZIP_MAGIC):
        raise FileFault(
            file,
            "unreadable_workbook",
            "the file is not an .xlsx workbook (an old .xls, or a CSV renamed?)",
        )
    try:
        # skip_rows=0 keeps leading blank rows, so positions are Excel row numbers.
        # Reading every cell as text renders numbers without a spurious '.0'
        # (12345678, not 12345678.0) and date cells as ISO dates.
        sheet = fastexcel.read_excel(data).load_sheet(
            0, header_row=None, skip_rows=0, dtypes="string"
        )
        grid = sheet.to_polars()
    except fastexcel.FastExcelError as exc:
        raise FileFault(file, "unreadable_workbook", "the workbook could not be opened") from exc
    if grid.width == 0:
        raise FileFault(file, "empty_file", "the first sheet is empty")
    return grid.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(SOURCE_ROW),
        *(pl.col(name).fill_null("").alias(cell(i)) for i, name in enumerate(grid.columns)),
        pl.lit(False).alias(TOO_MANY_FIELDS),
    )
