"""Does a frame satisfy its pandera model? The yes-or-no, in one polars query.

pandera's polars backend runs each check as a query of its own: for ten national
partitions a profile counted 707 checks and 644 null checks, each collected
separately, and validation was the largest part of ingest (docs/performance.md).
Almost every file a trust sends passes, and then only the answer matters.

``model_passes`` builds every rule the model holds into one select: the column list
and order, each dtype, each non-nullable and unique column, and each column and
dataframe check, built by pandera's own check backend from the model's own check
functions, with pandera's handling of nulls. It collects once. When it answers no,
or a check cannot be built, the caller runs pandera itself, which names the rows and
rules. The model stays the one contract; this only reaches its answer sooner.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData
from pandera.backends.polars.checks import PolarsCheckBackend
from pandera.constants import CHECK_OUTPUT_KEY


def model_passes(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> bool:
    """True only if pandera would find nothing wrong with ``frame`` (strict, ordered)."""
    schema = model.to_schema()
    schema.register_default_backends(pl.LazyFrame)  # as pandera's validate does first
    if not _builds_every_rule(schema):
        return False
    if frame.columns != list(schema.columns):
        return False  # a missing, extra or misplaced column
    lazy = frame.lazy()
    answers: list[pl.LazyFrame] = [lazy.select(_column_rules(frame, schema))]
    for name, column in schema.columns.items():
        if not column.dtype.check(frame.schema[name], PolarsData(lazy.select(name), name)):
            return False
        answers += [_answer(check, PolarsData(lazy, name)) for check in column.checks]
    answers += [_answer(check, PolarsData(lazy, "*")) for check in schema.checks]
    if any(answer is False for answer in answers):
        return False
    frames = [a for a in answers if isinstance(a, pl.LazyFrame)]
    numbered = [f.select(pl.all().name.suffix(f"_{i}")) for i, f in enumerate(frames)]
    row = pl.concat(numbered, how="horizontal").collect().row(0)
    return all(value is True for value in row)


def _builds_every_rule(schema: pa.DataFrameSchema) -> bool:
    """Whether the schema uses only what this shortcut builds: strict and ordered
    columns, each with a dtype, no coercion, no regex column names, no unique column
    combinations. (The raw-zone models do; anything else is left to pandera.)"""
    columns = schema.columns.values()
    return (
        schema.strict is True
        and schema.ordered
        and not schema.coerce
        and not schema.unique
        and all(c.dtype is not None and not c.regex and not c.coerce for c in columns)
    )


def _column_rules(frame: pl.DataFrame, schema: pa.DataFrameSchema) -> list[pl.Expr]:
    """No null in a column that may not have one (NaN counts as null, as in pandera);
    no repeated value in a unique column."""
    rules = [pl.lit(True)]
    for name, column in schema.columns.items():
        if not column.nullable:
            present = pl.col(name).is_not_null()
            if frame.schema[name].is_float():
                present = present & pl.col(name).is_not_nan()
            rules.append(present.all().alias(f"not_null:{name}"))
        if column.unique:
            rules.append(pl.col(name).is_duplicated().not_().all().alias(f"unique:{name}"))
    return rules


def _answer(check: pa.Check, data: PolarsData) -> pl.LazyFrame | bool:
    """One row, one boolean column: did every row pass ``check``? (False when the check
    cannot be built here: pandera will then report it.)"""
    # As Check.__call__ does: a built-in check's function is looked up again, to find
    # the polars one registered after the check was made.
    name = getattr(check._check_fn, "__name__", None)
    if name is not None and check.is_builtin_check(name):
        check._check_fn = check.get_builtin_check_fn(name)
    if check.get_backend(data.lazyframe) is not PolarsCheckBackend:
        return False  # another backend (pandera's narwhals one): leave it to pandera
    try:
        output = PolarsCheckBackend(check).apply(data)
    except Exception:  # noqa: BLE001 - pandera reports a check that raises; leave it to pandera
        return False
    if isinstance(output, bool):
        return output
    passed = pl.col(CHECK_OUTPUT_KEY)
    # As pandera's check backend: a null outcome passes under ignore_na, else fails.
    passed = passed | passed.is_null() if check.ignore_na else passed.fill_null(False)
    return output.select(passed.all())
