"""Every column rule and cross-field rule: the bad row is quarantined with the rule, the rest loads."""

from __future__ import annotations

import datetime as dt

import pytest
from test_ingest_support import (
    ROW_BUILDERS,
    ingest,
    land_csv,
    raw,
    rejected,
    rules_by_row,
    valid_rows,
)

from edi_platform.config import IngestSettings
from edi_platform.ingest import FileFault
from edi_platform.ingest.schemas import MODELS

LENIENT = IngestSettings(max_rejected_share=1.0)


def _ingest_with(tmp_path, extract: str, rows: list[dict[str, str]]):
    return ingest(tmp_path, extract, land_csv(tmp_path, extract, rows), settings=LENIENT)


def _one_bad_row(tmp_path, extract: str, **values: str):
    """Three valid rows, the second (source row 3) changed."""
    rows = valid_rows(extract, 3)
    rows[1] = ROW_BUILDERS[extract](2, **values)
    return _ingest_with(tmp_path, extract, rows)


COLUMN_RULES = [
    ("esr_staff", {"org_code": ""}, "org_code", "blank_required"),
    ("esr_staff", {"employee_number": " "}, "employee_number", "blank_required"),
    ("esr_staff", {"assignment_number": ""}, "assignment_number", "blank_required"),
    ("esr_staff", {"primary_assignment": "maybe"}, "primary_assignment", "not_a_flag"),
    ("esr_staff", {"assignment_category": "Contractor"}, "assignment_category", "unknown_code"),
    ("esr_staff", {"staff_group": "11"}, "staff_group", "unknown_code"),
    ("esr_staff", {"pay_band": "Band 10"}, "pay_band", "unknown_code"),
    ("esr_staff", {"date_of_birth": "17th May 1980"}, "date_of_birth", "unparseable_date"),
    ("esr_staff", {"date_of_birth": "2015-01-01"}, "date_of_birth", "out_of_range"),
    ("esr_staff", {"date_of_birth": ""}, "date_of_birth", "blank_required"),
    ("esr_staff", {"fte": "0"}, "fte", "out_of_range"),
    ("esr_staff", {"fte": "1.6"}, "fte", "out_of_range"),
    ("esr_staff", {"fte": "full"}, "fte", "not_a_number"),
    ("esr_staff", {"weekly_contracted_hours": "0"}, "weekly_contracted_hours", "out_of_range"),
    ("esr_staff", {"weekly_contracted_hours": "81"}, "weekly_contracted_hours", "out_of_range"),
    ("esr_staff", {"ordinary_pay_period": "-1.00"}, "ordinary_pay_period", "out_of_range"),
    ("esr_staff", {"ordinary_pay_period": "lots"}, "ordinary_pay_period", "not_a_number"),
    ("esr_staff", {"pay_period_days": "0"}, "pay_period_days", "out_of_range"),
    ("esr_staff", {"pay_period_days": "32"}, "pay_period_days", "out_of_range"),
    ("esr_staff", {"pay_period_days": "30.5"}, "pay_period_days", "not_a_number"),
    ("esr_staff", {"full_pay_relevant": "X"}, "full_pay_relevant", "not_a_flag"),
    ("esr_staff", {"bonus_pay_12m": "-£5"}, "bonus_pay_12m", "out_of_range"),
    ("esr_staff", {"bonus_pay_12m": ""}, "bonus_pay_12m", "blank_required"),
    ("esr_staff", {"board_member": "?"}, "board_member", "not_a_flag"),
    ("esr_staff", {"entered_disciplinary": ""}, "entered_disciplinary", "blank_required"),
    ("esr_staff", {"entered_capability": "2"}, "entered_capability", "not_a_flag"),
    ("esr_staff", {"nonmandatory_training": "y es"}, "nonmandatory_training", "not_a_flag"),
    ("recruitment", {"application_id": ""}, "application_id", "blank_required"),
    ("recruitment", {"vacancy_id": ""}, "vacancy_id", "blank_required"),
    ("recruitment", {"pay_band": "Grade 7"}, "pay_band", "unknown_code"),
    ("recruitment", {"shortlisted": ""}, "shortlisted", "blank_required"),
    ("recruitment", {"appointed": "pending"}, "appointed", "not_a_flag"),
    ("staff_survey", {"question_code": ""}, "question_code", "blank_required"),
    ("staff_survey", {"breakdown": "age"}, "breakdown", "unknown_code"),
    ("staff_survey", {"group": "Purple"}, "group", "unknown_code"),
    ("staff_survey", {"response_option": ""}, "response_option", "blank_required"),
    ("staff_survey", {"responses": "-1"}, "responses", "out_of_range"),
    ("staff_survey", {"responses": "many"}, "responses", "not_a_number"),
    ("staff_survey", {"survey_year": ""}, "survey_year", "blank_required"),
    ("incidents", {"incident_id": ""}, "incident_id", "blank_required"),
    ("incidents", {"incident_date": "June 2023"}, "incident_date", "unparseable_date"),
    ("incidents", {"incident_date": "2023-03-31"}, "incident_date", "outside_reporting_year"),
    ("incidents", {"incident_date": "01/04/2024"}, "incident_date", "outside_reporting_year"),
    ("incidents", {"category": "Theft"}, "category", "unknown_code"),
    ("incidents", {"perpetrator": "Dog"}, "perpetrator", "unknown_code"),
    ("incidents", {"harm_level": "Catastrophic"}, "harm_level", "unknown_code"),
    ("incidents", {"staff_group": "99"}, "staff_group", "unknown_code"),
    ("incidents", {"reported_to_police": "?"}, "reported_to_police", "not_a_flag"),
]


@pytest.mark.parametrize(("extract", "values", "column", "rule"), COLUMN_RULES)
def test_column_rule_quarantines_only_the_bad_row(tmp_path, extract, values, column, rule):
    result = _one_bad_row(tmp_path, extract, **values)
    assert rules_by_row(tmp_path, extract) == {(3, column, rule)}
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert raw(tmp_path, extract)["source_row"].to_list() == [2, 4]
    issue = next(i for i in result.issues if i.rule == rule)
    assert (issue.column, issue.severity, issue.count, issue.example_rows) == (
        column,
        "error",
        1,
        (3,),
    )
    assert column in issue.message or rule in ("duplicate_key",)


@pytest.mark.parametrize(
    ("extract", "values", "column", "target"),
    [
        ("esr_staff", {"ethnic_origin": "Martian"}, "ethnic_origin", "ethnic_category_code"),
        ("esr_staff", {"sex": "Unknown"}, "sex", "sex"),
        ("esr_staff", {"disability": "Maybe"}, "disability", "disability"),
        ("recruitment", {"ethnic_origin": "99"}, "ethnic_origin", "ethnic_category_code"),
    ],
)
def test_unrecognised_equality_values_load_as_null_with_a_warning(
    tmp_path, extract, values, column, target
):
    result = _one_bad_row(tmp_path, extract, **values)
    assert result.rows_rejected == 0
    assert raw(tmp_path, extract)[target].to_list()[1] is None
    (issue,) = result.issues
    assert (issue.rule, issue.column, issue.severity, issue.example_rows) == (
        "unknown_code", column, "warning", (3,),
    )  # fmt: skip


def test_blank_equality_values_load_as_null_without_an_issue(tmp_path):
    result = _one_bad_row(tmp_path, "esr_staff", ethnic_origin="", sex="", disability="")
    assert result.issues == ()
    row = raw(tmp_path, "esr_staff").row(1, named=True)
    assert (row["ethnic_category_code"], row["sex"], row["disability"]) == (None, None, None)


def test_codes_load_in_any_accepted_form_as_their_canonical_value(tmp_path):
    rows = valid_rows("esr_staff", 3)
    rows[0].update(
        staff_group="03 Nursing and Midwifery Registered", ethnic_origin="White - British"
    )
    rows[1].update(staff_group="Medical and Dental", ethnic_origin="C3", pay_band="band 8A")
    rows[2].update(
        assignment_category="fixed-term temp", ethnic_origin="h indian", disability="not declared"
    )
    result = _ingest_with(tmp_path, "esr_staff", rows)
    assert result.issues == ()
    loaded = raw(tmp_path, "esr_staff")
    assert loaded["staff_group_code"].to_list() == ["03", "01", "03"]
    assert loaded["ethnic_category_code"].to_list() == ["A", "C", "H"]
    assert loaded["pay_band"].to_list() == ["Band 5", "Band 8a", "Band 5"]
    assert loaded["assignment_category"].to_list() == ["Permanent", "Permanent", "Fixed Term Temp"]
    assert loaded["disability"].to_list() == ["No", "No", "Not Declared"]


def test_duplicate_assignment_numbers_quarantine_every_copy_after_normalising(tmp_path):
    rows = valid_rows("esr_staff", 3)
    rows[1]["assignment_number"] = "00777"
    rows[2]["assignment_number"] = " 777"
    _ingest_with(tmp_path, "esr_staff", rows)
    assert rules_by_row(tmp_path, "esr_staff") == {
        (3, "assignment_number", "duplicate_key"),
        (4, "assignment_number", "duplicate_key"),
    }
    # Quarantined identifiers are shown as their (shared) pseudonym, never as sent.
    shown = set(rejected(tmp_path, "esr_staff")["value"])
    assert len(shown) == 1 and len(shown.pop()) == 64


def test_two_primary_assignments_quarantine_all_rows_of_the_person(tmp_path):
    rows = valid_rows("esr_staff", 2)
    rows.append(ROW_BUILDERS["esr_staff"](2, assignment_number="10000002-2"))
    _ingest_with(tmp_path, "esr_staff", rows)
    assert rules_by_row(tmp_path, "esr_staff") == {
        (3, "primary_assignment", "not_one_primary_assignment"),
        (4, "primary_assignment", "not_one_primary_assignment"),
    }


def test_a_person_with_no_primary_assignment_is_quarantined(tmp_path):
    result = _one_bad_row(tmp_path, "esr_staff", primary_assignment="N")
    assert rules_by_row(tmp_path, "esr_staff") == {
        (3, "primary_assignment", "not_one_primary_assignment")
    }
    assert result.rows_loaded == 2


def test_when_the_primary_row_is_held_back_the_other_assignments_are_too(tmp_path):
    rows = valid_rows("esr_staff", 2)
    rows[1]["fte"] = "7"
    rows.append(
        ROW_BUILDERS["esr_staff"](2, assignment_number="10000002-2", primary_assignment="N")
    )
    _ingest_with(tmp_path, "esr_staff", rows)
    assert rules_by_row(tmp_path, "esr_staff") == {
        (3, "fte", "out_of_range"),
        (4, "primary_assignment", "not_one_primary_assignment"),
    }
    assert raw(tmp_path, "esr_staff")["source_row"].to_list() == [2]


@pytest.mark.parametrize("role", ["board_voting", "board_executive"])
def test_board_roles_only_for_board_members(tmp_path, role):
    _one_bad_row(tmp_path, "esr_staff", **{role: "Y"})
    assert rules_by_row(tmp_path, "esr_staff") == {(3, role, "board_role_without_board_member")}


def test_voting_executive_board_member_loads(tmp_path):
    result = _one_bad_row(
        tmp_path, "esr_staff", board_member="Yes", board_voting="1", board_executive="TRUE"
    )
    assert result.rows_rejected == 0


def test_appointed_only_if_shortlisted(tmp_path):
    _one_bad_row(tmp_path, "recruitment", shortlisted="N", appointed="Y")
    assert rules_by_row(tmp_path, "recruitment") == {(3, "appointed", "appointed_not_shortlisted")}


def test_duplicate_application_ids(tmp_path):
    rows = valid_rows("recruitment", 3)
    rows[2]["application_id"] = rows[1]["application_id"].lower()
    _ingest_with(tmp_path, "recruitment", rows)
    assert rules_by_row(tmp_path, "recruitment") == {
        (3, "application_id", "duplicate_key"),
        (4, "application_id", "duplicate_key"),
    }


def test_survey_group_must_belong_to_its_breakdown(tmp_path):
    _one_bad_row(tmp_path, "staff_survey", breakdown="overall", group="BME")
    assert rules_by_row(tmp_path, "staff_survey") == {(3, "group", "group_not_in_breakdown")}


def test_survey_keys_are_unique(tmp_path):
    rows = valid_rows("staff_survey", 3)
    rows[2]["question_code"] = rows[1]["question_code"]
    _ingest_with(tmp_path, "staff_survey", rows)
    key = "question_code+breakdown+group+response_option"
    assert rules_by_row(tmp_path, "staff_survey") == {
        (3, key, "duplicate_key"),
        (4, key, "duplicate_key"),
    }


def test_survey_values_are_normalised(tmp_path):
    rows = valid_rows("staff_survey", 1)
    rows[0].update(
        breakdown="Overall", group="ALL", response_option=" 1–2 ", question_code=" Q14a "
    )
    _ingest_with(tmp_path, "staff_survey", rows)
    row = raw(tmp_path, "staff_survey").row(0, named=True)
    assert (row["breakdown"], row["respondent_group"], row["response_option"], row["question_code"]) == (
        "overall", "all", "1-2", "Q14a",
    )  # fmt: skip
    assert row["survey_year"] == 2023


def test_survey_year_must_be_the_reporting_years_survey(tmp_path):
    rows = valid_rows("staff_survey", 3)
    rows[2]["survey_year"] = "2022"
    with pytest.raises(FileFault) as caught:
        _ingest_with(tmp_path, "staff_survey", rows)
    assert (caught.value.rule, caught.value.row, caught.value.column) == (
        "wrong_survey_year", 4, "survey_year",
    )  # fmt: skip


def test_incident_dates_on_the_year_boundaries_load(tmp_path):
    rows = valid_rows("incidents", 2)
    rows[0]["incident_date"] = "2023-04-01"
    rows[1]["incident_date"] = "31/03/2024"
    result = _ingest_with(tmp_path, "incidents", rows)
    assert result.rows_rejected == 0
    assert raw(tmp_path, "incidents")["incident_date"].to_list() == [
        dt.date(2023, 4, 1), dt.date(2024, 3, 31),
    ]  # fmt: skip


def test_duplicate_incident_ids(tmp_path):
    rows = valid_rows("incidents", 2)
    rows[1]["incident_id"] = rows[0]["incident_id"]
    _ingest_with(tmp_path, "incidents", rows)
    assert rules_by_row(tmp_path, "incidents") == {
        (2, "incident_id", "duplicate_key"),
        (3, "incident_id", "duplicate_key"),
    }


def test_a_row_breaking_several_rules_is_quarantined_once_per_rule(tmp_path):
    result = _one_bad_row(tmp_path, "esr_staff", fte="9", pay_band="Band 99", board_voting="Y")
    assert rules_by_row(tmp_path, "esr_staff") == {
        (3, "fte", "out_of_range"),
        (3, "pay_band", "unknown_code"),
        (3, "board_voting", "board_role_without_board_member"),
    }
    assert result.rows_rejected == 1


@pytest.mark.parametrize("extract", list(MODELS))
def test_raw_parquet_satisfies_its_own_model(tmp_path, extract):
    _ingest_with(tmp_path, extract, valid_rows(extract, 5))
    MODELS[extract].validate(raw(tmp_path, extract))
