"""The raw zone's contract as pandera models (polars backend), one per extract.

Each model is exactly the raw Parquet layout of docs/raw-zone.md (strict and
ordered, no coercion) plus every value and cross-field rule, so the same
model validates a submission and guards what is written. Cross-field checks
return one boolean per row (False = the row breaks the rule) and treat null
inputs as passing: a value that did not parse is already reported by its own
rule and must not be reported twice.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from edi_platform.ingest import codes
from edi_platform.ingest.values import AGE_BANDS

PSEUDONYM = r"^[0-9a-f]{64}$"
# Pay above these is not NHS pay but a keying or export slip (a lost decimal point
# turns 2345.67 into 234567): more than four times the highest NHS salary in one
# month, and more than twice the largest Clinical Excellence Award in a year.
MAX_PAY_PERIOD = 100_000
MAX_BONUS_12M = 200_000

# Dataframe-level check name -> (rule id, source column it is reported against).
CHECK_RULES: dict[str, tuple[str, str]] = {
    "assignment_number_unique": ("duplicate_key", "assignment_number"),
    "one_primary_assignment_per_person": ("not_one_primary_assignment", "primary_assignment"),
    "board_voting_needs_board_member": ("board_role_without_board_member", "board_voting"),
    "board_executive_needs_board_member": ("board_role_without_board_member", "board_executive"),
    "application_id_unique": ("duplicate_key", "application_id"),
    "appointed_needs_shortlisted": ("appointed_not_shortlisted", "appointed"),
    "survey_key_unique": ("duplicate_key", "question_code+breakdown+group+response_option"),
    "group_belongs_to_breakdown": ("group_not_in_breakdown", "group"),
    "incident_id_unique": ("duplicate_key", "incident_id"),
    "incident_date_in_reporting_year": ("outside_reporting_year", "incident_date"),
}


def _rows(data: PolarsData, passes: pl.Expr) -> pl.LazyFrame:
    return data.lazyframe.select(passes.fill_null(True))


def _unique(*columns: str) -> pl.Expr:
    # Rows with a blank key part are reported as blank, not as duplicates of each other.
    key = pl.struct(columns) if len(columns) > 1 else pl.col(columns[0])
    return ~key.is_duplicated() | pl.any_horizontal(pl.col(c).is_null() for c in columns)


def _only_when(flag: str, condition: str) -> pl.Expr:
    return ~pl.col(flag) | pl.col(condition)


class RawPartition(pa.DataFrameModel):
    """Columns every raw file starts with."""

    org_code: pl.String = pa.Field(str_matches=r"^[A-Z0-9]{3}$")
    reporting_year: pl.String = pa.Field(str_matches=r"^\d{4}-\d{2}$")
    source_row: pl.Int64 = pa.Field(ge=2, unique=True)

    class Config:
        strict = True
        ordered = True
        coerce = False


class EsrStaff(RawPartition):
    person_id: pl.String = pa.Field(str_matches=PSEUDONYM)
    assignment_id: pl.String = pa.Field(str_matches=PSEUDONYM)
    is_primary_assignment: pl.Boolean
    assignment_category: pl.String = pa.Field(isin=codes.assignment_categories().values)
    staff_group_code: pl.String = pa.Field(isin=codes.staff_groups().values)
    pay_band: pl.String = pa.Field(isin=codes.pay_bands().values)
    ethnic_category_code: pl.String = pa.Field(nullable=True, isin=codes.ethnic_categories().values)
    disability: pl.String = pa.Field(nullable=True, isin=codes.DISABILITY.values)
    sex: pl.String = pa.Field(nullable=True, isin=codes.SEX.values)
    age_band: pl.String = pa.Field(isin=AGE_BANDS)
    religious_belief: pl.String = pa.Field(nullable=True)
    sexual_orientation: pl.String = pa.Field(nullable=True)
    fte: pl.Float64 = pa.Field(gt=0, le=1.5)
    weekly_contracted_hours: pl.Float64 = pa.Field(gt=0, le=80)
    ordinary_pay_period: pl.Decimal(18, 2) = pa.Field(ge=0, le=MAX_PAY_PERIOD)
    pay_period_days: pl.Int32 = pa.Field(ge=1, le=31)
    full_pay_relevant: pl.Boolean
    bonus_pay_12m: pl.Decimal(18, 2) = pa.Field(ge=0, le=MAX_BONUS_12M)
    board_member: pl.Boolean
    board_voting: pl.Boolean
    board_executive: pl.Boolean
    entered_disciplinary: pl.Boolean
    entered_capability: pl.Boolean
    nonmandatory_training: pl.Boolean

    @pa.dataframe_check
    def assignment_number_unique(cls, data: PolarsData) -> pl.LazyFrame:
        return _rows(data, _unique("assignment_id"))

    @pa.dataframe_check
    def one_primary_assignment_per_person(cls, data: PolarsData) -> pl.LazyFrame:
        primaries = pl.col("is_primary_assignment").fill_null(False).cast(pl.Int32).sum()
        return _rows(data, (primaries.over("person_id") == 1) | pl.col("person_id").is_null())

    @pa.dataframe_check
    def board_voting_needs_board_member(cls, data: PolarsData) -> pl.LazyFrame:
        return _rows(data, _only_when("board_voting", "board_member"))

    @pa.dataframe_check
    def board_executive_needs_board_member(cls, data: PolarsData) -> pl.LazyFrame:
        return _rows(data, _only_when("board_executive", "board_member"))


class Recruitment(RawPartition):
    application_id: pl.String = pa.Field(str_matches=PSEUDONYM)
    vacancy_id: pl.String
    pay_band: pl.String = pa.Field(isin=codes.pay_bands().values)
    ethnic_category_code: pl.String = pa.Field(nullable=True, isin=codes.ethnic_categories().values)
    disability: pl.String = pa.Field(nullable=True, isin=codes.DISABILITY.values)
    sex: pl.String = pa.Field(nullable=True, isin=codes.SEX.values)
    shortlisted: pl.Boolean
    appointed: pl.Boolean

    @pa.dataframe_check
    def application_id_unique(cls, data: PolarsData) -> pl.LazyFrame:
        return _rows(data, _unique("application_id"))

    @pa.dataframe_check
    def appointed_needs_shortlisted(cls, data: PolarsData) -> pl.LazyFrame:
        return _rows(data, _only_when("appointed", "shortlisted"))


class StaffSurvey(RawPartition):
    survey_year: pl.Int32
    question_code: pl.String
    breakdown: pl.String = pa.Field(isin=codes.SURVEY_BREAKDOWNS.values)
    respondent_group: pl.String = pa.Field(isin=codes.SURVEY_GROUPS.values)
    response_option: pl.String
    responses: pl.Int64 = pa.Field(ge=0)

    @pa.dataframe_check
    def survey_key_unique(cls, data: PolarsData) -> pl.LazyFrame:
        return _rows(
            data, _unique("question_code", "breakdown", "respondent_group", "response_option")
        )

    @pa.dataframe_check
    def group_belongs_to_breakdown(cls, data: PolarsData) -> pl.LazyFrame:
        belongs = pl.any_horizontal(
            (pl.col("breakdown") == breakdown) & pl.col("respondent_group").is_in(groups)
            for breakdown, groups in codes.SURVEY_GROUPS_BY_BREAKDOWN.items()
        )
        return _rows(data, belongs)


class Incidents(RawPartition):
    incident_id: pl.String = pa.Field(str_matches=PSEUDONYM)
    incident_date: pl.Date
    category: pl.String = pa.Field(isin=codes.INCIDENT_CATEGORIES.values)
    perpetrator: pl.String = pa.Field(isin=codes.PERPETRATORS.values)
    harm_level: pl.String = pa.Field(isin=codes.HARM_LEVELS.values)
    staff_group_code: pl.String = pa.Field(isin=codes.staff_groups().values)
    reported_to_police: pl.Boolean
    victim_person_id: pl.String = pa.Field(nullable=True, str_matches=PSEUDONYM)

    @pa.dataframe_check
    def incident_id_unique(cls, data: PolarsData) -> pl.LazyFrame:
        return _rows(data, _unique("incident_id"))

    @pa.dataframe_check
    def incident_date_in_reporting_year(cls, data: PolarsData) -> pl.LazyFrame:
        # The year comes from the partition's own reporting_year column, so one
        # static model serves every year.
        first = pl.col("reporting_year").str.slice(0, 4).cast(pl.Int32)
        start, end = pl.date(first, 4, 1), pl.date(first + 1, 3, 31)
        return _rows(data, pl.col("incident_date").is_between(start, end))


MODELS: dict[str, type[RawPartition]] = {
    "esr_staff": EsrStaff,
    "recruitment": Recruitment,
    "staff_survey": StaffSurvey,
    "incidents": Incidents,
}

_BOUNDS = {
    "greater_than": "more than {min_value}",
    "greater_than_or_equal_to": "at least {min_value}",
    "less_than": "less than {max_value}",
    "less_than_or_equal_to": "at most {max_value}",
    "in_range": "between {min_value} and {max_value}",
}


def allowed_range(model: type[RawPartition], column: str) -> str:
    """The model's bounds on a column in words, e.g. 'more than 0 and at most 1.5'."""
    checks = model.to_schema().columns[column].checks
    return " and ".join(_BOUNDS[c.name].format(**c.statistics) for c in checks if c.name in _BOUNDS)
