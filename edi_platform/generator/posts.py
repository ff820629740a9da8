"""The posts of a trust (staff posts and board seats), before anyone holds them."""

from __future__ import annotations

import math
from datetime import date

import polars as pl

from edi_platform.generator.chains import SIMULATION_END, SIMULATION_START, day_number
from edi_platform.generator.random_streams import RandomStreams
from edi_platform.generator.roles import (
    AGE_AT_START,
    CATEGORY_MIX,
    RETIREMENT_AGE,
    TENURE_YEARS_BY_BAND,
    TENURE_YEARS_BY_CATEGORY,
    role_table,
)
from edi_platform.generator.traits import TrustTraits

# Headcount is anchored at the 2023-24 snapshot and grows by traits.growth a year.
REFERENCE_SNAPSHOT = date(2024, 3, 31)
NED_RETIREMENT_AGE = 75
# Executive directors' staff groups in seat order after the chief executive
# (nursing and medical directors first, then corporate directors).
EXECUTIVE_STAFF_GROUPS = ("03", "01", "08", "08", "08", "08")


def staff_posts(trust_type: str, traits: TrustTraits, streams: RandomStreams) -> pl.DataFrame:
    """Every staff post that exists at some point of the simulation, with its role."""
    years_from_reference = (day_number(SIMULATION_END) - day_number(REFERENCE_SNAPSHOT)) / 365.25
    count = math.floor(traits.headcount * (1 + traits.growth) ** years_from_reference)
    index = pl.int_range(0, count, eager=True)
    # Post i opens when the growing headcount first exceeds i.
    open_day = day_number(REFERENCE_SNAPSHOT) + 365.25 * (
        ((index + 1) / traits.headcount).log() / math.log(1 + traits.growth)
    )
    roles = role_table(trust_type)
    role_id = streams.choice(
        "role", count, dict(zip(roles["role_id"], roles["weight"], strict=True))
    )
    posts = (
        pl.DataFrame({"post_id": index, "role_id": role_id, "open_day": open_day})
        .join(roles, on="role_id", how="left")
        .sort("post_id")
    )
    category = streams.choice_within("category", posts["category_key"], CATEGORY_MIX)
    start = day_number(SIMULATION_START)
    return posts.with_columns(
        assignment_category=category,
        board_role=pl.lit(None, dtype=pl.String),
        bme_rule=pl.when(pl.col("is_8c_plus")).then(pl.lit("senior")).otherwise(pl.lit("cell")),
        opened_before_start=pl.col("open_day") <= start,
        open_day=pl.col("open_day").clip(start),
        tenure_years=pl.min_horizontal(
            category.replace_strict(TENURE_YEARS_BY_CATEGORY, return_dtype=pl.Float64),
            pl.col("pay_band").replace_strict(
                TENURE_YEARS_BY_BAND, default=math.inf, return_dtype=pl.Float64
            ),
        ),
        retirement_age=pl.lit(float(RETIREMENT_AGE)),
    ).drop("weight", "category_key", "role_id")


def board_seats(traits: TrustTraits, first_post_id: int) -> pl.DataFrame:
    """The board's seats: executives (VSM) and non-executive directors."""
    shape = traits.board
    executive_directors = shape.executive_voting - 1
    seats = (
        [("chief_executive", "08")]
        + [
            ("executive_director", EXECUTIVE_STAFF_GROUPS[i % len(EXECUTIVE_STAFF_GROUPS)])
            for i in range(executive_directors)
        ]
        + [("non_voting_director", "08")] * shape.executive_non_voting
        + [("chair", "08")]
        + [("non_executive_director", "08")] * (shape.non_executive_voting - 1)
        + [("associate_non_executive", "08")] * shape.non_executive_non_voting
    )
    rows = []
    for offset, (role, group) in enumerate(seats):
        executive = role in ("chief_executive", "executive_director", "non_voting_director")
        mean, sd, low, high = AGE_AT_START["VSM" if executive else "NED"]
        rows.append(
            {
                "post_id": first_post_id + offset,
                "board_role": role,
                "staff_group": group,
                "pay_band": "VSM" if executive else "Other",
                "assignment_category": "Permanent" if executive else "Non-Executive Director",
                "female_share": 0.5,
                "bme_multiplier": 1.0,
                "is_8c_plus": executive,
                "bme_rule": "senior" if executive else "non_executive",
                "age_mean": float(mean),
                "age_sd": float(sd),
                "age_low": float(low),
                "age_high": float(high),
                "open_day": float(day_number(SIMULATION_START)),
                "opened_before_start": True,
                "tenure_years": 5.0 if executive else 6.0,
                "retirement_age": float(RETIREMENT_AGE if executive else NED_RETIREMENT_AGE),
            }
        )
    return pl.DataFrame(rows)
