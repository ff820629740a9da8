"""Change since last year, and the judgement the HIA scorecard shows.

metrics.md: ``publish.system_comparison`` shows each trust's change since the
previous year; ``publish.hia_scorecard`` says whether each high impact action's
metrics improved, worsened or held, "judged by whether the intervals overlap,
not by the raw difference" (issue 6).

The judgement, for one metric of one trust (or the system) in two years:

- ``not_comparable``: either year's value is missing or suppressed, or either
  year has no interval (a mean score, an undefined ratio): without intervals
  there is nothing to judge the change by, and a raw difference is exactly
  what the contract rules out;
- ``held``: the two 95% intervals overlap (touching counts as overlapping);
- otherwise the change is real and the metric's direction says which way:

  ====================  =====================================================
  direction             judgement when the intervals do not overlap
  ====================  =====================================================
  ``higher_is_better``  ``improved`` if this year is higher, else ``worsened``
  ``lower_is_better``   ``improved`` if this year is lower, else ``worsened``
  ``towards_parity``    ratios (relative likelihoods): ``improved`` if this
                        year is nearer 1 on the log scale (|ln RL| smaller),
                        ``worsened`` if farther, ``changed`` if equally far
  ``towards_zero``      gaps and differences: ``improved`` if |value| is
                        smaller, ``worsened`` if larger, ``changed`` if equal
  ``neither``           ``changed`` (a composition with no better side)
  ====================  =====================================================

Non-overlap of two 95% intervals is a conservative test of a difference (it
implies p < 0.006 or so for similar widths), which is the point: the scorecard
should not call noise a change. The raw change (value - last value) is given
for display alongside, never used for the judgement.

API
---
``judge_change(value, lower, upper, last_value, last_lower, last_upper,
direction)`` vectorised over numpy arrays (or scalars), returning judgements.

``change_since_last_year(frame, *, keys=..., direction="direction") ->
pl.DataFrame`` joins each row to the same org, metric, breakdown and group in
the previous reporting year (2022-23 for 2023-24; a year that is not in the
frame gives ``not_comparable``) and adds ``last_value``, ``last_ci_lower``,
``last_ci_upper``, ``change`` and ``change_judgement``. Rows flagged
``suppressed`` (either year) are not comparable and their change is null, so
a published change never reveals a suppressed value. Run it on frames that
are already disclosure-controlled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl

from edi_platform.years import ReportingYear

Direction = Literal[
    "higher_is_better", "lower_is_better", "towards_parity", "towards_zero", "neither"
]
DIRECTIONS: tuple[str, ...] = (
    "higher_is_better",
    "lower_is_better",
    "towards_parity",
    "towards_zero",
    "neither",
)

IMPROVED = "improved"
WORSENED = "worsened"
HELD = "held"
CHANGED = "changed"
NOT_COMPARABLE = "not_comparable"
JUDGEMENTS: tuple[str, ...] = (IMPROVED, WORSENED, HELD, CHANGED, NOT_COMPARABLE)

SERIES_KEYS: tuple[str, ...] = ("org_code", "metric_id", "breakdown", "group")
ADDED_COLUMNS: tuple[str, ...] = (
    "last_value",
    "last_ci_lower",
    "last_ci_upper",
    "change",
    "change_judgement",
)


def previous_reporting_year(label: str) -> str:
    """The reporting year before ``label``: 2022-23 for 2023-24."""
    first = ReportingYear(label).first_calendar_year - 1
    return ReportingYear(f"{first}-{(first + 1) % 100:02d}").label


def intervals_overlap(lower, upper, last_lower, last_upper) -> np.ndarray:
    """Whether [lower, upper] and [last_lower, last_upper] share a point (nan: False)."""
    with np.errstate(invalid="ignore"):
        return (np.asarray(lower) <= np.asarray(last_upper)) & (
            np.asarray(last_lower) <= np.asarray(upper)
        )


def _distance_from_best(values: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """How far a value is from the best value, for the directions that have one."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(direction == "towards_parity", np.abs(np.log(values)), np.abs(values))


def judge_change(
    value,
    lower,
    upper,
    last_value,
    last_lower,
    last_upper,
    direction,
) -> np.ndarray:
    """Improved / worsened / held / changed / not_comparable (module docstring).

    Every argument is a scalar or an array of one length; missing numbers are
    nan (or None). Returns an array of strings (of one element for scalars).
    """
    value, lower, upper, last_value, last_lower, last_upper = (
        np.atleast_1d(np.array(x, dtype=float))
        for x in (value, lower, upper, last_value, last_lower, last_upper)
    )
    shape = np.broadcast_shapes(
        value.shape, lower.shape, upper.shape, last_value.shape, last_lower.shape, last_upper.shape
    )
    direction = np.broadcast_to(np.asarray(direction, dtype=object), shape)
    unknown = sorted({d for d in direction.ravel().tolist() if d not in DIRECTIONS}, key=str)
    if unknown:
        raise ValueError(f"unknown direction(s) {unknown}; expected one of {DIRECTIONS}")

    complete = ~np.isnan(
        np.stack(np.broadcast_arrays(value, lower, upper, last_value, last_lower, last_upper))
    ).any(axis=0)
    held = intervals_overlap(lower, upper, last_lower, last_upper)
    rose = value > last_value
    fell = value < last_value
    nearer = _distance_from_best(value, direction) < _distance_from_best(last_value, direction)
    farther = _distance_from_best(value, direction) > _distance_from_best(last_value, direction)

    better = np.select(
        [
            direction == "higher_is_better",
            direction == "lower_is_better",
            np.isin(direction, ["towards_parity", "towards_zero"]),
        ],
        [rose, fell, nearer],
        default=False,
    )
    worse = np.select(
        [
            direction == "higher_is_better",
            direction == "lower_is_better",
            np.isin(direction, ["towards_parity", "towards_zero"]),
        ],
        [fell, rose, farther],
        default=False,
    )
    return np.select(
        [~complete, held, better, worse],
        [NOT_COMPARABLE, HELD, IMPROVED, WORSENED],
        default=CHANGED,
    ).astype(object)


def change_since_last_year(
    frame: pl.DataFrame,
    *,
    keys: Sequence[str] = SERIES_KEYS,
    direction: str = "direction",
    year: str = "reporting_year",
    value: str = "value",
    ci_lower: str = "ci_lower",
    ci_upper: str = "ci_upper",
    suppressed: str = "suppressed",
) -> pl.DataFrame:
    """Add last year's value and interval, the raw change and its judgement.

    ``direction`` names a column of ``DIRECTIONS`` (a metric's direction can
    depend on its group: a higher BME share at Band 8c+ is better, a higher
    White share is not). Rows with ``suppressed`` true (when the column
    exists), in either year, are ``not_comparable`` with a null change.
    Returns ``frame`` in its order with ``ADDED_COLUMNS``.
    """
    keys = list(keys)
    clash = [name for name in ADDED_COLUMNS if name in frame.columns]
    if clash:
        raise ValueError(f"frame already has change columns: {', '.join(clash)}")
    is_hidden = (
        pl.col(suppressed).fill_null(False) if suppressed in frame.columns else pl.lit(False)
    )

    def published(column: str) -> pl.Expr:
        return pl.when(is_hidden).then(None).otherwise(pl.col(column).cast(pl.Float64))

    years = frame.get_column(year).unique().drop_nulls().to_list()
    previous = {label: previous_reporting_year(label) for label in years}
    last = frame.select(
        *keys,
        pl.col(year)
        .replace_strict({v: k for k, v in previous.items()}, default=None)
        .alias("__next_year__"),
        published(value).alias("last_value"),
        published(ci_lower).alias("last_ci_lower"),
        published(ci_upper).alias("last_ci_upper"),
    ).filter(pl.col("__next_year__").is_not_null())

    order = "__change_row__"
    joined = (
        frame.with_row_index(order)
        .join(
            last,
            left_on=[*keys, year],
            right_on=[*keys, "__next_year__"],
            how="left",
            nulls_equal=True,
        )
        .sort(order)
    )
    now = joined.select(
        published(value).alias("v"), published(ci_lower).alias("l"), published(ci_upper).alias("u")
    )
    judgement = judge_change(
        _floats(now, "v"),
        _floats(now, "l"),
        _floats(now, "u"),
        _floats(joined, "last_value"),
        _floats(joined, "last_ci_lower"),
        _floats(joined, "last_ci_upper"),
        joined.get_column(direction).to_numpy(),
    )
    return joined.with_columns(
        (now.get_column("v") - pl.col("last_value")).alias("change"),
        pl.Series("change_judgement", judgement.tolist(), dtype=pl.String),
    ).drop(order)


def _floats(frame: pl.DataFrame, column: str) -> np.ndarray:
    return frame.get_column(column).cast(pl.Float64).fill_null(np.nan).to_numpy()
