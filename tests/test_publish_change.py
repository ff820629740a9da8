"""Change since last year and the HIA scorecard judgement (edi_platform.publish.change)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from edi_platform.publish.change import (
    change_since_last_year,
    intervals_overlap,
    judge_change,
    previous_reporting_year,
)

NAN = math.nan


def judge(value, lower, upper, last_value, last_lower, last_upper, direction) -> str:
    return judge_change(value, lower, upper, last_value, last_lower, last_upper, direction)[0]


def test_previous_reporting_year():
    assert previous_reporting_year("2023-24") == "2022-23"
    assert previous_reporting_year("2000-01") == "1999-00"
    with pytest.raises(ValueError):
        previous_reporting_year("2023")


def test_overlap_includes_touching_intervals():
    assert intervals_overlap(1.0, 2.0, 2.0, 3.0)
    assert intervals_overlap(1.0, 5.0, 2.0, 3.0)  # one inside the other
    assert not intervals_overlap(1.0, 1.9, 2.0, 3.0)
    assert not intervals_overlap(NAN, 1.9, 2.0, 3.0)


@pytest.mark.parametrize(
    ("now", "last", "direction", "expected"),
    [
        # BME share at Band 8c+ from 8% (6-10) to 14% (12-16): the intervals do not meet.
        ((14, 12, 16), (8, 6, 10), "higher_is_better", "improved"),
        ((14, 12, 16), (8, 6, 10), "lower_is_better", "worsened"),
        ((14, 12, 16), (8, 6, 10), "neither", "changed"),
        # Harassment from 30% (27-33) down to 24% (21-26.5).
        ((24, 21, 26.5), (30, 27, 33), "lower_is_better", "improved"),
        ((24, 21, 26.5), (30, 27, 33), "higher_is_better", "worsened"),
        # 24% (21-27) against 30% (27-33): the intervals touch at 27, so the change is not real.
        ((24, 21, 27), (30, 27, 33), "lower_is_better", "held"),
        ((24, 21, 27), (30, 27, 33), "neither", "held"),
        # A raw rise of 6 points with wide intervals is held, not improved.
        ((40, 25, 55), (34, 20, 48), "higher_is_better", "held"),
    ],
)
def test_judgement_by_overlapping_intervals(now, last, direction, expected):
    assert judge(*now, *last, direction) == expected


@pytest.mark.parametrize(
    ("now", "last", "expected"),
    [
        # Relative likelihood 1.80 (1.50-2.16) down to 1.10 (0.95-1.27): nearer parity.
        ((1.10, 0.95, 1.27), (1.80, 1.50, 2.16), "improved"),
        ((1.80, 1.50, 2.16), (1.10, 0.95, 1.27), "worsened"),
        # 0.5 (0.4-0.62) to 1.6 (1.3-1.97): |ln 0.5| = 0.693 > |ln 1.6| = 0.470: nearer parity.
        ((1.6, 1.3, 1.97), (0.5, 0.4, 0.62), "improved"),
        # 0.5 to 2.0: equally far from parity on the log scale, on the other side.
        ((2.0, 1.6, 2.5), (0.5, 0.4, 0.62), "changed"),
    ],
)
def test_relative_likelihoods_improve_towards_parity(now, last, expected):
    assert judge(*now, *last, "towards_parity") == expected


def test_gaps_improve_towards_zero():
    # Mean hourly gap 18% (16-20) to 9% (7-11): smaller gap.
    assert judge(9, 7, 11, 18, 16, 20, "towards_zero") == "improved"
    # -4 points (-6 to -2) to +12 (10-14): the gap widened, the other way round.
    assert judge(12, 10, 14, -4, -6, -2, "towards_zero") == "worsened"


@pytest.mark.parametrize(
    "arguments",
    [
        (NAN, NAN, NAN, 10, 8, 12),  # this year missing (or suppressed)
        (10, 8, 12, NAN, NAN, NAN),  # last year missing
        (10, NAN, NAN, 20, 18, 22),  # no interval this year: a raw difference is not enough
        (7.1, 6.9, 7.3, 6.0, NAN, NAN),  # a score with no interval last year
    ],
)
def test_missing_values_or_intervals_are_not_comparable(arguments):
    assert judge(*arguments, "higher_is_better") == "not_comparable"


def test_judge_change_is_vectorised_and_rejects_unknown_directions():
    judged = judge_change(
        np.array([14.0, 24.0, NAN]),
        np.array([12.0, 21.0, NAN]),
        np.array([16.0, 26.5, NAN]),
        np.array([8.0, 30.0, 1.0]),
        np.array([6.0, 27.0, 0.5]),
        np.array([10.0, 33.0, 1.5]),
        np.array(["higher_is_better", "lower_is_better", "neither"], dtype=object),
    )
    assert judged.tolist() == ["improved", "improved", "not_comparable"]
    with pytest.raises(ValueError, match="unknown direction"):
        judge_change(1, 0, 2, 5, 4, 6, "up")


def scorecard_rows(rows) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "org_code": pl.String,
            "reporting_year": pl.String,
            "metric_id": pl.String,
            "breakdown": pl.String,
            "group": pl.String,
            "value": pl.Float64,
            "ci_lower": pl.Float64,
            "ci_upper": pl.Float64,
            "direction": pl.String,
            "suppressed": pl.Boolean,
        },
        orient="row",
    )


def test_change_since_last_year_on_a_frame():
    frame = scorecard_rows(
        [
            (
                "RAA",
                "2022-23",
                "wres_5",
                "overall",
                "BME",
                30.0,
                27.0,
                33.0,
                "lower_is_better",
                False,
            ),
            (
                "RAA",
                "2023-24",
                "wres_5",
                "overall",
                "BME",
                24.0,
                21.0,
                26.5,
                "lower_is_better",
                False,
            ),
            (
                "RAA",
                "2021-22",
                "wres_5",
                "overall",
                "BME",
                31.0,
                28.0,
                34.0,
                "lower_is_better",
                False,
            ),
            # RBB: last year's row was suppressed (null value, flag set)
            (
                "RBB",
                "2022-23",
                "wres_5",
                "overall",
                "BME",
                None,
                None,
                None,
                "lower_is_better",
                True,
            ),
            (
                "RBB",
                "2023-24",
                "wres_5",
                "overall",
                "BME",
                22.0,
                18.0,
                26.0,
                "lower_is_better",
                False,
            ),
            # RCC: this year's row is suppressed but still holds figures (flag first, mask later)
            (
                "RCC",
                "2022-23",
                "wres_5",
                "overall",
                "BME",
                20.0,
                17.0,
                23.0,
                "lower_is_better",
                False,
            ),
            (
                "RCC",
                "2023-24",
                "wres_5",
                "overall",
                "BME",
                40.0,
                35.0,
                45.0,
                "lower_is_better",
                True,
            ),
            # RDD: no row for 2022-23 (2020-21 does not count as last year)
            (
                "RDD",
                "2020-21",
                "wres_5",
                "overall",
                "BME",
                20.0,
                17.0,
                23.0,
                "lower_is_better",
                False,
            ),
            (
                "RDD",
                "2023-24",
                "wres_5",
                "overall",
                "BME",
                40.0,
                35.0,
                45.0,
                "lower_is_better",
                False,
            ),
        ]
    )
    out = change_since_last_year(frame)
    assert out.columns[: len(frame.columns)] == frame.columns
    assert out.height == frame.height
    judged = {
        (r["org_code"], r["reporting_year"]): (r["change"], r["change_judgement"])
        for r in out.iter_rows(named=True)
    }
    assert judged[("RAA", "2023-24")] == (pytest.approx(-6.0), "improved")
    assert judged[("RAA", "2022-23")] == (pytest.approx(-1.0), "held")
    assert judged[("RAA", "2021-22")] == (None, "not_comparable")
    assert judged[("RBB", "2023-24")] == (None, "not_comparable")
    # a suppressed value never shows through its change, nor does last year's through this one's
    assert judged[("RCC", "2023-24")] == (None, "not_comparable")
    assert judged[("RDD", "2023-24")] == (None, "not_comparable")
    raa = out.filter((pl.col("org_code") == "RAA") & (pl.col("reporting_year") == "2023-24"))
    assert raa.select("last_value", "last_ci_lower", "last_ci_upper").row(0) == (30.0, 27.0, 33.0)
    rbb = out.filter((pl.col("org_code") == "RBB") & (pl.col("reporting_year") == "2023-24"))
    assert rbb.get_column("last_value").to_list() == [None]


def test_series_are_matched_on_every_key():
    frame = scorecard_rows(
        [
            (
                "RAA",
                "2022-23",
                "wres_5",
                "overall",
                "BME",
                30.0,
                27.0,
                33.0,
                "lower_is_better",
                False,
            ),
            (
                "RAA",
                "2023-24",
                "wres_5",
                "overall",
                "White",
                24.0,
                21.0,
                26.5,
                "lower_is_better",
                False,
            ),
            (
                "RAA",
                "2023-24",
                "wres_6",
                "overall",
                "BME",
                24.0,
                21.0,
                26.5,
                "lower_is_better",
                False,
            ),
            (
                "RBB",
                "2023-24",
                "wres_5",
                "overall",
                "BME",
                24.0,
                21.0,
                26.5,
                "lower_is_better",
                False,
            ),
        ]
    )
    out = change_since_last_year(frame)
    assert out.get_column("change_judgement").to_list() == ["not_comparable"] * 4
    assert out.get_column("change").null_count() == 4


def test_without_a_suppressed_column_nulls_still_mean_not_comparable():
    frame = scorecard_rows(
        [
            (
                "RAA",
                "2022-23",
                "wres_5",
                "overall",
                "BME",
                None,
                None,
                None,
                "lower_is_better",
                True,
            ),
            (
                "RAA",
                "2023-24",
                "wres_5",
                "overall",
                "BME",
                24.0,
                21.0,
                26.5,
                "lower_is_better",
                False,
            ),
        ]
    ).drop("suppressed")
    out = change_since_last_year(frame)
    assert out.get_column("change_judgement").to_list() == ["not_comparable"] * 2
