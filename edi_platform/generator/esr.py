"""The esr_staff extract of one trust-year: assignments in post at 31 March, pay, HR events."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from edi_platform.generator.chains import DAYS_PER_YEAR, day_number
from edi_platform.generator.columns import column_names
from edi_platform.generator.effects import (
    CAPABILITY_RL_DISABLED,
    DISCIPLINARY_RL_BME,
    TRAINING_RL_WHITE,
)
from edi_platform.generator.pay import annual_salary_2023, year_factor
from edi_platform.generator.population import TrustPopulation
from edi_platform.generator.random_streams import RandomStreams
from edi_platform.years import ReportingYear

# Yearly chances for the reference groups (about 1%, 0.5% and 55-60% overall).
DISCIPLINARY_RATE_WHITE = 0.009
CAPABILITY_RATE_NON_DISABLED = 0.0045
TRAINING_RATE_WHITE = 0.58
# Paid at a reduced rate in March because of leave (maternity, long sickness).
REDUCED_PAY_SHARE = {"Female": 0.045, "Male": 0.025}
# Unknown ethnicity sits between the two groups, so it does not disturb either.
DISCIPLINARY_MULTIPLIER = {"White": 1.0, "BME": DISCIPLINARY_RL_BME, "Unknown": 1.25}
TRAINING_MULTIPLIER = {"White": 1.0, "BME": 1 / TRAINING_RL_WHITE, "Unknown": 0.93}
# Where the training flag of someone with two assignments is recorded.
TRAINING_RECORDED_ON = {"primary": 50, "second": 20, "both": 30}
PAY_PERIOD_DAYS = 31  # monthly pay; March has 31 days
NON_WORKFORCE_CATEGORIES = ("Bank", "Non-Executive Director")
EXECUTIVE_ROLES = ("chief_executive", "executive_director", "non_voting_director")
VOTING_ROLES = ("chief_executive", "executive_director", "chair", "non_executive_director")


@dataclass(frozen=True)
class EsrYear:
    assignments: pl.DataFrame  # the extract's rows, typed (formats.py writes them)
    people: pl.DataFrame  # one row per person in post, for the other extracts


def esr_staff_year(
    population: TrustPopulation, year: ReportingYear, streams: RandomStreams
) -> EsrYear:
    snapshot = day_number(year.snapshot_date)
    people = population.people.filter(
        (pl.col("start_day") <= snapshot) & (pl.col("end_day") > snapshot)
    ).with_columns(
        experience_years=(snapshot - pl.col("start_day")) / DAYS_PER_YEAR + pl.col("prior_years"),
        in_workforce=~pl.col("assignment_category").is_in(NON_WORKFORCE_CATEGORIES)
        & (pl.col("staff_group") != "02"),
        is_ned=pl.col("assignment_category") == "Non-Executive Director",
    )
    factor = year_factor(year.first_calendar_year)
    people = people.with_columns(
        annual_pay=annual_salary_2023(people) * factor,
        bonus_pay=pl.col("cea_award") * factor,
    )
    people = people.with_columns(_yearly_events(people, streams))
    people = people.with_columns(
        wte=pl.col("fte") + pl.col("second_fte").fill_null(0.0),
    )
    org_code = population.trust.org_code
    assignments = pl.concat([_primary_rows(people, org_code), _second_rows(people, org_code)])
    return EsrYear(assignments=assignments.sort("assignment_number"), people=people)


def _yearly_events(people: pl.DataFrame, streams: RandomStreams) -> list[pl.Expr]:
    n = people.height
    eligible = ~pl.col("is_ned")
    ethnic = pl.col("ethnic_group")
    disciplinary_p = DISCIPLINARY_RATE_WHITE * ethnic.replace_strict(
        DISCIPLINARY_MULTIPLIER, return_dtype=pl.Float64
    )
    capability_p = CAPABILITY_RATE_NON_DISABLED * pl.when(pl.col("esr_disability") == "Yes").then(
        CAPABILITY_RL_DISABLED
    ).otherwise(1.0)
    training_p = TRAINING_RATE_WHITE * ethnic.replace_strict(
        TRAINING_MULTIPLIER, return_dtype=pl.Float64
    )
    reduced_p = pl.col("sex").replace_strict(REDUCED_PAY_SHARE, return_dtype=pl.Float64)
    return [
        (eligible & (streams.uniform("disciplinary", n) < disciplinary_p)).alias(
            "entered_disciplinary"
        ),
        (eligible & (streams.uniform("capability", n) < capability_p)).alias("entered_capability"),
        (eligible & (streams.uniform("training", n) < training_p)).alias("nonmandatory_training"),
        streams.choice("training_recorded_on", n, TRAINING_RECORDED_ON).alias(
            "training_recorded_on"
        ),
        (eligible & (streams.uniform("reduced_pay", n) < reduced_p)).alias("reduced_pay"),
        (streams.uniform("reduced_pay_share", n) * 0.6).alias("reduced_pay_share"),
    ]


def _assignments(people: pl.DataFrame, org_code: str, **assignment: pl.Expr) -> pl.DataFrame:
    """Extract rows: the person's own columns plus the given per-assignment ones."""
    monthly = assignment.pop("monthly_pay")
    return people.select(
        pl.lit(org_code).alias("org_code"),
        "employee_number",
        "staff_group",
        "pay_band",
        "sex",
        "religious_belief",
        "sexual_orientation",
        pl.col("ethnic_code").alias("ethnic_origin"),
        pl.col("esr_disability").alias("disability"),
        pl.col("date_of_birth_day").cast(pl.Int32).cast(pl.Date).alias("date_of_birth"),
        pl.lit(PAY_PERIOD_DAYS).alias("pay_period_days"),
        (~pl.col("reduced_pay")).alias("full_pay_relevant"),
        # Leave pays part of the month at most.
        pl.when(pl.col("reduced_pay"))
        .then(monthly * pl.col("reduced_pay_share"))
        .otherwise(monthly)
        .round(2)
        .alias("ordinary_pay_period"),
        **assignment,
    ).select(column_names("esr_staff"))


def _primary_rows(people: pl.DataFrame, org_code: str) -> pl.DataFrame:
    board_role = pl.col("board_role")
    has_second = pl.col("second_category").is_not_null()
    return _assignments(
        people,
        org_code,
        assignment_number=pl.col("employee_number"),
        primary_assignment=pl.lit(True),
        assignment_category=pl.col("assignment_category"),
        fte=pl.col("fte"),
        weekly_contracted_hours=(pl.col("hours_per_fte") * pl.col("fte")).round(2),
        # A non-executive's fee is paid whatever the hours; salaries are pro rata to FTE.
        monthly_pay=pl.when(pl.col("is_ned"))
        .then(pl.col("annual_pay") / 12)
        .otherwise(pl.col("annual_pay") * (1 + pl.col("allowance_rate")) * pl.col("fte") / 12),
        bonus_pay_12m=pl.col("bonus_pay").round(2),
        board_member=board_role.is_not_null(),
        board_voting=board_role.is_in(VOTING_ROLES).fill_null(False),
        board_executive=board_role.is_in(EXECUTIVE_ROLES).fill_null(False),
        entered_disciplinary=pl.col("entered_disciplinary"),
        entered_capability=pl.col("entered_capability"),
        nonmandatory_training=pl.col("nonmandatory_training")
        & (~has_second | (pl.col("training_recorded_on") != "second")),
    )


def _second_rows(people: pl.DataFrame, org_code: str) -> pl.DataFrame:
    """Second assignments: same grade, their own hours and pay, no bonus, no board role."""
    return _assignments(
        people.filter(pl.col("second_category").is_not_null()),
        org_code,
        assignment_number=pl.col("employee_number") + "-2",
        primary_assignment=pl.lit(False),
        assignment_category=pl.col("second_category"),
        fte=pl.col("second_fte"),
        weekly_contracted_hours=(pl.col("hours_per_fte") * pl.col("second_fte")).round(2),
        monthly_pay=pl.col("annual_pay") * pl.col("second_fte") / 12,
        bonus_pay_12m=pl.lit(0.0),
        board_member=pl.lit(False),
        board_voting=pl.lit(False),
        board_executive=pl.lit(False),
        entered_disciplinary=pl.lit(False),
        entered_capability=pl.lit(False),
        nonmandatory_training=pl.col("nonmandatory_training")
        & (pl.col("training_recorded_on") != "primary"),
    )
