"""The one-query answer (model_passes) agrees with pandera on every kind of rule.

Ingest trusts a "yes" from model_passes and skips pandera, so a wrong yes would load
a bad row. Each case starts from a valid raw frame (written by ingest from valid
rows), breaks one rule of the model directly, and checks that pandera and
model_passes both say no; the untouched frame, and frames with blanks where the
model allows them, both say yes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandera.errors
import polars as pl
import pytest
from test_ingest_support import ingest, land_csv, raw, valid_rows

from edi_platform.ingest.model_passes import model_passes
from edi_platform.ingest.schemas import MODELS


def _set(column: str, value, row: int = 1):
    """Row ``row`` of ``column`` becomes ``value`` (same dtype)."""

    def change(frame: pl.DataFrame) -> pl.DataFrame:
        dtype = frame.schema[column]
        new = pl.lit(value, dtype=dtype) if value is not None else pl.lit(None, dtype=dtype)
        at_row = pl.int_range(pl.len()) == row
        return frame.with_columns(pl.when(at_row).then(new).otherwise(pl.col(column)).alias(column))

    return change


def _copy_row(column: str, source: int = 0, target: int = 1):
    """Row ``target`` of ``column`` takes row ``source``'s value (a duplicate key)."""

    def change(frame: pl.DataFrame) -> pl.DataFrame:
        return _set(column, frame[column][source], target)(frame)

    return change


def _then(*changes):
    def change(frame: pl.DataFrame) -> pl.DataFrame:
        for step in changes:
            frame = step(frame)
        return frame

    return change


SURVEY_KEY = ("question_code", "breakdown", "respondent_group", "response_option")

BROKEN = {
    "esr_staff": {
        "org_code pattern": _set("org_code", "R1"),
        "reporting_year pattern": _set("reporting_year", "2023/24"),
        "source_row at least 2": _set("source_row", 1),
        "source_row unique": _copy_row("source_row"),
        "person_id pseudonym": _set("person_id", "not-a-pseudonym"),
        "pay_band code": _set("pay_band", "Band 10"),
        "optional code still checked": _set("ethnic_category_code", "Q"),
        "age_band required": _set("age_band", None),
        "fte above 0": _set("fte", 0.0),
        "fte not NaN": _set("fte", float("nan")),
        "hours at most 80": _set("weekly_contracted_hours", 80.5),
        "pay at least 0": _set("ordinary_pay_period", Decimal("-0.01")),
        "bonus at most 200,000": _set("bonus_pay_12m", Decimal("200000.01")),
        "days at most 31": _set("pay_period_days", 32),
        "flag required": _set("board_member", None),
        "assignment unique": _copy_row("assignment_id"),
        "one primary per person": _set("is_primary_assignment", False, row=0),
        "voting needs board member": _then(_set("board_member", False), _set("board_voting", True)),
        "executive needs board member": _then(
            _set("board_member", False), _set("board_executive", True)
        ),
    },
    "recruitment": {
        "application_id unique": _copy_row("application_id"),
        "vacancy_id required": _set("vacancy_id", None),
        "sex code": _set("sex", "Other"),
        "appointed needs shortlisted": _then(_set("shortlisted", False), _set("appointed", True)),
    },
    "staff_survey": {
        "responses at least 0": _set("responses", -1),
        "breakdown code": _set("breakdown", "Age"),
        "group in its breakdown": _set("respondent_group", "Disabled"),  # rows are ethnicity
        "survey key unique": _then(*(_copy_row(c) for c in SURVEY_KEY)),
    },
    "incidents": {
        "incident_id unique": _copy_row("incident_id"),
        "harm level code": _set("harm_level", "Catastrophic"),
        "victim pseudonym when given": _set("victim_person_id", "E123"),
        "date in the reporting year": _set("incident_date", dt.date(2024, 4, 1)),
        "date required": _set("incident_date", None),
    },
}

ALLOWED = {
    "esr_staff": {
        "blank ethnicity": _set("ethnic_category_code", None),
        "blank sex": _set("sex", None),
        "blank religion": _set("religious_belief", None),
    },
    "recruitment": {"blank disability": _set("disability", None)},
    "staff_survey": {"no change": lambda frame: frame},
    "incidents": {"no victim named": _set("victim_person_id", None)},
}


@pytest.fixture(scope="module")
def valid_frames(tmp_path_factory) -> dict[str, pl.DataFrame]:
    frames = {}
    for extract in MODELS:
        root = tmp_path_factory.mktemp(extract)
        ingest(root, extract, land_csv(root, extract, valid_rows(extract, 4)))
        frames[extract] = raw(root, extract)
    return frames


def _pandera_passes(frame: pl.DataFrame, model) -> bool:
    try:
        model.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors:
        return False
    return True


@pytest.mark.parametrize("extract", list(MODELS))
def test_a_valid_frame_passes_both(valid_frames, extract):
    assert _pandera_passes(valid_frames[extract], MODELS[extract])
    assert model_passes(valid_frames[extract], MODELS[extract])


@pytest.mark.parametrize(
    ("extract", "case"), [(e, c) for e, cases in BROKEN.items() for c in cases]
)
def test_a_broken_rule_fails_both(valid_frames, extract, case):
    frame = BROKEN[extract][case](valid_frames[extract])
    assert not frame.equals(valid_frames[extract]), "the case changed nothing"
    assert not _pandera_passes(frame, MODELS[extract])
    assert not model_passes(frame, MODELS[extract])


@pytest.mark.parametrize(
    ("extract", "case"), [(e, c) for e, cases in ALLOWED.items() for c in cases]
)
def test_blanks_the_model_allows_pass_both(valid_frames, extract, case):
    frame = ALLOWED[extract][case](valid_frames[extract])
    assert _pandera_passes(frame, MODELS[extract])
    assert model_passes(frame, MODELS[extract])


@pytest.mark.parametrize("extract", list(MODELS))
def test_the_layout_is_checked(valid_frames, extract):
    frame = valid_frames[extract]
    columns = frame.columns
    swapped = frame.select(columns[1], columns[0], *columns[2:])
    extra = frame.with_columns(pl.lit(1).alias("extra"))
    missing = frame.drop(columns[-1])
    retyped = frame.with_columns(pl.col("source_row").cast(pl.Int32))
    for changed in (swapped, extra, missing, retyped):
        assert not _pandera_passes(changed, MODELS[extract])
        assert not model_passes(changed, MODELS[extract])


def test_a_model_using_rules_it_does_not_build_is_left_to_pandera(valid_frames):
    """A model with a rule the one query does not build (here a unique combination of
    columns) never gets a yes from it, so pandera decides."""

    class WithCombination(MODELS["incidents"]):
        class Config:
            unique = ["incident_id", "incident_date"]

    assert _pandera_passes(valid_frames["incidents"], WithCombination)
    assert not model_passes(valid_frames["incidents"], WithCombination)
