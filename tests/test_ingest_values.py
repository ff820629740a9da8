"""Value parsers and code lists: every accepted spelling, and what is not accepted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from edi_platform.ingest import codes, values


def _apply(function, texts: list[str]) -> list:
    return (
        pl.DataFrame({"t": texts}, schema={"t": pl.String})
        .select(function(pl.col("t")))[:, 0]
        .to_list()
    )


def test_flags_accept_every_spelling_in_any_case():
    texts = ["Y", "n", "Yes", "NO", "1", "0", "TRUE", "false", "maybe", "", "2"]
    assert _apply(values.parse_flag, texts) == [
        True, False, True, False, True, False, True, False, None, None, None,
    ]  # fmt: skip


def test_dates_accept_iso_and_uk_forms_and_a_time_of_day():
    texts = [
        "2024-03-31", "31/03/2024", "1/4/2023", "2023-06-01 00:00:00", "01/06/2023 14:35",
        "31/02/2024", "12/31/2023", "2024/03/31", "31 March 2024", "",
    ]  # fmt: skip
    assert _apply(values.parse_date, texts) == [
        dt.date(2024, 3, 31), dt.date(2024, 3, 31), dt.date(2023, 4, 1), dt.date(2023, 6, 1),
        dt.date(2023, 6, 1), None, None, None, None, None,
    ]  # fmt: skip


def test_money_accepts_plain_decimals_and_pounds_with_thousands_separators():
    texts = ["2345.67", "£2,345.67", "£ 12", "-£12.50", "1,234,567.8", "2,34.5", "1e3", "£", ""]
    assert _apply(values.parse_money, texts) == [
        Decimal("2345.67"), Decimal("2345.67"), Decimal("12.00"), Decimal("-12.50"),
        Decimal("1234567.80"), None, None, None, None,
    ]  # fmt: skip


def test_integers_and_decimals():
    assert _apply(values.parse_integer, ["31", "1,234", "31.0", "-1", "3.5", "x", ""]) == [
        31, 1234, 31, -1, None, None, None,
    ]  # fmt: skip
    assert _apply(values.parse_decimal, ["0.8", "1", ".5", "-0.2", "1e3", "0,8", ""]) == [
        0.8, 1.0, 0.5, -0.2, None, None, None,
    ]  # fmt: skip


def test_age_at_the_snapshot_and_its_band():
    born = pl.DataFrame({"d": [dt.date(2004, 4, 1), dt.date(2004, 3, 31), dt.date(1959, 3, 31)]})
    ages = born.select(values.age_at(pl.col("d"), dt.date(2024, 3, 31)).alias("age"))
    assert ages["age"].to_list() == [19, 20, 65]
    assert ages.select(values.age_band(pl.col("age")))[:, 0].to_list() == [
        "Under 20", "20-24", "65 and over",
    ]  # fmt: skip


def test_plain_spacing_makes_dashes_plain_and_collapses_whitespace():
    assert _apply(values.plain_spacing, ["1–2", "More  than\u00a010", "3—5"]) == [
        "1-2", "More than 10", "3-5",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("03", "03"),
        ("3", "03"),
        ("03 Nursing and Midwifery Registered", "03"),
        ("03 - Nursing and Midwifery Registered", "03"),
        ("nursing and midwifery registered", "03"),
        ("05 Add Prof Scientific and Technic", "05"),
        ("Administrative & Clerical", "08"),
        ("10", "10"),
        ("11", None),
        ("Porters", None),
    ],
)
def test_staff_group_code_code_with_description_or_description(text, code):
    assert _apply(codes.staff_groups().recognise, [text]) == [code]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("A", "A"),
        ("a", "A"),
        ("A White - British", "A"),
        ("White – British", "A"),
        ("white british", "A"),
        ("CA", "C"),
        ("C3", "C"),
        ("CA White - English", "C"),
        ("Not stated", "Z"),
        ("S Any other ethnic group", "S"),
        ("I", None),
        ("Martian", None),
        ("99", None),
        ("NK", None),  # "not known", not N (Black African)
        ("NS Not stated", None),
    ],
)
def test_ethnic_origin_codes_descriptions_and_esr_local_codes(text, code):
    assert _apply(codes.ethnic_categories().recognise, [text]) == [code]


@pytest.mark.parametrize(
    ("code_list", "text", "value"),
    [
        (codes.pay_bands(), "band 8A", "Band 8a"),
        (codes.pay_bands(), "8a", "Band 8a"),
        (codes.pay_bands(), "5", "Band 5"),
        (codes.pay_bands(), "vsm", "VSM"),
        (codes.pay_bands(), "Non consultant career grade", "Non-consultant career grade"),
        (codes.pay_bands(), "Band 10", None),
        (codes.assignment_categories(), "fixed-term temp", "Fixed Term Temp"),
        (codes.assignment_categories(), "Contractor", None),
        (codes.SEX, "FEMALE", "Female"),
        (codes.SEX, "M", None),
        (codes.SEX, "Unknown", None),
        (codes.DISABILITY, "prefer not to answer", "Prefer Not To Answer"),
        (codes.SURVEY_GROUPS, "Non disabled", "Non-disabled"),
        (codes.SURVEY_GROUPS, "bme", "BME"),
        (codes.HARM_LEVELS, "no-harm", "No harm"),
    ],
)
def test_value_lists_match_whatever_the_case_dashes_and_spacing(code_list, text, value):
    assert _apply(code_list.recognise, [text]) == [value]


def test_seeds_are_the_source_of_the_code_lists():
    assert codes.staff_groups().values == tuple(f"{n:02d}" for n in range(1, 11))
    assert "Z" in codes.ethnic_categories().values and "I" not in codes.ethnic_categories().values
    assert codes.pay_bands().values[0] == "Band 1" and "Other" in codes.pay_bands().values
