"""The recruitment extract of one trust-year: applications to posts advertised in the year."""

from __future__ import annotations

import polars as pl

from edi_platform.generator.effects import (
    APPOINTMENT_RL_NON_DISABLED,
    APPOINTMENT_RL_WHITE,
    SHORTLISTING_RL_WHITE,
)
from edi_platform.generator.esr import EsrYear
from edi_platform.generator.people import ETHNIC_CODE_WEIGHTS, NOT_RECORDED_SHARE, NOT_STATED_SHARE
from edi_platform.generator.population import TrustPopulation
from edi_platform.generator.random_streams import RandomStreams
from edi_platform.generator.reference import ethnic_codes_by_group
from edi_platform.generator.roles import role_table
from edi_platform.years import ReportingYear

APPLICATIONS_PER_STAFF = (3.0, 4.0)
APPLICANTS_PER_VACANCY = (5, 30)
# Applicants are more diverse than staff (international recruitment), capped.
APPLICANT_BME_FACTOR, APPLICANT_BME_CAP = 1.6, 0.75
APPLICANT_DISABILITY = {"Yes": 6, "No": 86, "Not Declared": 4, "Prefer Not To Answer": 2, "": 2}
APPLICANT_SEX = {"Female": 71, "Male": 28, "": 1}
SHORTLISTED_SHARE = 0.25  # of applicants
APPOINTED_SHARE = 0.25  # of shortlisted applicants
# Relative chances; Unknown groups sit midway so they disturb neither planted ratio.
SHORTLIST_BY_ETHNICITY = {
    "White": SHORTLISTING_RL_WHITE,
    "BME": 1.0,
    "Unknown": (1 + SHORTLISTING_RL_WHITE) / 2,
}
APPOINT_BY_ETHNICITY = {
    "White": APPOINTMENT_RL_WHITE,
    "BME": 1.0,
    "Unknown": (1 + APPOINTMENT_RL_WHITE) / 2,
}
_MIDWAY = (1 + APPOINTMENT_RL_NON_DISABLED) / 2
APPOINT_BY_DISABILITY = {
    "No": APPOINTMENT_RL_NON_DISABLED,
    "Yes": 1.0,
    "Not Declared": _MIDWAY,
    "Prefer Not To Answer": _MIDWAY,
    "": _MIDWAY,
}


def _vacancy_bands(trust_type: str) -> dict[str, float]:
    """Bands of advertised posts: the trust's post mix, less posts filled nationally."""
    roles = role_table(trust_type).filter(
        (pl.col("pay_band") != "Trainee grade") & (pl.col("staff_group") != "02")
    )
    weights = roles.group_by("pay_band", maintain_order=True).agg(pl.col("weight").sum())
    return dict(zip(weights["pay_band"], weights["weight"], strict=True))


def _mean(weights: dict[str, float], multipliers: dict[str, float]) -> float:
    return sum(weights[k] * multipliers[k] for k in weights) / sum(weights.values())


def recruitment_year(
    population: TrustPopulation, esr: EsrYear, year: ReportingYear, streams: RandomStreams
) -> pl.DataFrame:
    headcount = esr.people["in_workforce"].sum()
    target = round(headcount * streams.between("applications_per_staff", *APPLICATIONS_PER_STAFF))
    sizes = streams.integers(
        "vacancy_size", target // APPLICANTS_PER_VACANCY[0] + 1, *APPLICANTS_PER_VACANCY
    )
    sizes = sizes.filter(sizes.cum_sum() - sizes < target)
    vacancy_band = streams.choice("vacancy_band", len(sizes), _vacancy_bands(population.trust.type))
    short_year = f"{year.first_calendar_year % 100:02d}"
    applications = (
        pl.DataFrame(
            {
                "vacancy": pl.int_range(0, len(sizes), eager=True),
                "size": sizes,
                "pay_band": vacancy_band,
            }
        )
        .with_columns(applicant=pl.int_ranges(0, "size"))
        .explode("applicant")
        .drop("size", "applicant")
    )
    n = applications.height

    bme_share = min(APPLICANT_BME_CAP, population.traits.bme_share * APPLICANT_BME_FACTOR)
    known = 1 - NOT_STATED_SHARE - NOT_RECORDED_SHARE
    ethnic_mix = {
        "White": known * (1 - bme_share),
        "BME": known * bme_share,
        "Unknown": NOT_STATED_SHARE + NOT_RECORDED_SHARE,
    }
    group = streams.choice("ethnic_group", n, ethnic_mix)
    codes = ethnic_codes_by_group()
    tables = {g: {c: ETHNIC_CODE_WEIGHTS.get(c, 1) for c in codes[g]} for g in ("White", "BME")}
    tables["Unknown"] = {"Z": NOT_STATED_SHARE, "": NOT_RECORDED_SHARE}
    ethnic_code = streams.choice_within("ethnic_code", group, tables)
    disability = streams.choice("disability", n, APPLICANT_DISABILITY)

    shortlist_base = SHORTLISTED_SHARE / _mean(ethnic_mix, SHORTLIST_BY_ETHNICITY)
    appoint_base = APPOINTED_SHARE / (
        _mean(ethnic_mix, APPOINT_BY_ETHNICITY) * _mean(APPLICANT_DISABILITY, APPOINT_BY_DISABILITY)
    )
    shortlisted = streams.uniform("shortlisted", n) < shortlist_base * group.replace_strict(
        SHORTLIST_BY_ETHNICITY, return_dtype=pl.Float64
    )
    appointed = shortlisted & (
        streams.uniform("appointed", n)
        < appoint_base
        * group.replace_strict(APPOINT_BY_ETHNICITY, return_dtype=pl.Float64)
        * disability.replace_strict(APPOINT_BY_DISABILITY, return_dtype=pl.Float64)
    )
    return applications.with_row_index("application").select(
        pl.lit(population.trust.org_code).alias("org_code"),
        pl.format(
            "A{}{}", pl.lit(short_year), pl.col("application").cast(pl.String).str.zfill(7)
        ).alias("application_id"),
        pl.format(
            "{}-{}-{}",
            pl.lit(population.trust.org_code),
            pl.lit(short_year),
            pl.col("vacancy").cast(pl.String).str.zfill(5),
        ).alias("vacancy_id"),
        "pay_band",
        ethnic_code.replace("", None).alias("ethnic_origin"),
        disability.replace("", None).alias("disability"),
        streams.choice("sex", n, APPLICANT_SEX).replace("", None).alias("sex"),
        shortlisted.alias("shortlisted"),
        appointed.alias("appointed"),
    )
