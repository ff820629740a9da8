"""Pay: Agenda for Change and medical pay scales, allowances and Clinical Excellence Awards.

Scales are the 2023-24 ones (rounded); other years are scaled by
``year_factor`` (about 5% a year lower before 2023-24, 3% a year higher
after). Within a grade, pay depends only on experience, never on sex or
ethnicity, so Agenda for Change within-band gaps are zero in expectation and
the medical sex gap comes from grade mix, men's longer experience and
allowances' mix (see effects.py).
"""

from __future__ import annotations

import polars as pl

from edi_platform.generator.effects import CEA_MEAN_AWARD, CEA_SHARE
from edi_platform.generator.random_streams import RandomStreams

# Annual pay points, 2023-24, lowest to top.
AFC_POINTS = {
    "Band 1": (22_383,),
    "Band 2": (22_383,),
    "Band 3": (22_816, 24_336),
    "Band 4": (25_147, 27_596),
    "Band 5": (28_407, 30_639, 34_581),
    "Band 6": (35_392, 37_350, 42_618),
    "Band 7": (43_742, 45_996, 50_056),
    "Band 8a": (50_952, 57_349),
    "Band 8b": (58_972, 68_525),
    "Band 8c": (70_417, 81_138),
    "Band 8d": (83_571, 96_376),
    "Band 9": (99_891, 104_919, 110_230, 114_949),
}
# Years between pay points: two up to Band 7, five from 8a (roughly the 2019 AfC deal).
_SENIOR_AFC = ("Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9")
AFC_YEARS_PER_STEP = {band: 5.0 if band in _SENIOR_AFC else 2.0 for band in AFC_POINTS}
# Medical grades: pay rises evenly from the bottom to the top of the scale over these years.
MEDICAL_SCALES = {
    "Consultant": (93_666, 126_281, 19.0),
    "Non-consultant career grade": (52_530, 82_400, 12.0),
    "Trainee grade": (32_398, 63_152, 8.0),
}
VSM_RANGE = (120_000, 220_000)
OTHER_RANGE = (18_000, 60_000)
NED_FEE = 13_000
CHAIR_FEE = 45_000

# Allowances in ordinary pay (unsocial hours, on-call, out-of-hours supplements):
# (share who get one, lowest, highest) as a fraction of basic pay, by who they apply to.
ALLOWANCES = {
    "afc_shift": (0.40, 0.05, 0.20),
    "Trainee grade": (1.00, 0.20, 0.40),
    "Non-consultant career grade": (0.40, 0.03, 0.10),
    "Consultant": (0.50, 0.02, 0.08),
}
SHIFT_STAFF_GROUPS = ("03", "04", "07", "10")
SHIFT_BANDS = ("Band 1", "Band 2", "Band 3", "Band 4", "Band 5", "Band 6")


def year_factor(first_calendar_year: int) -> float:
    """Pay level of a reporting year relative to 2023-24."""
    years = first_calendar_year - 2023
    return 1.05**years if years < 0 else 1.03**years


def pay_traits(holders: pl.DataFrame, streams: RandomStreams) -> list[pl.Expr]:
    """A holder's allowance rate and Clinical Excellence Award (2023-24 pounds a year)."""
    n = holders.height
    kind = (
        pl.when(pl.col("pay_band").is_in(list(MEDICAL_SCALES)))
        .then(pl.col("pay_band"))
        .when(
            pl.col("staff_group").is_in(SHIFT_STAFF_GROUPS) & pl.col("pay_band").is_in(SHIFT_BANDS)
        )
        .then(pl.lit("afc_shift"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    share = kind.replace_strict(
        {k: v[0] for k, v in ALLOWANCES.items()}, default=0.0, return_dtype=pl.Float64
    )
    low = kind.replace_strict(
        {k: v[1] for k, v in ALLOWANCES.items()}, default=0.0, return_dtype=pl.Float64
    )
    high = kind.replace_strict(
        {k: v[2] for k, v in ALLOWANCES.items()}, default=0.0, return_dtype=pl.Float64
    )
    gets_allowance = streams.uniform("allowance", n) < share
    allowance = low + (high - low) * streams.uniform("allowance_size", n)

    is_male = pl.col("sex") == "Male"
    consultant = (pl.col("pay_band") == "Consultant") & pl.col("board_role").is_null()
    holds_award = streams.uniform("cea", n) < pl.when(is_male).then(CEA_SHARE["Male"]).otherwise(
        CEA_SHARE["Female"]
    )
    mean_award = pl.when(is_male).then(CEA_MEAN_AWARD["Male"]).otherwise(CEA_MEAN_AWARD["Female"])
    # Spread 0.4x to 1.6x the mean, to the nearest pound.
    award = (mean_award * (0.4 + 1.2 * streams.uniform("cea_size", n))).round(0)
    return [
        pl.when(gets_allowance).then(allowance).otherwise(0.0).alias("allowance_rate"),
        pl.when(consultant & holds_award).then(award).otherwise(0.0).alias("cea_award"),
    ]


def _afc_points_table() -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "pay_band": band,
                "point": i,
                "point_pay": float(pay),
                "top_point": len(points) - 1,
                "years_per_step": AFC_YEARS_PER_STEP[band],
            }
            for band, points in AFC_POINTS.items()
            for i, pay in enumerate(points)
        ]
    )


def annual_salary_2023(people: pl.DataFrame) -> pl.Series:
    """Basic annual salary at 2023-24 rates for each row (needs experience_years, pay_draw)."""
    table = _afc_points_table()
    steps = table.select("pay_band", "top_point", "years_per_step").unique("pay_band")
    afc = (
        people.select("pay_band", "experience_years")
        .with_row_index("_row")
        .join(steps, on="pay_band", how="left")
        .with_columns(
            point=pl.min_horizontal(
                (pl.col("experience_years") / pl.col("years_per_step")).floor().cast(pl.Int64),
                pl.col("top_point"),
            )
        )
        .join(table.select("pay_band", "point", "point_pay"), on=["pay_band", "point"], how="left")
        .sort("_row")["point_pay"]
    )
    medical_low = pl.col("pay_band").replace_strict(
        {k: float(v[0]) for k, v in MEDICAL_SCALES.items()}, default=None
    )
    medical_high = pl.col("pay_band").replace_strict(
        {k: float(v[1]) for k, v in MEDICAL_SCALES.items()}, default=None
    )
    medical_years = pl.col("pay_band").replace_strict(
        {k: v[2] for k, v in MEDICAL_SCALES.items()}, default=None
    )
    vsm = VSM_RANGE[0] + (VSM_RANGE[1] - VSM_RANGE[0]) * pl.col("pay_draw") ** 2
    return (
        people.with_columns(_afc=afc)
        .select(
            pl.when(pl.col("assignment_category") == "Non-Executive Director")
            .then(
                pl.when(pl.col("board_role") == "chair")
                .then(float(CHAIR_FEE))
                .otherwise(float(NED_FEE))
            )
            .when(pl.col("board_role") == "chief_executive")
            .then(VSM_RANGE[0] + (VSM_RANGE[1] - VSM_RANGE[0]) * (0.85 + 0.15 * pl.col("pay_draw")))
            .when(pl.col("pay_band") == "VSM")
            .then(vsm)
            .when(medical_low.is_not_null())
            .then(
                medical_low
                + (medical_high - medical_low)
                * (pl.col("experience_years") / medical_years).clip(0.0, 1.0)
            )
            .when(pl.col("pay_band") == "Other")
            .then(OTHER_RANGE[0] + (OTHER_RANGE[1] - OTHER_RANGE[0]) * pl.col("pay_draw"))
            .otherwise(pl.col("_afc"))
            .alias("annual_salary")
        )
        .to_series()
    )
