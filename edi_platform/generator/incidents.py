"""The incidents extract of one trust-year: violence and aggression against staff."""

from __future__ import annotations

import math
from datetime import timedelta

import polars as pl

from edi_platform.generator.chains import day_number
from edi_platform.generator.effects import INCIDENT_TREND, VICTIM_LINKED_SHARE, VICTIM_RL_BME
from edi_platform.generator.esr import EsrYear
from edi_platform.generator.population import TrustPopulation
from edi_platform.generator.profiles import PROFILES
from edi_platform.generator.random_streams import RandomStreams
from edi_platform.years import ReportingYear

# How exposed each staff group is (relative chance of being the victim).
EXPOSURE_BY_STAFF_GROUP = {
    "01": 0.6,
    "02": 0.5,
    "03": 1.5,
    "04": 0.8,
    "05": 0.6,
    "06": 0.3,
    "07": 1.6,
    "08": 0.2,
    "09": 0.4,
    "10": 1.4,
}
VICTIM_ETHNICITY_MULTIPLIER = {"White": 1.0, "BME": VICTIM_RL_BME, "Unknown": 1.0}
# The victim number field: a linking number, one that links to no one, or blank.
VICTIM_RECORD = {
    "linked": VICTIM_LINKED_SHARE,
    "unknown_number": 0.03,
    "blank": 1 - VICTIM_LINKED_SHARE - 0.03,
}
STRIPPED_ZEROS_SHARE = 0.5  # of linking numbers that start with 0: typed without them
HARM = {
    "Physical assault": {"No harm": 45, "Low": 40, "Moderate": 12, "Severe": 2.9, "Death": 0.1},
    "Sexual": {"No harm": 55, "Low": 35, "Moderate": 9, "Severe": 1},
    "default": {"No harm": 75, "Low": 22, "Moderate": 2.8, "Severe": 0.2},
}
POLICE_SHARE = {
    "Physical assault": 0.25,
    "Sexual": 0.30,
    "Threatening behaviour": 0.15,
    "Verbal abuse": 0.08,
    "Other": 0.05,
}
WINTER_PEAK = 0.15  # incidents run this much above average in January, below in July
# Free text is fake, and a few descriptions name someone so the platform can
# show that it drops the column.
DESCRIPTIONS = {
    "Physical assault": [
        "Patient struck staff member on the arm during personal care.",
        "Staff member pushed against a wall while restraining a patient.",
        "Patient kicked out during a clinical procedure, bruising staff member.",
    ],
    "Verbal abuse": [
        "Relative shouted and swore at staff about waiting times.",
        "Patient used abusive, racist language towards the nurse in charge.",
        "Caller was verbally abusive on the phone, threatening a complaint.",
    ],
    "Threatening behaviour": [
        "Patient threatened to hit staff if not discharged.",
        "Visitor followed staff member to the car park, making threats.",
        "Patient raised a chair in a threatening manner.",
    ],
    "Sexual": [
        "Patient made unwanted sexual comments to a healthcare assistant.",
        "Staff member touched inappropriately by a patient during observations.",
    ],
    "Other": [
        "Patient spat at staff member.",
        "Property damaged by patient, staff member distressed.",
    ],
}
FAKE_NAMES = (
    "Alex Taylor",
    "Sam Okafor",
    "Jordan Patel",
    "Morgan Byrne",
    "Zoë Hughes",
    "Siobhán Kelly",
)
NAMED_SHARE = 0.03


def incident_count(
    population: TrustPopulation, wte: float, year: ReportingYear, streams: RandomStreams
) -> int:
    rate = population.traits.incident_rate * (1 + INCIDENT_TREND) ** (
        year.first_calendar_year - 2023
    )
    return streams.poisson("count", rate * wte / 1000)


def incidents_year(
    population: TrustPopulation, esr: EsrYear, year: ReportingYear, streams: RandomStreams
) -> pl.DataFrame:
    workforce = esr.people.filter(pl.col("in_workforce"))
    n = incident_count(population, workforce["wte"].sum(), year, streams)
    profile = PROFILES[population.trust.type]
    victims = _victims(workforce, n, streams)
    category = streams.choice("category", n, profile.incident_categories)
    harm_key = category.replace_strict({c: c for c in HARM}, default="default")
    record = streams.choice("victim_record", n, VICTIM_RECORD)
    number = victims["employee_number"]
    stripped = (
        (record == "linked")
        & number.str.starts_with("0")
        & (streams.uniform("stripped_zeros", n) < STRIPPED_ZEROS_SHARE)
    )
    # Numbers beyond everyone the trust ever employed link to no one.
    unknown_number = population.employee_numbers(
        population.people.height + pl.int_range(0, n, eager=True)
    )
    victim_number = pl.select(
        pl.when(record == "blank")
        .then(None)
        .when(record == "unknown_number")
        .then(unknown_number)
        .when(stripped)
        .then(number.str.strip_chars_start("0"))
        .otherwise(number)
    ).to_series()
    first_id = 100_000 + (year.first_calendar_year % 100) * 10_000
    return pl.DataFrame(
        {
            "org_code": pl.Series([population.trust.org_code] * n, dtype=pl.String),
            "incident_id": (pl.int_range(0, n, eager=True) + first_id).cast(pl.String),
            "incident_date": _dates(year, n, streams),
            "category": category,
            "perpetrator": streams.choice("perpetrator", n, profile.perpetrators),
            "harm_level": streams.choice_within("harm", harm_key, HARM),
            "staff_group": victims["staff_group"],
            "reported_to_police": streams.uniform("police", n)
            < category.replace_strict(POLICE_SHARE, return_dtype=pl.Float64),
            "victim_employee_number": victim_number,
            "description": _descriptions(category, streams),
        }
    ).sort("incident_date", "incident_id")


def _victims(workforce: pl.DataFrame, n: int, streams: RandomStreams) -> pl.DataFrame:
    """The staff member hurt in each incident, drawn with replacement.

    Exposure by staff group is scaled within each ethnic group to average 1,
    so the BME/White ratio of incidents per head is exactly the planted
    VICTIM_RL_BME in expectation, whatever the groups' staff mix.
    """
    exposure = pl.col("staff_group").replace_strict(
        EXPOSURE_BY_STAFF_GROUP, return_dtype=pl.Float64
    )
    weights = workforce.select(
        exposure
        / exposure.mean().over("ethnic_group")
        * pl.col("ethnic_group").replace_strict(
            VICTIM_ETHNICITY_MULTIPLIER, return_dtype=pl.Float64
        )
    ).to_series()
    index = streams.weighted_indices("victim", n, weights)
    return workforce.select("employee_number", "staff_group")[index]


def _dates(year: ReportingYear, n: int, streams: RandomStreams) -> pl.Series:
    """Dates across the year, a little busier in winter."""
    months = []
    month_start = year.start
    while month_start <= year.end:
        next_month = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
        days = (next_month - month_start).days
        weight = days * (1 + WINTER_PEAK * math.cos(2 * math.pi * (month_start.month - 1) / 12))
        months.append((month_start, days, weight))
        month_start = next_month
    month = streams.choice("month", n, {i: w for i, (_, _, w) in enumerate(months)})
    first_day = month.replace_strict(
        {i: day_number(start) for i, (start, _, _) in enumerate(months)}
    )
    length = month.replace_strict({i: days for i, (_, days, _) in enumerate(months)})
    offset = (streams.uniform("day_in_month", n) * length).floor().cast(pl.Int64)
    return (first_day + offset).cast(pl.Int32).cast(pl.Date)


def _descriptions(category: pl.Series, streams: RandomStreams) -> pl.Series:
    n = len(category)
    text = streams.choice_within(
        "description", category, {c: dict.fromkeys(texts, 1) for c, texts in DESCRIPTIONS.items()}
    )
    name = streams.choice("name", n, dict.fromkeys(FAKE_NAMES, 1))
    named = streams.uniform("named", n) < NAMED_SHARE
    return pl.select(
        pl.when(named).then(pl.format("{} Staff member involved: {}.", text, name)).otherwise(text)
    ).to_series()
