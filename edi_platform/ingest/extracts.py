"""The four extracts of the input contract (extracts.md): which columns each has,
how each is parsed, and which raw-zone column it becomes (docs/raw-zone.md).

Ranges and cross-field rules live in the pandera models (``schemas.py``);
here is only what it takes to turn text into typed values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from edi_platform.ingest import codes, values
from edi_platform.years import ReportingYear

Parse = Callable[[pl.Expr, ReportingYear], pl.Expr]
Fault = Callable[[pl.Expr, pl.Expr, ReportingYear], pl.Expr]


@dataclass(frozen=True)
class Kind:
    """How one column's trimmed text becomes a typed value (null when blank)."""

    dtype: pl.DataType
    parse: Parse
    expects: str
    """What the column accepts, in the submitter's words."""
    bad_rule: str | None = None
    """Rule broken by a non-blank value that does not parse (None: every text parses)."""
    bad_severity: str = "error"
    fault: Fault | None = None
    """Rule broken by a non-blank value, when one rule (``bad_rule``) is not enough."""
    pseudonymised: bool = False
    withheld: bool = False
    """Personal data never shown, not even in the quarantine."""


def _non_blank(text: pl.Expr, _: ReportingYear) -> pl.Expr:
    return pl.when(text != "").then(text)


def _code(code_list: codes.CodeList, severity: str = "error") -> Kind:
    return Kind(
        pl.String,
        lambda text, _: code_list.recognise(text),
        expects=code_list.describe,
        bad_rule="unknown_code",
        bad_severity=severity,
    )


def _integer(dtype: pl.DataType) -> Kind:
    return Kind(
        dtype,
        lambda text, _: values.parse_integer(text).cast(dtype, strict=False),
        expects="a whole number",
        bad_rule="not_a_number",
    )


def _age_band(text: pl.Expr, year: ReportingYear) -> pl.Expr:
    age = values.age_at(values.parse_date(text), year.snapshot_date)
    return pl.when(age.is_between(*values.PLAUSIBLE_AGE)).then(values.age_band(age))


def _date_of_birth_fault(text: pl.Expr, _: pl.Expr, year: ReportingYear) -> pl.Expr:
    born = values.parse_date(text)
    age = values.age_at(born, year.snapshot_date)
    return (
        pl.when(born.is_null())
        .then(pl.lit("unparseable_date"))
        .when(~age.is_between(*values.PLAUSIBLE_AGE))
        .then(pl.lit("out_of_range"))
    )


TEXT = Kind(pl.String, _non_blank, expects="any text")
ORG_CODE = Kind(
    pl.String,
    lambda text, year: _non_blank(text.str.to_uppercase(), year),
    expects="the trust's ODS code",
)
IDENTIFIER = Kind(pl.String, _non_blank, expects="an identifier", pseudonymised=True)
FREE_TEXT = Kind(pl.String, _non_blank, expects="any text", withheld=True)
RESPONSE_OPTION = Kind(
    pl.String,
    lambda text, year: _non_blank(values.plain_spacing(text), year),
    expects="the answer as worded on the questionnaire",
)
FLAG = Kind(
    pl.Boolean,
    lambda text, _: values.parse_flag(text),
    expects="Y/N, Yes/No, 1/0 or TRUE/FALSE (any case)",
    bad_rule="not_a_flag",
)
DATE = Kind(
    pl.Date,
    lambda text, _: values.parse_date(text),
    expects="a date written YYYY-MM-DD or DD/MM/YYYY",
    bad_rule="unparseable_date",
)
DATE_OF_BIRTH = Kind(
    pl.String,
    _age_band,
    expects=(
        "a date written YYYY-MM-DD or DD/MM/YYYY giving an age of "
        f"{values.PLAUSIBLE_AGE[0]} to {values.PLAUSIBLE_AGE[1]} at 31 March"
    ),
    fault=_date_of_birth_fault,
    withheld=True,
)
DECIMAL = Kind(
    pl.Float64,
    lambda text, _: values.parse_decimal(text),
    expects="a number such as 0.8",
    bad_rule="not_a_number",
)
MONEY = Kind(
    pl.Decimal(18, 2),
    lambda text, _: values.parse_money(text),
    expects="an amount in pounds such as 2345.67 or £2,345.67",
    bad_rule="not_a_number",
)


@dataclass(frozen=True)
class ColumnSpec:
    source: str
    """Column name in the extract contract."""
    target: str | None
    """Raw-zone column it becomes; None when it is dropped at ingest."""
    kind: Kind
    required: bool = True
    """The header must have this column."""
    blank_ok: bool = False
    """A blank value is allowed and loads as null."""


@dataclass(frozen=True)
class ExtractSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    """Source columns whose values must be unique across the file."""
    zero_rows_allowed: bool = False
    """True when a file with a header and no rows is a real answer (no incidents)."""
    source_of: dict[str, str] = field(init=False)
    """Raw-zone column -> source column."""

    def __post_init__(self) -> None:
        mapping = {c.target: c.source for c in self.columns if c.target}
        object.__setattr__(self, "source_of", mapping)

    @property
    def stored(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.target)

    @property
    def key_label(self) -> str:
        return "+".join(self.key)

    def column(self, source: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.source == source), None)


_col = ColumnSpec  # a short name keeps the column tables below readable


def _demographics() -> tuple[ColumnSpec, ...]:
    # Equality monitoring values: an unrecognised value is "not recorded", not a reason
    # to drop the person (a warning, the value loads as null).
    return (
        _col(
            "ethnic_origin",
            "ethnic_category_code",
            _code(codes.ethnic_categories(), "warning"),
            blank_ok=True,
        ),
        _col("disability", "disability", _code(codes.DISABILITY, "warning"), blank_ok=True),
        _col("sex", "sex", _code(codes.SEX, "warning"), blank_ok=True),
    )


def _esr_staff() -> ExtractSpec:
    return ExtractSpec(
        "esr_staff",
        (
            _col("org_code", "org_code", ORG_CODE),
            _col("employee_number", "person_id", IDENTIFIER),
            _col("assignment_number", "assignment_id", IDENTIFIER),
            _col("primary_assignment", "is_primary_assignment", FLAG),
            _col(
                "assignment_category", "assignment_category", _code(codes.assignment_categories())
            ),
            _col("staff_group", "staff_group_code", _code(codes.staff_groups())),
            _col("pay_band", "pay_band", _code(codes.pay_bands())),
            *_demographics(),
            _col("date_of_birth", "age_band", DATE_OF_BIRTH),
            _col("religious_belief", "religious_belief", TEXT, required=False, blank_ok=True),
            _col("sexual_orientation", "sexual_orientation", TEXT, required=False, blank_ok=True),
            _col("fte", "fte", DECIMAL),
            _col("weekly_contracted_hours", "weekly_contracted_hours", DECIMAL),
            _col("ordinary_pay_period", "ordinary_pay_period", MONEY),
            _col("pay_period_days", "pay_period_days", _integer(pl.Int32)),
            _col("full_pay_relevant", "full_pay_relevant", FLAG),
            _col("bonus_pay_12m", "bonus_pay_12m", MONEY),
            _col("board_member", "board_member", FLAG),
            _col("board_voting", "board_voting", FLAG),
            _col("board_executive", "board_executive", FLAG),
            _col("entered_disciplinary", "entered_disciplinary", FLAG),
            _col("entered_capability", "entered_capability", FLAG),
            _col("nonmandatory_training", "nonmandatory_training", FLAG),
        ),
        key=("assignment_number",),
    )


def _recruitment() -> ExtractSpec:
    return ExtractSpec(
        "recruitment",
        (
            _col("org_code", "org_code", ORG_CODE),
            _col("application_id", "application_id", IDENTIFIER),
            _col("vacancy_id", "vacancy_id", TEXT),
            _col("pay_band", "pay_band", _code(codes.pay_bands())),
            *_demographics(),
            _col("shortlisted", "shortlisted", FLAG),
            _col("appointed", "appointed", FLAG),
        ),
        key=("application_id",),
    )


def _staff_survey() -> ExtractSpec:
    return ExtractSpec(
        "staff_survey",
        (
            _col("org_code", "org_code", ORG_CODE),
            _col("survey_year", "survey_year", _integer(pl.Int32)),
            _col("question_code", "question_code", TEXT),
            _col("breakdown", "breakdown", _code(codes.SURVEY_BREAKDOWNS)),
            _col("group", "respondent_group", _code(codes.SURVEY_GROUPS)),
            _col("response_option", "response_option", RESPONSE_OPTION),
            _col("responses", "responses", _integer(pl.Int64)),
        ),
        key=("question_code", "breakdown", "group", "response_option"),
    )


def _incidents() -> ExtractSpec:
    return ExtractSpec(
        "incidents",
        (
            _col("org_code", "org_code", ORG_CODE),
            _col("incident_id", "incident_id", IDENTIFIER),
            _col("incident_date", "incident_date", DATE),
            _col("category", "category", _code(codes.INCIDENT_CATEGORIES)),
            _col("perpetrator", "perpetrator", _code(codes.PERPETRATORS)),
            _col("harm_level", "harm_level", _code(codes.HARM_LEVELS)),
            _col("staff_group", "staff_group_code", _code(codes.staff_groups())),
            _col("reported_to_police", "reported_to_police", FLAG),
            _col(
                "victim_employee_number",
                "victim_person_id",
                IDENTIFIER,
                required=False,
                blank_ok=True,
            ),
            _col("description", None, FREE_TEXT, required=False, blank_ok=True),
        ),
        key=("incident_id",),
        zero_rows_allowed=True,
    )


EXTRACT_SPECS: dict[str, ExtractSpec] = {
    spec.name: spec for spec in (_esr_staff(), _recruitment(), _staff_survey(), _incidents())
}
