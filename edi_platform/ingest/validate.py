"""Typed frame -> the rows that break the pandera model, as faults.

Each pass first asks the model's yes-or-no in one polars query (model_passes.py);
only a frame that breaks a rule goes through pandera, which names the rows and rules.

Validation repeats on the rows still loading until nothing new fails, so the
rows written always satisfy the model: holding back a person's primary
assignment (say, for a bad fte) must also hold back their other assignments,
or the raw zone would hold a person with no primary assignment. Each pass
removes rows, so this ends, usually after two passes.
"""

from __future__ import annotations

import pandera.errors
import polars as pl

from edi_platform.ingest.convert import FAULTS_SCHEMA
from edi_platform.ingest.extracts import ExtractSpec
from edi_platform.ingest.model_passes import model_passes
from edi_platform.ingest.read import SOURCE_ROW
from edi_platform.ingest.schemas import CHECK_RULES, RawPartition

# Built-in pandera checks -> rule ids (by the check's name before its arguments).
_CHECK_RULES = {
    "not_nullable": "blank_required",
    "greater_than": "out_of_range",
    "greater_than_or_equal_to": "out_of_range",
    "less_than": "out_of_range",
    "less_than_or_equal_to": "out_of_range",
    "in_range": "out_of_range",
    "isin": "unknown_code",
}


def validate(
    typed: pl.DataFrame,
    model: type[RawPartition],
    spec: ExtractSpec,
    faults: pl.DataFrame,
) -> pl.DataFrame:
    """``faults`` plus every new fault the model finds (all with severity 'error')."""
    loading = typed.filter(~pl.col(SOURCE_ROW).is_in(_rejected(faults).implode()))
    checked = typed
    while True:
        found = _schema_faults(checked, model, spec).join(
            faults, on=[SOURCE_ROW, "column"], how="anti", nulls_equal=True
        )
        if found.is_empty():
            return faults
        faults = pl.concat([faults, found])
        loading = loading.filter(~pl.col(SOURCE_ROW).is_in(_rejected(faults).implode()))
        checked = loading


def _rejected(faults: pl.DataFrame) -> pl.Series:
    return faults.filter(pl.col("severity") == "error")[SOURCE_ROW].unique()


def _schema_faults(
    frame: pl.DataFrame, model: type[RawPartition], spec: ExtractSpec
) -> pl.DataFrame:
    if model_passes(frame, model):
        return pl.DataFrame(schema=FAULTS_SCHEMA)
    try:
        model.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return pl.DataFrame(schema=FAULTS_SCHEMA)
    if cases["index"].null_count():
        # A schema-level failure (a column or dtype) is a bug in ingest, not in the file.
        raise RuntimeError(f"typed {spec.name} frame does not match its raw-zone model:\n{cases}")
    frame_level = pl.col("schema_context") == "DataFrameSchema"
    check = pl.col("check")
    check_name = check.str.extract(r"^([a-z_]+)", 1)
    rule = (
        pl.when(frame_level)
        .then(check.replace_strict({k: v[0] for k, v in CHECK_RULES.items()}, default=check))
        .otherwise(check_name.replace_strict(_CHECK_RULES, default=check))
    )
    column = (
        pl.when(frame_level)
        .then(check.replace_strict({k: v[1] for k, v in CHECK_RULES.items()}, default=None))
        .otherwise(pl.col("column").replace_strict(spec.source_of, default=pl.col("column")))
    )
    rows = frame.select(SOURCE_ROW).with_row_index("index")
    return (
        cases.select(pl.col("index").cast(pl.UInt32), column.alias("column"), rule.alias("rule"))
        .join(rows, on="index")
        .select(SOURCE_ROW, "column", "rule", pl.lit("error").alias("severity"))
        .unique()
        .cast(FAULTS_SCHEMA)
    )
