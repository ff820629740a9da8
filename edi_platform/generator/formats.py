"""How a trust's files look on disk: encodings, headers, codes, flags, dates, money.

Each extract of each trust is written in a ``FileStyle``. The default is the
plain form (UTF-8 CSV, snake_case headers, bare codes, Y/N, ISO dates, plain
decimals); the others are the variations the contract accepts, as real ESR,
recruitment and incident systems export them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, fields
from datetime import datetime

import polars as pl
import xlsxwriter

from edi_platform.generator.columns import EXTRACT_COLUMNS, OPTIONAL_COLUMNS
from edi_platform.generator.reference import ethnic_descriptions, staff_group_names

FLAG_WORDS = {
    "Y/N": ("Y", "N"),
    "y/n": ("y", "n"),
    "Yes/No": ("Yes", "No"),
    "TRUE/FALSE": ("TRUE", "FALSE"),
    "1/0": ("1", "0"),
}
DATE_FORMATS = {"iso": "%Y-%m-%d", "uk": "%d/%m/%Y"}
HEADER_WORDS = {"fte": "FTE", "id": "ID", "org": "Org", "12m": "12m"}
# A fixed creation time makes XLSX files byte-identical run to run.
XLSX_CREATED = datetime(2024, 1, 1)


@dataclass(frozen=True)
class FileStyle:
    file_type: str = "csv"  # csv | xlsx
    encoding: str = "utf-8"  # utf-8 | utf-8-sig (with BOM) | cp1252
    line_ending: str = "\n"
    headers: str = "snake"  # snake | esr (Title Case With Spaces) | upper_hyphen
    codes: str = "code"  # code | code_description | description
    flags: str = "Y/N"  # a key of FLAG_WORDS
    dates: str = "iso"  # iso | uk
    money: str = "plain"  # plain | pounds (a leading £ and thousands separators)
    extra_column: str | None = None  # a column the contract does not name
    omit_optional: bool = False  # leave out the contract's optional columns
    trailing_blank_lines: int = 0

    def variations(self) -> tuple[str, ...]:
        """What differs from the plain form, e.g. ``("encoding:cp1252", "dates:uk")``."""
        default = FileStyle()
        labels = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                shown = {"\r\n": "crlf"}.get(value, value) if isinstance(value, str) else value
                labels.append(f.name if value is True else f"{f.name}:{shown}")
        return tuple(labels)


def header(name: str, style: FileStyle) -> str:
    if style.headers == "esr":
        return " ".join(HEADER_WORDS.get(w, w.capitalize()) for w in name.split("_"))
    if style.headers == "upper_hyphen":
        return name.upper().replace("_", "-")
    return name


def written_columns(extract: str, style: FileStyle) -> list[str]:
    omitted = OPTIONAL_COLUMNS.get(extract, ()) if style.omit_optional else ()
    return [name for name, _ in EXTRACT_COLUMNS[extract] if name not in omitted]


def format_values(frame: pl.DataFrame, extract: str, style: FileStyle) -> pl.DataFrame:
    """The extract's columns as the strings the trust's system writes.

    In an XLSX file dates stay dates (Excel stores them as dates).
    """
    expressions = []
    for name, kind in EXTRACT_COLUMNS[extract]:
        if name not in written_columns(extract, style):
            continue
        column = pl.col(name)
        if kind == "flag":
            true, false = FLAG_WORDS[style.flags]
            value = pl.when(column).then(pl.lit(true)).otherwise(pl.lit(false))
        elif kind == "date":
            value = (
                column
                if style.file_type == "xlsx"
                else column.dt.strftime(DATE_FORMATS[style.dates])
            )
        elif kind == "money":
            value = _money(column, style.money)
        elif kind == "ethnic":
            value = _coded(column, ethnic_descriptions(), style.codes)
        elif kind == "staff_group":
            value = _coded(column, staff_group_names(), style.codes)
        elif kind in ("integer", "decimal"):
            value = column.cast(pl.String)
        else:
            value = column
        expressions.append(value.alias(name))
    formatted = frame.select(expressions)
    if style.extra_column:
        formatted = formatted.with_columns(pl.lit("n/a").alias(style.extra_column))
    return formatted


def _coded(column: pl.Expr, descriptions: dict[str, str], codes: str) -> pl.Expr:
    if codes == "code_description":
        return column.replace({c: f"{c} {d}" for c, d in descriptions.items()})
    if codes == "description":
        return column.replace(descriptions)
    return column


def _money(column: pl.Expr, money: str) -> pl.Expr:
    pence = (column * 100).round(0).cast(pl.Int64)
    pounds, fraction = pence // 100, (pence % 100).cast(pl.String).str.zfill(2)
    if money != "pounds":
        return pl.format("{}.{}", pounds, fraction)

    def three(part: pl.Expr) -> pl.Expr:
        return part.cast(pl.String).str.zfill(3)

    grouped = (
        pl.when(pounds >= 1_000_000)
        .then(
            pl.format(
                "{},{},{}",
                pounds // 1_000_000,
                three((pounds // 1000) % 1000),
                three(pounds % 1000),
            )
        )
        .when(pounds >= 1000)
        .then(pl.format("{},{}", pounds // 1000, three(pounds % 1000)))
        .otherwise(pounds.cast(pl.String))
    )
    return pl.format("£{}.{}", grouped, fraction)


def render(formatted: pl.DataFrame, extract: str, style: FileStyle) -> bytes:
    """The file's bytes: CSV in the style's encoding and line endings, or an XLSX workbook."""
    named = formatted.rename({c: header(c, style) for c in formatted.columns})
    if style.file_type == "xlsx":
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        workbook.set_properties({"created": XLSX_CREATED})
        named.write_excel(workbook, worksheet=extract, dtype_formats={pl.Date: "dd/mm/yyyy"})
        workbook.close()
        return buffer.getvalue()
    text = named.write_csv(line_terminator=style.line_ending, null_value="")
    text += style.line_ending * style.trailing_blank_lines
    return text.encode(style.encoding)
