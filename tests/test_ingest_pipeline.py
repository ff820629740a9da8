"""ingest_partition end to end: outputs, file-level faults, the rejection threshold,
idempotency and personal data."""

from __future__ import annotations

import json

import polars as pl
import pytest
from test_ingest_support import (
    COLUMNS,
    ORG,
    YEAR,
    csv_text,
    esr_row,
    incident_row,
    ingest,
    land_bytes,
    land_csv,
    landing_path,
    raw,
    rejected,
    valid_rows,
)

from edi_platform.config import IngestSettings
from edi_platform.ingest import FileFault, IngestError, TooManyRejected
from edi_platform.paths import EXTRACTS, DataPaths

RAW_COLUMNS = {
    "esr_staff": [
        "person_id", "assignment_id", "is_primary_assignment", "assignment_category",
        "staff_group_code", "pay_band", "ethnic_category_code", "disability", "sex", "age_band",
        "religious_belief", "sexual_orientation", "fte", "weekly_contracted_hours",
        "ordinary_pay_period", "pay_period_days", "full_pay_relevant", "bonus_pay_12m",
        "board_member", "board_voting", "board_executive", "entered_disciplinary",
        "entered_capability", "nonmandatory_training",
    ],
    "recruitment": [
        "application_id", "vacancy_id", "pay_band", "ethnic_category_code", "disability", "sex",
        "shortlisted", "appointed",
    ],
    "staff_survey": [
        "survey_year", "question_code", "breakdown", "respondent_group", "response_option",
        "responses",
    ],
    "incidents": [
        "incident_id", "incident_date", "category", "perpetrator", "harm_level",
        "staff_group_code", "reported_to_police", "victim_person_id",
    ],
}  # fmt: skip


def _quarantine(root, extract="esr_staff"):
    return DataPaths(root).quarantine_partition(extract, YEAR, ORG)


def _all_output_bytes(root) -> bytes:
    paths = DataPaths(root)
    return b"".join(
        p.read_bytes()
        for zone in (paths.raw, paths.quarantine)
        for p in sorted(zone.rglob("*"))
        if p.is_file()
    )


@pytest.mark.parametrize("extract", EXTRACTS)
def test_raw_layout_is_the_raw_zone_contract(tmp_path, extract):
    result = ingest(tmp_path, extract, land_csv(tmp_path, extract, valid_rows(extract, 3)))
    loaded = raw(tmp_path, extract)
    assert loaded.columns == ["org_code", "reporting_year", "source_row", *RAW_COLUMNS[extract]]
    assert loaded["source_row"].dtype == pl.Int64
    assert loaded["reporting_year"].to_list() == [YEAR] * 3
    assert (
        result.raw_file == DataPaths(tmp_path).raw_partition(extract, YEAR, ORG) / "part-0.parquet"
    )
    assert result.used_demo_key
    assert pl.read_parquet_metadata(result.raw_file)["edi_platform.pseudonymisation_key"] == "demo"
    quarantine = _quarantine(tmp_path, extract)
    assert rejected(tmp_path, extract).columns == ["source_row", "column", "rule", "value"]
    assert rejected(tmp_path, extract).is_empty()
    report = json.loads((quarantine / "quality_report.json").read_text())
    assert (report["status"], report["rows_loaded"], report["source_sha256"]) == (
        "loaded", 3, result.source_sha256,
    )  # fmt: skip
    assert "loaded" in (quarantine / "quality_report.md").read_text()


def test_esr_types(tmp_path):
    ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", valid_rows("esr_staff", 1)))
    schema = raw(tmp_path, "esr_staff").schema
    assert schema["fte"] == pl.Float64
    assert schema["ordinary_pay_period"] == pl.Decimal(18, 2)
    assert schema["pay_period_days"] == pl.Int32
    assert schema["is_primary_assignment"] == pl.Boolean


def test_ingest_error_message_names_file_row_column_and_rule(tmp_path):
    rows = valid_rows("esr_staff", 7)
    rows[5]["org_code"] = "RXB"
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", rows))
    assert str(caught.value) == (
        "landing/2023-24/RXA/esr_staff.csv, row 7, column org_code: org_mismatch "
        "(org_code is RXB but the file was sent for RXA)"
    )
    assert (caught.value.file, caught.value.row, caught.value.column, caught.value.rule) == (
        "landing/2023-24/RXA/esr_staff.csv", 7, "org_code", "org_mismatch",
    )  # fmt: skip


def test_org_code_case_and_spaces_do_not_matter(tmp_path):
    rows = [esr_row(1, org_code=" rxa ")]
    ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", rows))
    assert raw(tmp_path, "esr_staff")["org_code"].to_list() == ["RXA"]


def test_header_only_is_a_fault_for_staff(tmp_path):
    source = land_bytes(tmp_path, "esr_staff", csv_text([], COLUMNS["esr_staff"]).encode())
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", source)
    assert caught.value.rule == "no_data_rows"


def test_header_only_incidents_load_an_empty_partition(tmp_path):
    source = land_bytes(tmp_path, "incidents", csv_text([], COLUMNS["incidents"]).encode())
    result = ingest(tmp_path, "incidents", source)
    assert (result.rows_read, result.rows_loaded, result.rejected_share) == (0, 0, 0.0)
    loaded = raw(tmp_path, "incidents")
    assert loaded.is_empty() and loaded.schema["incident_date"] == pl.Date


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    source = land_csv(tmp_path, "esr_staff", valid_rows("esr_staff", 50))
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", source, settings=IngestSettings(max_file_mb=0.001))
    assert caught.value.rule == "file_too_large"
    report = json.loads(caught.value.report_file.read_text())
    assert report["source_sha256"] is None


@pytest.mark.parametrize("name", ["esr_staff.txt", "staff.csv", "esr_staff.xls"])
def test_file_name_must_be_the_extract(tmp_path, name):
    source = landing_path(tmp_path, "esr_staff").with_name(name)
    source.write_text(csv_text(valid_rows("esr_staff", 1), COLUMNS["esr_staff"]))
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", source)
    assert caught.value.rule == "file_name"


def test_a_missing_file_is_a_fault(tmp_path):
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", landing_path(tmp_path, "esr_staff"))
    assert caught.value.rule == "file_not_found"


def test_too_many_rejected_keeps_the_previous_raw_and_reports_why(tmp_path):
    ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", valid_rows("esr_staff", 10)))
    raw_file = DataPaths(tmp_path).raw_partition("esr_staff", YEAR, ORG) / "part-0.parquet"
    before = raw_file.read_bytes()

    rows = valid_rows("esr_staff", 10)
    rows[3]["fte"] = "5"
    with pytest.raises(TooManyRejected) as caught:
        ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", rows))
    assert caught.value.rule == "too_many_rejected"
    assert "1 of 10 rows" in str(caught.value)
    assert raw_file.read_bytes() == before
    report = json.loads(caught.value.report_file.read_text())
    assert report["status"] == "too_many_rejected"
    assert [i["rule"] for i in report["issues"]] == ["too_many_rejected", "out_of_range"]
    assert rejected(tmp_path, "esr_staff")["source_row"].to_list() == [5]
    assert "not loaded" in (_quarantine(tmp_path) / "quality_report.md").read_text()


def test_rejections_within_the_threshold_load_the_rest(tmp_path):
    rows = valid_rows("esr_staff", 100)
    rows[49]["pay_band"] = "Band 12"
    rows[50]["pay_band"] = "Band 13"
    result = ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", rows))
    assert (result.rows_loaded, result.rows_rejected, result.rejected_share) == (98, 2, 0.02)
    assert rejected(tmp_path, "esr_staff")["value"].to_list() == ["Band 12", "Band 13"]


def test_a_file_fault_keeps_the_previous_raw(tmp_path):
    ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", valid_rows("esr_staff", 3)))
    before = raw(tmp_path, "esr_staff")
    land_bytes(tmp_path, "esr_staff", b"\x00\x01garbage")
    with pytest.raises(IngestError):
        ingest(tmp_path, "esr_staff", landing_path(tmp_path, "esr_staff"))
    assert raw(tmp_path, "esr_staff").equals(before)
    assert rejected(tmp_path, "esr_staff").is_empty()
    report = json.loads((_quarantine(tmp_path) / "quality_report.json").read_text())
    assert (report["status"], report["issues"][0]["rule"]) == ("file_rejected", "not_a_text_file")


def test_reingesting_the_same_file_gives_identical_bytes(tmp_path):
    rows = valid_rows("esr_staff", 200)
    rows[10]["fte"] = "0"
    source = land_csv(tmp_path, "esr_staff", rows)
    ingest(tmp_path, "esr_staff", source)
    first = _all_output_bytes(tmp_path)
    ingest(tmp_path, "esr_staff", source)
    assert _all_output_bytes(tmp_path) == first
    assert not list((tmp_path / ".tmp").iterdir())


def test_a_resubmission_equals_a_first_load_of_the_new_file(tmp_path, tmp_path_factory):
    ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", valid_rows("esr_staff", 20)))
    newer = valid_rows("esr_staff", 5)
    ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", newer))
    fresh = tmp_path_factory.mktemp("fresh")
    ingest(fresh, "esr_staff", land_csv(fresh, "esr_staff", newer))
    assert _all_output_bytes(tmp_path) == _all_output_bytes(fresh)


def test_no_identifier_date_of_birth_or_description_reaches_raw_or_quarantine(tmp_path):
    staff = valid_rows("esr_staff", 4)
    staff[1]["fte"] = "9"  # quarantined: its identifiers must be pseudonymised there too
    staff[2]["date_of_birth"] = "31/02/1977"
    incidents = valid_rows("incidents", 3)
    incidents[1]["harm_level"] = "Awful"
    settings = IngestSettings(max_rejected_share=1.0)
    ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", staff), settings=settings)
    ingest(tmp_path, "incidents", land_csv(tmp_path, "incidents", incidents), settings=settings)
    outputs = _all_output_bytes(tmp_path)
    secrets = {r["employee_number"] for r in staff} | {r["assignment_number"] for r in staff}
    secrets |= {r["date_of_birth"] for r in staff} | {"1977", "1980-05-17"}
    secrets |= {r["incident_id"] for r in incidents} | {"Jane Smith", "Shouted"}
    for secret in secrets:
        assert secret.encode() not in outputs, secret
    values = rejected(tmp_path, "esr_staff").filter(pl.col("column") == "date_of_birth")["value"]
    assert values.to_list() == ["[withheld]"]


def test_pseudonyms_link_victims_to_staff_despite_zeros_and_spaces(tmp_path):
    staff = [esr_row(1, employee_number="00012345")]
    incidents = [
        incident_row(1, victim_employee_number=" 12345 "),
        incident_row(2, victim_employee_number=""),
    ]
    ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", staff))
    ingest(tmp_path, "incidents", land_csv(tmp_path, "incidents", incidents))
    person = raw(tmp_path, "esr_staff")["person_id"][0]
    assert len(person) == 64
    assert raw(tmp_path, "incidents")["victim_person_id"].to_list() == [person, None]


def test_a_real_key_never_appears_in_any_output(tmp_path):
    key = b"operator-secret-key-0123456789"
    rows = valid_rows("esr_staff", 3)
    rows[0]["fte"] = "x"
    source = land_csv(tmp_path, "esr_staff", rows)
    result = ingest(
        tmp_path, "esr_staff", source, key=key, settings=IngestSettings(max_rejected_share=1.0)
    )
    assert not result.used_demo_key
    assert key not in _all_output_bytes(tmp_path)
    assert (
        pl.read_parquet_metadata(result.raw_file)["edi_platform.pseudonymisation_key"] == "operator"
    )


def test_rejected_rows_carry_their_source_row_and_shown_value(tmp_path):
    rows = valid_rows("esr_staff", 60)
    rows[40]["weekly_contracted_hours"] = "99"
    ingest(
        tmp_path,
        "esr_staff",
        land_csv(tmp_path, "esr_staff", rows),
        settings=IngestSettings(max_rejected_share=1.0),
    )
    assert rejected(tmp_path, "esr_staff").rows() == [
        (42, "weekly_contracted_hours", "out_of_range", "99")
    ]


def test_a_trust_sized_esr_file_rejects_only_its_bad_rows(tmp_path):
    rows = valid_rows("esr_staff", 15_000)
    for i in range(0, 15_000, 1_000):
        rows[i]["fte"] = "2"
    source = land_csv(tmp_path, "esr_staff", rows)
    result = ingest(tmp_path, "esr_staff", source)
    assert (result.rows_loaded, result.rows_rejected) == (14_985, 15)


def test_each_stage_of_ingest_is_timed(tmp_path):
    import time

    source = land_csv(tmp_path, "esr_staff", valid_rows("esr_staff", 3))
    started = time.perf_counter()
    result = ingest(tmp_path, "esr_staff", source)
    elapsed = time.perf_counter() - started
    assert set(result.seconds) == {"read", "pseudonymise", "validate", "write"}
    assert all(seconds > 0 for seconds in result.seconds.values())
    assert sum(result.seconds.values()) <= elapsed
