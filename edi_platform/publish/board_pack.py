"""The Excel board pack: one workbook per reporting year.

``write_board_pack(system_comparison, hia_scorecard, config, year, path) -> Path``
    writes the workbook atomically (a temporary file in the same folder, then
    ``os.replace``) and returns ``path``.

Sheets: one per family (``WRES``, ``WDES``, ``Pay gaps``, ``Violence``, each
present even when empty), ``HIA scorecard`` and ``Notes`` (definitions,
directions, suppression rules with the thresholds from
``config.disclosure``, and how the cells are written).

Cells:

- numbers are written as numbers (``write_number``) with a number format per
  unit (one decimal for percentages and rates, two for ratios and scores,
  thousands separators for counts), never as text;
- a suppressed row's value, interval, counts and funnel figures are blank
  cells (not zero), and its ``Suppressed`` column says ``Yes``; a suppressed
  row's input values are ignored even if the input held them;
- text is written with ``write_string``, which never turns text into a
  formula (the workbook is also opened with ``strings_to_formulas`` off), and
  text a spreadsheet could still take for a formula gets a leading apostrophe
  (``formulas.safe_text``: the rule and why are in edi_platform/publish/formulas.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import xlsxwriter

from edi_platform.config import IcsConfig
from edi_platform.publish.formulas import safe_text
from edi_platform.publish.report import DIRECTION_TEXT, FAMILIES, FAMILY_NOTES, POSITION_TEXT
from edi_platform.temporary_files import atomic_write

HIA_SHEET = "HIA scorecard"
NOTES_SHEET = "Notes"

NUMBER_FORMATS = {
    "percent": "0.0",
    "percentage_points": "0.0",
    "per_1000_wte": "#,##0.0",
    "per_1000_staff": "#,##0.0",
    "proportion": "0.000",
    "ratio": "0.00",
    "score": "0.00",
}
UNIT_HEADER = {
    "percent": "%",
    "percentage_points": "percentage points",
    "per_1000_wte": "per 1,000 WTE",
    "per_1000_staff": "per 1,000 staff",
    "proportion": "proportion",
    "ratio": "ratio (1 = parity)",
    "score": "score",
}

# (header, column, kind): kind is "text", "value" (unit format), "count", "z", "bool"
FAMILY_COLUMNS = (
    ("Organisation code", "org_code", "text"),
    ("Organisation", "org_name", "text"),
    ("Reporting year", "reporting_year", "text"),
    ("Metric", "metric_id", "text"),
    ("Headline", "headline", "text"),
    ("Breakdown", "breakdown", "text"),
    ("Group", "group", "text"),
    ("Unit", "unit", "unit"),
    ("Better direction", "direction", "direction"),
    ("Value", "value", "value"),
    ("95% interval lower", "ci_lower", "value"),
    ("95% interval upper", "ci_upper", "value"),
    ("Numerator", "numerator", "count"),
    ("Denominator", "denominator", "count"),
    ("ICS value", "ics_value", "value"),
    ("Funnel", "funnel_kind", "text"),
    ("z-score", "z_score", "z"),
    ("95% limit lower", "lower_95", "value"),
    ("95% limit upper", "upper_95", "value"),
    ("99.8% limit lower", "lower_998", "value"),
    ("99.8% limit upper", "upper_998", "value"),
    ("Position against the ICS", "position", "position"),
    ("Over-dispersion adjusted", "overdispersion_adjusted", "bool"),
    ("Last year", "last_value", "value"),
    ("Change", "change", "value"),
    ("Change judgement", "change_judgement", "text"),
    ("Suppressed", "suppressed", "bool"),
)
HIA_COLUMNS = (
    ("Organisation code", "org_code", "text"),
    ("Organisation", "org_name", "text"),
    ("Reporting year", "reporting_year", "text"),
    ("High impact action", "hia", "text"),
    ("Action", "hia_title", "text"),
    ("Family", "family", "text"),
    ("Metric", "metric_id", "text"),
    ("Headline", "headline", "text"),
    ("Breakdown", "breakdown", "text"),
    ("Group", "group", "text"),
    ("Value", "value", "value"),
    ("95% interval lower", "ci_lower", "value"),
    ("95% interval upper", "ci_upper", "value"),
    ("Last year", "last_value", "value"),
    ("Judgement since last year", "judgement", "text"),
    ("Better direction", "direction", "direction"),
    ("Suppressed", "suppressed", "bool"),
)
# Values hidden on a suppressed row, whatever the input held.
SUPPRESSED_COLUMNS = frozenset(
    {"value", "ci_lower", "ci_upper", "numerator", "denominator", "z_score", "change"}
)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Writer:
    def __init__(self, workbook: xlsxwriter.Workbook):
        self.book = workbook
        self.header = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        )
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.bold = workbook.add_format({"bold": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.formats = {
            name: workbook.add_format({"num_format": code})
            for name, code in {**NUMBER_FORMATS, "count": "#,##0", "z": "0.00", "": "0.00"}.items()
        }

    def table(self, sheet, columns, rows: list[dict], first_row: int = 0) -> None:
        for c, (header, _, _) in enumerate(columns):
            sheet.write_string(first_row, c, safe_text(header), self.header)
        for r, row in enumerate(rows, start=first_row + 1):
            suppressed = bool(row.get("suppressed")) or row.get("suppressed") is None
            unit = row.get("unit") or ""
            for c, (_, column, kind) in enumerate(columns):
                value = row.get(column)
                if kind in ("value", "count", "z"):
                    hidden = suppressed and column in SUPPRESSED_COLUMNS
                    if hidden or not _is_number(value):
                        continue  # a blank cell: unknown, never zero
                    key = "count" if kind == "count" else "z" if kind == "z" else unit
                    sheet.write_number(r, c, float(value), self.formats.get(key, self.formats[""]))
                elif kind == "bool":
                    sheet.write_string(r, c, "Yes" if value or value is None else "No")
                elif kind == "unit":
                    sheet.write_string(r, c, safe_text(UNIT_HEADER.get(value, value or "")))
                elif kind == "direction":
                    text = DIRECTION_TEXT.get(value, value or "")
                    sheet.write_string(r, c, safe_text(text))
                elif kind == "position":
                    if not suppressed and value:
                        sheet.write_string(r, c, safe_text(POSITION_TEXT.get(value, value)))
                elif value is None or value == "":
                    continue
                else:
                    sheet.write_string(r, c, safe_text(value))
        sheet.freeze_panes(first_row + 1, 2)
        if rows:
            sheet.autofilter(first_row, 0, first_row + len(rows), len(columns) - 1)
        for c, (header, _, kind) in enumerate(columns):
            width = 40 if header in ("Headline", "Organisation", "Action") else 14
            sheet.set_column(c, c, width, self.wrap if kind == "text" else None)


def _sorted_rows(frame: pl.DataFrame, config: IcsConfig) -> list[dict]:
    order = {config.icb_code: -1, **{t.org_code: i for i, t in enumerate(config.trusts)}}
    return sorted(
        frame.to_dicts(),
        key=lambda r: (
            r.get("metric_id") or "",
            r.get("breakdown") or "",
            r.get("group") or "",
            order.get(r["org_code"], 999),
            r["org_code"],
        ),
    )


def _notes(sheet, writer: _Writer, config: IcsConfig, year: str, comparison: pl.DataFrame):
    lines: list[tuple[str, str]] = [
        ("title", f"{config.icb_name} ({config.icb_code}): EDI board pack {year}"),
        ("", ""),
        ("heading", "How to read this pack"),
        ("", "Each trust is compared with the system (ICS) value: all member trusts pooled."),
        ("", "Trusts are listed in code order. They are not ranked by value."),
        (
            "",
            "Position: whether the trust is within the funnel limits around the ICS value "
            "(95% and 99.8%), or above or below them. The direction says which side is better.",
        ),
        (
            "",
            "Change judgement: improved or worsened only when this year's and last year's 95% "
            "intervals do not overlap; held when they overlap; not comparable when a year is "
            "missing, suppressed or has no interval.",
        ),
        ("", ""),
        ("heading", "Suppression (statistical disclosure control)"),
        (
            "",
            f"Record-derived figures with a count (or group size) from 1 to "
            f"{config.disclosure.min_count - 1} are suppressed (threshold "
            f"{config.disclosure.min_count}).",
        ),
        (
            "",
            f"Staff survey figures with fewer than {config.disclosure.min_survey_responses} "
            "responses in the group are suppressed.",
        ),
        (
            "",
            "Secondary suppression: where a suppressed figure could be worked out by difference "
            "from a total or its complement, the next smallest figure is suppressed too.",
        ),
        (
            "",
            "Suppressed figures are BLANK cells with Suppressed = Yes. A blank is unknown, not "
            "zero: do not treat it as 0 in sums or averages.",
        ),
        ("", ""),
        ("heading", "Directions"),
        *[("", f"{key}: {text}") for key, text in DIRECTION_TEXT.items()],
        ("", ""),
        ("heading", "Families"),
        *[("", f"{family}: {FAMILY_NOTES[family]}") for family in FAMILIES],
        ("", ""),
        ("heading", "How cells are written"),
        ("", "Numbers are stored as numbers with a display format; they can be summed."),
        (
            "",
            "Text that would start with =, +, - or @ is prefixed with an apostrophe (') so "
            "that no spreadsheet, CSV export or re-typing can run it as a formula.",
        ),
        ("", ""),
        ("heading", "Metrics"),
    ]
    row = 0
    for kind, text in lines:
        style = {"title": writer.title, "heading": writer.bold}.get(kind, writer.wrap)
        if text:
            sheet.write_string(row, 0, safe_text(text), style)
        row += 1
    columns = (
        ("Family", "family", "text"),
        ("Metric", "metric_id", "text"),
        ("Headline", "headline", "text"),
        ("Unit", "unit", "unit"),
        ("Better direction", "direction", "direction"),
        ("Suppressed", "suppressed", "bool"),
    )
    metrics = (
        comparison.select("family", "metric_id", "headline", "unit", "direction")
        .unique(subset=["metric_id"], keep="first")
        .sort("family", "metric_id")
        .with_columns(pl.lit(False).alias("suppressed"))
        .to_dicts()
    )
    # the metric list has no values; reuse the table writer without the flag column
    writer.table(sheet, columns[:-1], metrics, first_row=row)
    sheet.set_column(0, 0, 110, writer.wrap)
    sheet.freeze_panes(0, 0)


def write_board_pack(
    system_comparison: pl.DataFrame,
    hia_scorecard: pl.DataFrame,
    config: IcsConfig,
    year: str,
    path: str | Path,
) -> Path:
    """Write the board pack for ``year`` to ``path`` (see module docstring)."""
    path = Path(path)
    comparison = system_comparison.filter(pl.col("reporting_year") == year)
    hia = hia_scorecard.filter(pl.col("reporting_year") == year)
    with atomic_write(path) as temporary:
        workbook = xlsxwriter.Workbook(
            str(temporary),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        workbook.set_properties({"title": f"EDI board pack {year}"})
        writer = _Writer(workbook)
        for family in FAMILIES:
            sheet = workbook.add_worksheet(family)
            rows = _sorted_rows(comparison.filter(pl.col("family") == family), config)
            writer.table(sheet, FAMILY_COLUMNS, rows)
        units = dict(
            comparison.select("metric_id", "unit")
            .unique(subset="metric_id", keep="first")
            .iter_rows()
        )
        hia_rows = [
            {**r, "unit": units.get(r["metric_id"])}
            for r in sorted(_sorted_rows(hia, config), key=lambda r: (r.get("hia") or "",))
        ]
        writer.table(workbook.add_worksheet(HIA_SHEET), HIA_COLUMNS, hia_rows)
        _notes(workbook.add_worksheet(NOTES_SHEET), writer, config, year, comparison)
        workbook.close()
    return path
