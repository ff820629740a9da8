"""Code lists and the survey question map, read from the dbt seeds.

The seeds are the one place these lists live; the generator reads them rather
than repeating them, so a code added to a seed is generated too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from edi_platform.paths import SEEDS_DIR


def _seed(name: str) -> pl.DataFrame:
    # Every column as text: staff group codes keep their leading zero.
    return pl.read_csv(SEEDS_DIR / f"{name}.csv", infer_schema=False)


@cache
def ethnic_descriptions() -> dict[str, str]:
    """Ethnic category code -> description (``A`` -> ``White - British``)."""
    seed = _seed("ethnic_categories")
    return dict(zip(seed["ethnic_category_code"], seed["description"], strict=True))


@cache
def ethnic_codes_by_group() -> dict[str, tuple[str, ...]]:
    """WRES group (White, BME, Unknown) -> its ethnic category codes."""
    seed = _seed("ethnic_categories")
    return {
        group: tuple(seed.filter(pl.col("wres_group") == group)["ethnic_category_code"])
        for group in seed["wres_group"].unique(maintain_order=True)
    }


@cache
def staff_group_names() -> dict[str, str]:
    """Staff group code -> name (``03`` -> ``Nursing and Midwifery Registered``)."""
    seed = _seed("staff_groups")
    return dict(zip(seed["staff_group_code"], seed["staff_group_name"], strict=True))


@cache
def pay_bands_8c_and_above() -> frozenset[str]:
    seed = _seed("pay_bands")
    return frozenset(seed.filter(pl.col("is_8c_and_above") == "true")["pay_band"])


@dataclass(frozen=True)
class SurveyQuestion:
    code: str
    metric_ids: tuple[str, ...]
    options: tuple[str, ...]
    event_options: tuple[str, ...]
    option_scores: tuple[float, ...] | None


@cache
def question_map() -> pl.DataFrame:
    return _seed("question_map").with_columns(pl.col("survey_year").cast(pl.Int32))


def survey_map_year(survey_year: int) -> int:
    """The question map year a survey uses: its own, or the nearest one mapped.

    The map covers the surveys the platform has been checked against; a year
    outside it (a far backfill or a future year) reuses the nearest numbering.
    """
    mapped = question_map()["survey_year"].unique().sort()
    return int(min(mapped, key=lambda y: (abs(y - survey_year), y)))


@cache
def survey_questions(survey_year: int) -> tuple[SurveyQuestion, ...]:
    """The questions of one survey year, each once, in question map order."""
    rows = question_map().filter(pl.col("survey_year") == survey_map_year(survey_year))
    questions: dict[str, SurveyQuestion] = {}
    for row in rows.iter_rows(named=True):
        code = row["question_code"]
        if code in questions:
            known = questions[code]
            questions[code] = SurveyQuestion(
                code,
                (*known.metric_ids, row["metric_id"]),
                known.options,
                known.event_options,
                known.option_scores,
            )
            continue
        scores = row["option_scores"]
        questions[code] = SurveyQuestion(
            code=code,
            metric_ids=(row["metric_id"],),
            options=tuple(row["response_options"].split("|")),
            event_options=tuple(row["event_options"].split("|")) if row["event_options"] else (),
            option_scores=tuple(float(s) for s in scores.split("|")) if scores else None,
        )
    return tuple(questions.values())
