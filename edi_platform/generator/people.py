"""Who the holders of posts are: sex, ethnicity, disability, age, hours, second jobs.

Everything here is fixed for a person's whole tenure (ESR records rarely
change); what changes by year (pay, HR events) is drawn per year in ``esr.py``.
"""

from __future__ import annotations

import polars as pl

from edi_platform.generator.chains import DAYS_PER_YEAR
from edi_platform.generator.effects import (
    BME_SHARE_8C_PLUS_RATIO,
    BME_SHARE_NON_EXECUTIVE_RATIO,
    MEDICAL_EXPERIENCE_ADVANTAGE_MALE_YEARS,
)
from edi_platform.generator.random_streams import RandomStreams
from edi_platform.generator.reference import ethnic_codes_by_group
from edi_platform.generator.roles import CATEGORY_MIX, MEDICAL_GRADES, role_table
from edi_platform.generator.traits import TrustTraits

NOT_STATED_SHARE = 0.03  # ethnic code Z
NOT_RECORDED_SHARE = 0.01  # ethnic origin left blank
# Spread of codes within each group, roughly as in the NHS workforce (many
# Indian, Filipino (L) and African staff). Codes without a weight get 1.
ETHNIC_CODE_WEIGHTS = {
    "A": 85,
    "B": 3,
    "C": 12,
    "D": 3,
    "E": 2,
    "F": 3,
    "G": 4,
    "H": 20,
    "J": 6,
    "K": 2,
    "L": 20,
    "M": 5,
    "N": 25,
    "P": 3,
    "R": 2,
    "S": 5,
}
# ESR disability: few declare; many are Not Declared or blank.
DISABILITY_OTHER_WEIGHTS = {"No": 75, "Not Declared": 12, "Prefer Not To Answer": 3, "": 10}
RELIGION_WEIGHTS = {
    "White": {
        "Christianity": 48,
        "Atheism": 22,
        "Islam": 0.5,
        "Hinduism": 0.2,
        "Sikhism": 0.2,
        "Judaism": 0.5,
        "Buddhism": 0.5,
        "Other": 3,
        "I do not wish to disclose my religion/belief": 16,
        "": 9,
    },
    "BME": {
        "Christianity": 40,
        "Atheism": 6,
        "Islam": 18,
        "Hinduism": 12,
        "Sikhism": 3,
        "Judaism": 0.2,
        "Buddhism": 2,
        "Other": 3,
        "I do not wish to disclose my religion/belief": 12,
        "": 4,
    },
    "Unknown": {
        "Christianity": 30,
        "Atheism": 10,
        "Islam": 3,
        "Hinduism": 2,
        "Other": 2,
        "I do not wish to disclose my religion/belief": 35,
        "": 18,
    },
}
ORIENTATION_WEIGHTS = {
    "Heterosexual or Straight": 82,
    "Gay or Lesbian": 1.8,
    "Bisexual": 1.2,
    "Other sexual orientation not listed": 0.3,
    "Undecided": 0.2,
    "Not stated (person asked but declined to provide a response)": 10,
    "": 4.5,
}
PART_TIME_SHARE = {
    ("medical", "Female"): 0.30,
    ("medical", "Male"): 0.08,
    ("other", "Female"): 0.38,
    ("other", "Male"): 0.12,
}
PART_TIME_FTE = {0.4: 1, 0.5: 2, 0.6: 2, 0.7: 1, 0.8: 3, 0.9: 1}
BANK_ONLY_FTE = {0.1: 1, 0.2: 2, 0.3: 2, 0.4: 2, 0.5: 1, 0.6: 1}
SECOND_ASSIGNMENT_SHARE = 0.055
SECOND_ASSIGNMENT_KIND = {
    "medical": {"Locum": 60, "Bank": 40},
    "other": {"Bank": 70, "Permanent": 30},
}
SECOND_ASSIGNMENT_FTE = {
    "Bank": {0.1: 1, 0.2: 2, 0.3: 1},
    "Locum": {0.2: 1, 0.3: 1, 0.4: 1},
    "Permanent": {0.2: 1, 0.3: 1, 0.4: 1},
}
NED_FTE = 0.1
# Doctors and everyone else differ in part-time working and second jobs.
_FAMILY = pl.when(pl.col("is_medical")).then(pl.lit("medical")).otherwise(pl.lit("other"))


def bme_known_share(posts: pl.DataFrame, trust_type: str, traits: TrustTraits) -> pl.Series:
    """Probability that a holder of known ethnicity is BME, per post.

    Senior posts (8c and above, and executives) get BME_SHARE_8C_PLUS_RATIO of
    the trust's share; the other posts share the rest in proportion to their
    staff group's multiplier, scaled so the workforce as a whole (excluding
    students and bank-only workers, as the metrics do) has the trust's share.
    """
    roles = role_table(trust_type)
    bank = {key: mix.get("Bank", 0) / sum(mix.values()) for key, mix in CATEGORY_MIX.items()}
    roles = roles.with_columns(
        workforce_weight=pl.col("weight")
        * (1 - pl.col("category_key").replace_strict(bank, return_dtype=pl.Float64))
        * (pl.col("staff_group") != "02")
    )
    executives = (
        traits.board.executive_voting + traits.board.executive_non_voting
    ) / traits.headcount
    senior = roles.filter(pl.col("is_8c_plus"))["workforce_weight"].sum() + executives
    other = roles.filter(~pl.col("is_8c_plus"))
    total = roles["workforce_weight"].sum() + executives
    senior_share = BME_SHARE_8C_PLUS_RATIO * traits.bme_share
    scale = (traits.bme_share * total - senior_share * senior) / (
        other["workforce_weight"] * other["bme_multiplier"]
    ).sum()
    return posts.select(
        pl.when(pl.col("bme_rule") == "senior")
        .then(senior_share)
        .when(pl.col("bme_rule") == "non_executive")
        .then(BME_SHARE_NON_EXECUTIVE_RATIO * traits.bme_share)
        .otherwise((scale * pl.col("bme_multiplier")).clip(0.0, 0.95))
    ).to_series()


def _ethnicity(holders: pl.DataFrame, bme_share: pl.Series, streams: RandomStreams) -> pl.DataFrame:
    n = holders.height
    groups = ethnic_codes_by_group()
    tables = {g: {c: ETHNIC_CODE_WEIGHTS.get(c, 1) for c in groups[g]} for g in ("White", "BME")}
    known_group = (
        pl.when(streams.bernoulli("bme", bme_share)).then(pl.lit("BME")).otherwise(pl.lit("White"))
    )
    status = streams.uniform("ethnicity_recorded", n)
    frame = pl.DataFrame({"status": status}).with_columns(group=known_group)
    code = streams.choice_within("ethnic_code", frame["group"], tables)
    return frame.with_columns(code=code).select(
        ethnic_code=pl.when(pl.col("status") < NOT_STATED_SHARE)
        .then(pl.lit("Z"))
        .when(pl.col("status") < NOT_STATED_SHARE + NOT_RECORDED_SHARE)
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col("code")),
        ethnic_group=pl.when(pl.col("status") < NOT_STATED_SHARE + NOT_RECORDED_SHARE)
        .then(pl.lit("Unknown"))
        .otherwise(pl.col("group")),
    )


def _blank_to_null(series: pl.Series) -> pl.Series:
    return series.replace("", None)


def assign_people(
    holders: pl.DataFrame, trust_type: str, traits: TrustTraits, streams: RandomStreams
) -> pl.DataFrame:
    """Add each holder's personal, static attributes to the holders frame."""
    n = holders.height
    holders = holders.with_columns(
        _ethnicity(holders, bme_known_share(holders, trust_type, traits), streams)
    )
    sex = (
        pl.when(streams.bernoulli("female", holders["female_share"]))
        .then(pl.lit("Female"))
        .otherwise(pl.lit("Male"))
    )
    start_year = holders["start_day"] / DAYS_PER_YEAR + 1970
    # ESR declaration has crept up over time, so later joiners declare a little more often.
    declares_disability = streams.bernoulli(
        "disability_yes", (0.045 + 0.002 * (start_year - 2020)).clip(0.02, 0.07)
    )
    other_disability = streams.choice("disability_other", n, DISABILITY_OTHER_WEIGHTS)
    holders = holders.with_columns(
        sex=sex,
        esr_disability=_blank_to_null(
            pl.select(
                pl.when(declares_disability).then(pl.lit("Yes")).otherwise(other_disability)
            ).to_series()
        ),
        religious_belief=_blank_to_null(
            streams.choice_within("religion", holders["ethnic_group"], RELIGION_WEIGHTS)
        ),
        sexual_orientation=_blank_to_null(streams.choice("orientation", n, ORIENTATION_WEIGHTS)),
        date_of_birth_day=(pl.col("start_day") - pl.col("age_at_start") * DAYS_PER_YEAR)
        .floor()
        .cast(pl.Int64),
        is_medical=pl.col("pay_band").is_in(MEDICAL_GRADES),
    )
    return holders.with_columns(_hours(holders, streams)).with_columns(
        *_experience(holders, streams), *_second_assignment(holders, streams)
    )


def _hours(holders: pl.DataFrame, streams: RandomStreams) -> list[pl.Expr]:
    n = holders.height
    part_time_share = holders.select(
        pl.concat_str(_FAMILY, pl.col("sex"), separator="|").replace_strict(
            {f"{f}|{s}": v for (f, s), v in PART_TIME_SHARE.items()}, return_dtype=pl.Float64
        )
    ).to_series()
    part_time = streams.bernoulli("part_time", part_time_share)
    part_time_fte = streams.choice("part_time_fte", n, PART_TIME_FTE)
    bank_fte = streams.choice("bank_only_fte", n, BANK_ONLY_FTE)
    # A quarter of full-time consultants work extra programmed activities (1.1-1.2 FTE).
    extra_sessions = streams.choice("extra_sessions", n, {1.0: 75, 1.1: 15, 1.2: 10})
    return [
        pl.when(pl.col("assignment_category") == "Non-Executive Director")
        .then(NED_FTE)
        .when(pl.col("board_role").is_not_null() | (pl.col("staff_group") == "02"))
        .then(1.0)
        .when(pl.col("assignment_category") == "Bank")
        .then(bank_fte)
        .when(part_time)
        .then(part_time_fte)
        .when(pl.col("pay_band") == "Consultant")
        .then(extra_sessions)
        .otherwise(1.0)
        .alias("fte"),
        # Doctors' contracts are 40 hours a week, Agenda for Change 37.5.
        pl.when(pl.col("is_medical")).then(40.0).otherwise(37.5).alias("hours_per_fte"),
    ]


def _experience(holders: pl.DataFrame, streams: RandomStreams) -> list[pl.Expr]:
    n = holders.height
    advantage = (
        pl.when(pl.col("sex") == "Male")
        .then(
            pl.col("pay_band").replace_strict(
                MEDICAL_EXPERIENCE_ADVANTAGE_MALE_YEARS, default=0.0, return_dtype=pl.Float64
            )
        )
        .otherwise(0.0)
    )
    prior = streams.uniform("prior_experience", n) * 6.0
    return [
        # Years of grade experience on starting the post: drives the pay point.
        pl.when(pl.col("board_role").is_null())
        .then(prior + advantage)
        .otherwise(0.0)
        .alias("prior_years"),
        streams.uniform("pay_draw", n).alias("pay_draw"),
    ]


def _second_assignment(holders: pl.DataFrame, streams: RandomStreams) -> list[pl.Expr]:
    n = holders.height
    kind_family = holders.select(_FAMILY).to_series()
    kind = streams.choice_within("second_kind", kind_family, SECOND_ASSIGNMENT_KIND)
    second_fte = streams.choice_within("second_fte", kind, SECOND_ASSIGNMENT_FTE)
    eligible = (
        pl.col("board_role").is_null()
        & (pl.col("staff_group") != "02")
        & (pl.col("assignment_category") != "Bank")
    )
    has_second = eligible & streams.bernoulli("second_assignment", SECOND_ASSIGNMENT_SHARE, n)
    return [
        pl.when(has_second)
        .then(kind)
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("second_category"),
        pl.when(has_second).then(second_fte).otherwise(None).alias("second_fte"),
    ]
