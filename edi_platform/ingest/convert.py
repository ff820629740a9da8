"""Text cells -> the typed raw-zone frame, with every fault found while parsing.

A blank required value is ``blank_required``; a non-blank value that does
not parse breaks its kind's rule (``not_a_flag``, ``unparseable_date``, ...).
Either way the typed value is null, so the row is still there for the
schema's cross-field rules; which rows load is decided after validation.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from edi_platform.ingest.extracts import ColumnSpec, ExtractSpec
from edi_platform.ingest.pseudonymise import pseudonymise_columns
from edi_platform.ingest.read import SOURCE_ROW, TOO_MANY_FIELDS, cell
from edi_platform.stopwatch import Stopwatch
from edi_platform.years import ReportingYear

FAULTS_SCHEMA = {
    SOURCE_ROW: pl.Int64,
    "column": pl.String,
    "rule": pl.String,
    "severity": pl.String,
}
WITHHELD = "[withheld]"


@dataclass(frozen=True)
class Converted:
    typed: pl.DataFrame
    """Raw-zone columns for every data row; null where a value did not parse."""
    faults: pl.DataFrame
    """One row per source row x column x rule broken (FAULTS_SCHEMA)."""
    shown: pl.DataFrame
    """source_row and, per source column, the value as the quarantine may show it:
    identifiers pseudonymised, personal free text and date of birth withheld."""


def _text_name(column: ColumnSpec) -> str:
    return f"text:{column.source}"


def convert(
    rows: pl.DataFrame,
    positions: dict[str, int],
    spec: ExtractSpec,
    year: ReportingYear,
    key: bytes,
    watch: Stopwatch | None = None,
) -> Converted:
    texts = rows.select(
        SOURCE_ROW,
        TOO_MANY_FIELDS,
        *(
            (
                pl.col(cell(positions[c.source])).str.strip_chars()
                if c.source in positions
                else pl.lit("", dtype=pl.String)
            ).alias(_text_name(c))
            for c in spec.columns
        ),
    )
    parsed = texts.with_columns(
        c.kind.parse(pl.col(_text_name(c)), year).cast(c.kind.dtype).alias(c.target)
        for c in spec.stored
    )
    # Pseudonymise before validation: pandera's failure cases then never hold a raw identifier.
    with (watch or Stopwatch()).stage("pseudonymise"):
        parsed = pseudonymise_columns(
            parsed, [c.target for c in spec.stored if c.kind.pseudonymised], key
        )
    org, *others = spec.stored
    typed = parsed.select(
        org.target,
        pl.lit(year.label).alias("reporting_year"),
        SOURCE_ROW,
        *(c.target for c in others),
    )
    return Converted(typed, _faults(parsed, spec, year), _shown(parsed, spec))


def _fault(column: ColumnSpec, year: ReportingYear) -> pl.Expr:
    text = pl.col(_text_name(column))
    kind = column.kind
    if kind.fault is not None:
        broken = kind.fault(text, pl.col(column.target), year)
    elif kind.bad_rule is not None:
        broken = pl.when(pl.col(column.target).is_null()).then(pl.lit(kind.bad_rule))
    else:
        broken = pl.lit(None, dtype=pl.String)
    blank = pl.lit(None, dtype=pl.String) if column.blank_ok else pl.lit("blank_required")
    return pl.when(text == "").then(blank).otherwise(broken).alias(column.source)


def _faults(parsed: pl.DataFrame, spec: ExtractSpec, year: ReportingYear) -> pl.DataFrame:
    per_cell = (
        parsed.select(SOURCE_ROW, *(_fault(c, year) for c in spec.columns))
        .unpivot(index=SOURCE_ROW, variable_name="column", value_name="rule")
        .drop_nulls("rule")
    )
    warnings = pl.DataFrame(
        [
            (c.source, c.kind.bad_rule, "warning")
            for c in spec.columns
            if c.kind.bad_severity == "warning"
        ],
        schema={"column": pl.String, "rule": pl.String, "severity": pl.String},
        orient="row",
    )
    per_cell = per_cell.join(warnings, on=["column", "rule"], how="left").with_columns(
        pl.col("severity").fill_null("error")
    )
    misaligned = parsed.filter(pl.col(TOO_MANY_FIELDS)).select(
        SOURCE_ROW,
        pl.lit(None, dtype=pl.String).alias("column"),
        pl.lit("too_many_fields").alias("rule"),
        pl.lit("error").alias("severity"),
    )
    return pl.concat([per_cell, misaligned]).select(*FAULTS_SCHEMA).cast(FAULTS_SCHEMA)


def _shown(parsed: pl.DataFrame, spec: ExtractSpec) -> pl.DataFrame:
    def shown(column: ColumnSpec) -> pl.Expr:
        text = pl.col(_text_name(column))
        if column.kind.pseudonymised:
            value = pl.col(column.target)
        elif column.kind.withheld:
            value = pl.when(text != "").then(pl.lit(WITHHELD))
        else:
            value = pl.when(text != "").then(text)
        return value.alias(column.source)

    frame = parsed.select(SOURCE_ROW, *(shown(c) for c in spec.columns))
    if len(spec.key) > 1:
        # A composite key is quarantined as one value, its parts joined.
        frame = frame.with_columns(
            pl.concat_str([pl.col(c).fill_null("") for c in spec.key], separator=" | ").alias(
                spec.key_label
            )
        )
    return frame
