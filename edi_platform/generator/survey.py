"""The staff_survey extract of one trust-year: NHS Staff Survey counts by group.

Trusts receive aggregated counts, but counts that add up properly are
easiest to get by simulating respondents and counting them: each breakdown
then sums to at most the overall figure, and a combined item (harassment from
managers *or* colleagues) agrees with its parts. Respondents are a sample of
the year's workforce. Which questions exist, and their options, come from the
question map seed; this module only knows what each metric's question is
about (its "construct") and how likely each group is to report it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from edi_platform.generator.effects import (
    ADJUSTMENTS_MADE_PCT,
    ENGAGEMENT_SCORE,
    SURVEY_DISABILITY_RATIO,
    SURVEY_DISABLED_SHARE,
    SURVEY_ETHNICITY_PCT,
    SURVEY_ETHNICITY_RATIO,
)
from edi_platform.generator.esr import EsrYear
from edi_platform.generator.population import TrustPopulation
from edi_platform.generator.profiles import PROFILES
from edi_platform.generator.random_streams import RandomStreams
from edi_platform.generator.reference import SurveyQuestion, survey_questions
from edi_platform.years import ReportingYear

METRIC_CONSTRUCT = {
    "wres_5": "hba_public",
    "wdes_4a_i": "hba_public",
    "wres_6": "hba_staff_any",
    "wdes_4a_ii": "hba_managers",
    "wdes_4a_iii": "hba_colleagues",
    "wdes_4b": "reported",
    "wres_7": "equal_opportunities",
    "wdes_5": "equal_opportunities",
    "wres_8": "discrimination",
    "wdes_6": "presenteeism_pressure",
    "wdes_7": "valued",
    "wdes_8": "adjustments",
    "wdes_9a": "engagement",
    "va_survey_physical_public": "physical_public",
    "va_survey_physical_managers": "physical_managers",
    "va_survey_physical_colleagues": "physical_colleagues",
    "va_survey_sexual_public": "sexual_public",
    "va_survey_sexual_staff": "sexual_staff",
}
# Per cent with the event where neither ethnicity nor the setting sets it.
BASE_PCT = {
    "reported": 50.0,
    "presenteeism_pressure": 22.0,
    "valued": 42.0,
    "physical_managers": 1.0,
    "physical_colleagues": 1.8,
    "sexual_staff": 3.8,
}
SETTING_CONSTRUCTS = ("hba_public", "physical_public", "sexual_public")  # base rate by trust type
# Harassment from staff comes from managers only, colleagues only, or both.
STAFF_HARASSMENT_SOURCE = {"managers": 25, "colleagues": 45, "both": 30}
CAME_TO_WORK_UNWELL_SHARE = 0.56  # the presenteeism question is asked of these
# Of Disabled respondents; the adjustments question is asked of these.
NEEDS_ADJUSTMENTS_SHARE = 0.75
SEXUAL_BEHAVIOUR_BY_SEX = {"Female": 1.2, "Male": 0.6, "Unknown": 1.0}
ITEM_RESPONSE_RATE = 0.97  # respondents skip a few questions
PREFER_NOT_TO_SAY = 0.02  # respondents who do not give ethnicity / disability / sex

# How an answer is spread over the options, given whether it is an event.
EVENT_OPTION_WEIGHTS = {
    "1-2": 55,
    "3-5": 25,
    "6-10": 10,
    "More than 10": 10,
    "Yes, I reported it": 60,
    "Yes, a colleague reported it": 40,
    "Satisfied": 80,
    "Very satisfied": 20,
}
NON_EVENT_OPTION_WEIGHTS = {
    "equal_opportunities": {"No": 35, "Don't know": 65},
    "reported": {"No": 70, "Don't know": 30},
    "valued": {
        "Very dissatisfied": 15,
        "Dissatisfied": 35,
        "Neither satisfied nor dissatisfied": 50,
    },
}
BREAKDOWNS = (
    ("overall", "all_group", ("all",)),
    ("ethnicity", "ethnic_group", ("White", "BME")),
    ("disability", "survey_disability", ("Disabled", "Non-disabled")),
    ("sex", "survey_sex", ("Male", "Female")),
)


def staff_survey_year(
    population: TrustPopulation, esr: EsrYear, year: ReportingYear, streams: RandomStreams
) -> pl.DataFrame:
    questions = survey_questions(year.survey_year)
    respondents = _respondents(population, esr, streams)
    experiences = _experiences(respondents, population, streams)
    answers = pl.concat(
        [_answers(q, respondents, experiences, streams) for q in questions], how="vertical"
    )
    return _counts(questions, respondents, answers, population.trust.org_code, year.survey_year)


def _respondents(population: TrustPopulation, esr: EsrYear, streams: RandomStreams) -> pl.DataFrame:
    staff = esr.people.filter(pl.col("in_workforce"))
    staff = staff.filter(
        streams.bernoulli("responds", population.traits.survey_response_rate, staff.height)
    )
    n = staff.height
    # The survey asks about long-term conditions: far more say yes than declare in ESR.
    declared = staff["esr_disability"] == "Yes"
    declared_share = declared.mean() if n else 0.0
    other_share = max(
        0.0, (SURVEY_DISABLED_SHARE - 0.9 * declared_share) / max(1e-9, 1 - declared_share)
    )
    disabled = (
        streams.uniform("disabled", n)
        < pl.select(pl.when(declared).then(0.9).otherwise(other_share)).to_series()
    )
    withheld = {
        name: streams.uniform(f"withheld/{name}", n) < PREFER_NOT_TO_SAY
        for name in ("ethnicity", "disability", "sex")
    }
    return (
        staff.select("ethnic_group", "sex")
        .with_columns(
            all_group=pl.lit("all"),
            ethnic_group=pl.when(withheld["ethnicity"])
            .then(pl.lit("Unknown"))
            .otherwise(pl.col("ethnic_group")),
            survey_disability=pl.when(withheld["disability"])
            .then(pl.lit("Unknown"))
            .when(disabled)
            .then(pl.lit("Disabled"))
            .otherwise(pl.lit("Non-disabled")),
            survey_sex=pl.when(withheld["sex"]).then(pl.lit("Unknown")).otherwise(pl.col("sex")),
        )
        .with_row_index("respondent")
    )


def _event_probability(
    construct: str, respondents: pl.DataFrame, population: TrustPopulation
) -> pl.Series:
    """Chance of the event for each respondent: the group's base rate, shifted for disability.

    The disability ratio is applied relative to the respondents' average, so
    the ethnic groups' rates stay as planted whatever a trust's disability mix.
    """
    ethnic = pl.col("ethnic_group")
    if construct in SURVEY_ETHNICITY_PCT:
        pct = SURVEY_ETHNICITY_PCT[construct]
        base = pl.when(ethnic == "BME").then(pct["BME"]).otherwise(pct["White"]) / 100
    elif construct in SETTING_CONSTRUCTS:
        level = PROFILES[population.trust.type].survey_public_pct[construct] / 100
        level *= population.traits.survey_public_factor
        ratio = SURVEY_ETHNICITY_RATIO.get(construct, 1.0)
        base = pl.when(ethnic == "BME").then(level * ratio).otherwise(level)
    else:
        base = pl.lit(BASE_PCT[construct] / 100)
    ratio = SURVEY_DISABILITY_RATIO.get(construct, 1.0)
    known = respondents.filter(pl.col("survey_disability") != "Unknown")
    disabled_share = (known["survey_disability"] == "Disabled").mean() if known.height else 0.0
    average = disabled_share * ratio + (1 - disabled_share)
    disability = pl.col("survey_disability")
    factor = (
        pl.when(disability == "Disabled")
        .then(ratio / average)
        .when(disability == "Non-disabled")
        .then(1 / average)
        .otherwise(1.0)
    )
    if construct.startswith("sexual"):
        factor = factor * pl.col("survey_sex").replace_strict(
            SEXUAL_BEHAVIOUR_BY_SEX, return_dtype=pl.Float64
        )
    return respondents.select((base * factor).clip(0.0, 1.0)).to_series()


@dataclass(frozen=True)
class Experiences:
    events: dict[str, pl.Series]  # by construct: whether each respondent had the event
    asked: dict[str, pl.Series]  # routed constructs only: who is asked (others: everyone)


def _experiences(
    respondents: pl.DataFrame, population: TrustPopulation, streams: RandomStreams
) -> Experiences:
    """Each respondent's experiences, and who is asked the routed questions."""
    n = respondents.height

    def event(construct: str) -> pl.Series:
        return streams.uniform(f"event/{construct}", n) < _event_probability(
            construct, respondents, population
        )

    staff_any = event("hba_staff_any")
    source = streams.choice("staff_harassment_source", n, STAFF_HARASSMENT_SOURCE)
    hba_public = event("hba_public")
    disabled = respondents["survey_disability"] == "Disabled"
    events = {
        construct: event(construct)
        for construct in (
            "equal_opportunities",
            "discrimination",
            "presenteeism_pressure",
            "valued",
            "physical_public",
            "physical_managers",
            "physical_colleagues",
            "sexual_public",
            "sexual_staff",
            "reported",
        )
    }
    events.update(
        hba_public=hba_public,
        hba_staff_any=staff_any,
        hba_managers=staff_any & (source != "colleagues"),
        hba_colleagues=staff_any & (source != "managers"),
        adjustments=streams.uniform("event/adjustments", n) < ADJUSTMENTS_MADE_PCT / 100,
    )
    asked = {
        "reported": hba_public | staff_any,
        "presenteeism_pressure": streams.uniform("came_unwell", n) < CAME_TO_WORK_UNWELL_SHARE,
        "adjustments": disabled
        & (streams.uniform("needs_adjustments", n) < NEEDS_ADJUSTMENTS_SHARE),
    }
    return Experiences(events=events, asked=asked)


def _answers(
    question: SurveyQuestion,
    respondents: pl.DataFrame,
    experiences: Experiences,
    streams: RandomStreams,
) -> pl.DataFrame:
    construct = METRIC_CONSTRUCT[question.metric_ids[0]]
    n = respondents.height
    # Items about harassment from staff are one block: answered, or skipped, together.
    block = (
        "hba_staff"
        if construct.startswith(("hba_staff", "hba_managers", "hba_colleagues"))
        else question.code
    )
    answered = streams.uniform(f"answered/{block}", n) < ITEM_RESPONSE_RATE
    if construct in experiences.asked:
        answered = answered & experiences.asked[construct]
    if question.option_scores is not None:
        option = _scored_option(question, respondents, streams)
    else:
        option = _event_option(question, construct, experiences.events[construct], streams)
    return (
        pl.DataFrame({"respondent": respondents["respondent"], "option": option})
        .filter(answered)
        .select(pl.lit(question.code).alias("question_code"), "respondent", "option")
    )


def _event_option(
    question: SurveyQuestion, construct: str, event: pl.Series, streams: RandomStreams
) -> pl.Series:
    n = len(event)
    non_event = [o for o in question.options if o not in question.event_options]
    weights = NON_EVENT_OPTION_WEIGHTS.get(construct, {})
    if_not = streams.choice(
        f"option/{question.code}/none", n, {o: weights.get(o, 1) for o in non_event}
    )
    if not question.event_options:
        return if_not
    if_event = streams.choice(
        f"option/{question.code}/event",
        n,
        {o: EVENT_OPTION_WEIGHTS.get(o, 1) for o in question.event_options},
    )
    return pl.select(pl.when(event).then(if_event).otherwise(if_not)).to_series()


def _scored_option(
    question: SurveyQuestion, respondents: pl.DataFrame, streams: RandomStreams
) -> pl.Series:
    """Answers whose mean score is the group's planted engagement score."""
    targets = {
        **ENGAGEMENT_SCORE,
        "Unknown": sum(ENGAGEMENT_SCORE.values()) / len(ENGAGEMENT_SCORE),
    }
    tables = {
        group: dict(
            zip(question.options, _tilted_weights(question.option_scores, target), strict=True)
        )
        for group, target in targets.items()
    }
    return streams.choice_within(
        f"option/{question.code}", respondents["survey_disability"], tables
    )


def _tilted_weights(scores: tuple[float, ...], target: float) -> list[float]:
    """Weights proportional to exp(theta * score) with the given mean score (bisection on theta)."""

    def mean(theta: float) -> float:
        weights = [math.exp(theta * s) for s in scores]
        return sum(w * s for w, s in zip(weights, scores, strict=True)) / sum(weights)

    low, high = -5.0, 5.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if mean(middle) < target else (low, middle)
    return [math.exp(low * s) for s in scores]


def _counts(
    questions: tuple[SurveyQuestion, ...],
    respondents: pl.DataFrame,
    answers: pl.DataFrame,
    org_code: str,
    survey_year: int,
) -> pl.DataFrame:
    answers = answers.join(respondents, on="respondent", how="left")
    counted = [
        answers.filter(pl.col(column).is_in(groups))
        .group_by(
            "question_code",
            pl.col(column).alias("group"),
            pl.col("option").alias("response_option"),
        )
        .agg(pl.len().cast(pl.Int64).alias("responses"))
        .with_columns(breakdown=pl.lit(breakdown))
        for breakdown, column, groups in BREAKDOWNS
    ]
    # Every option of every group, zero counts included, in questionnaire order.
    grid = [
        {"question_code": q.code, "breakdown": breakdown, "group": g, "response_option": o}
        for q in questions
        for breakdown, _, groups in BREAKDOWNS
        for g in groups
        for o in q.options
    ]
    return (
        pl.DataFrame(grid)
        .join(
            pl.concat(counted, how="diagonal"),
            on=["question_code", "breakdown", "group", "response_option"],
            how="left",
            maintain_order="left",
        )
        .select(
            pl.lit(org_code).alias("org_code"),
            pl.lit(survey_year).alias("survey_year"),
            "question_code",
            "breakdown",
            "group",
            "response_option",
            pl.col("responses").fill_null(0),
        )
    )
