"""File format rules of the extract contract: encodings, line endings, quoting, XLSX."""

from __future__ import annotations

import codecs
import datetime as dt

import pytest
from test_ingest_support import (
    COLUMNS,
    ESR_COLUMNS,
    csv_text,
    esr_row,
    incident_row,
    ingest,
    land_bytes,
    land_csv,
    land_xlsx,
    raw,
    rules_by_row,
    valid_rows,
)

from edi_platform.config import IngestSettings
from edi_platform.ingest import FileFault, pseudonymise_values
from edi_platform.ingest.pseudonymise import DEMO_KEY

LENIENT = IngestSettings(max_rejected_share=1.0)


def _pseudonym(identifier: str) -> str:
    import polars as pl

    return pseudonymise_values(pl.Series([identifier]), DEMO_KEY)[0]


def test_utf8_with_bom_reads_the_first_header(tmp_path):
    text = csv_text(valid_rows("esr_staff", 3), ESR_COLUMNS)
    source = land_bytes(tmp_path, "esr_staff", codecs.BOM_UTF8 + text.encode("utf-8"))
    result = ingest(tmp_path, "esr_staff", source)
    assert result.rows_loaded == 3
    assert raw(tmp_path, "esr_staff")["org_code"].to_list() == ["RXA"] * 3


def test_windows_1252_pound_sign_in_money(tmp_path):
    rows = [esr_row(1, ordinary_pay_period="£2,345.67", religious_belief="Café society")]
    source = land_csv(tmp_path, "esr_staff", rows, encoding="cp1252")
    ingest(tmp_path, "esr_staff", source)
    loaded = raw(tmp_path, "esr_staff")
    assert str(loaded["ordinary_pay_period"][0]) == "2345.67"
    assert loaded["religious_belief"][0] == "Café society"


def test_crlf_line_endings(tmp_path):
    source = land_csv(tmp_path, "esr_staff", valid_rows("esr_staff", 2), newline="\r\n")
    ingest(tmp_path, "esr_staff", source)
    loaded = raw(tmp_path, "esr_staff")
    assert loaded["nonmandatory_training"].to_list() == [True, True]
    assert loaded["source_row"].to_list() == [2, 3]


def test_trailing_blank_lines_and_empty_comma_rows_are_ignored(tmp_path):
    text = csv_text(valid_rows("esr_staff", 2), ESR_COLUMNS) + "\n\n" + "," * 24 + "\n  \n"
    result = ingest(tmp_path, "esr_staff", land_bytes(tmp_path, "esr_staff", text.encode()))
    assert (result.rows_read, result.rows_loaded) == (2, 2)


def test_quoted_fields_keep_commas_and_newlines_and_rows_keep_their_numbers(tmp_path):
    rows = [
        incident_row(1, description='Said "you\'re next", then left,\nreturned later'),
        incident_row(2),
        incident_row(3, harm_level="Catastrophic"),
    ]
    source = land_csv(tmp_path, "incidents", rows)
    result = ingest(tmp_path, "incidents", source, settings=LENIENT)
    assert (result.rows_read, result.rows_loaded) == (3, 2)
    # Row 4 in a spreadsheet, although the multi-line field makes it line 5 of the file.
    assert rules_by_row(tmp_path, "incidents") == {(4, "harm_level", "unknown_code")}


def test_blank_line_inside_the_data_keeps_spreadsheet_row_numbers(tmp_path):
    lines = csv_text(valid_rows("esr_staff", 3), ESR_COLUMNS).splitlines()
    lines.insert(2, "")
    text = "\n".join(lines).replace("10000003-1,Y", "10000003-1,maybe") + "\n"
    result = ingest(
        tmp_path, "esr_staff", land_bytes(tmp_path, "esr_staff", text.encode()), settings=LENIENT
    )
    assert result.rows_read == 3
    assert (5, "primary_assignment", "not_a_flag") in rules_by_row(tmp_path, "esr_staff")


def test_row_with_more_fields_than_the_header_is_rejected(tmp_path):
    text = csv_text([incident_row(1), incident_row(2)], COLUMNS["incidents"])
    text = text.replace("INC00002,2023-06-01,Verbal abuse", "INC00002,2023-06-01,Verbal, abuse")
    source = land_bytes(tmp_path, "incidents", text.encode())
    ingest(tmp_path, "incidents", source, settings=LENIENT)
    assert (3, None, "too_many_fields") in rules_by_row(tmp_path, "incidents")


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"", "empty_file"),
        (b"\n\r\n  \n", "empty_file"),
        (bytes(range(256)) * 4, "not_a_text_file"),
        (b"PK\x03\x04rest-of-a-zip", "not_a_text_file"),
        (codecs.BOM_UTF16_LE + "org_code\n".encode("utf-16-le"), "unreadable_encoding"),
        (b"org_code,employee_number\nRXA,\x81\x8d\n", "unreadable_encoding"),
        (b'org_code,employee_number\nRXA,"123\nRXA,456\n', "unbalanced_quotes"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, data, rule):
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", land_bytes(tmp_path, "esr_staff", data))
    assert caught.value.rule == rule


@pytest.mark.parametrize("byte", [*range(0x00, 0x09), *range(0x0E, 0x20)])
def test_one_control_byte_anywhere_makes_a_file_binary(tmp_path, byte):
    text = csv_text([esr_row(1), esr_row(2)], ESR_COLUMNS).encode()
    data = text[:-20] + bytes([byte]) + text[-20:]
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", land_bytes(tmp_path, "esr_staff", data))
    assert caught.value.rule == "not_a_text_file"


def test_tab_and_line_break_characters_are_text(tmp_path):
    """Tab, line feed, vertical tab (Word's line break in pasted text), form feed and
    carriage return are not binary: the file is read, not refused as binary."""
    rows = [esr_row(1), esr_row(2, religious_belief="Christian\tChurch\x0b of\x0c England")]
    source = land_bytes(tmp_path, "esr_staff", csv_text(rows, ESR_COLUMNS, "\r\n").encode())
    assert ingest(tmp_path, "esr_staff", source).rows_loaded == 2


def test_xlsx_numbers_dates_and_flags_become_contract_values(tmp_path):
    header = list(ESR_COLUMNS)
    row = esr_row(1)
    row.update(
        employee_number=12345678.0,
        staff_group=3,
        date_of_birth=dt.datetime(1980, 5, 17),
        fte=0.8,
        pay_period_days=31,
        ordinary_pay_period=2345.67,
        bonus_pay_12m=0,
        board_member=False,
        nonmandatory_training=True,
    )
    source = land_xlsx(tmp_path, "esr_staff", [header, [row[c] for c in header]])
    result = ingest(tmp_path, "esr_staff", source)
    assert result.rows_loaded == 1
    loaded = raw(tmp_path, "esr_staff").row(0, named=True)
    assert loaded["person_id"] == _pseudonym("12345678")
    assert loaded["staff_group_code"] == "03"
    assert loaded["age_band"] == "40-44"
    assert loaded["fte"] == 0.8
    assert str(loaded["ordinary_pay_period"]) == "2345.67"
    assert (loaded["board_member"], loaded["nonmandatory_training"]) == (False, True)


def test_xlsx_incident_date_cells_and_excel_row_numbers(tmp_path):
    header = list(COLUMNS["incidents"])
    good = incident_row(1, incident_date=dt.datetime(2023, 6, 1))
    late = incident_row(2, incident_date=dt.datetime(2024, 4, 1))
    # A blank first row: the header is on Excel row 2, so the late incident is row 4.
    grid = [[], header, [good[c] for c in header], [late[c] for c in header]]
    source = land_xlsx(tmp_path, "incidents", grid)
    ingest(tmp_path, "incidents", source, settings=LENIENT)
    assert raw(tmp_path, "incidents")["incident_date"].to_list() == [dt.date(2023, 6, 1)]
    assert rules_by_row(tmp_path, "incidents") == {(4, "incident_date", "outside_reporting_year")}


@pytest.mark.parametrize("data", [b"org_code,employee_number\nRXA,1\n", b"PK\x03\x04not really"])
def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path, data):
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", land_bytes(tmp_path, "esr_staff", data, suffix=".xlsx"))
    assert caught.value.rule == "unreadable_workbook"


def test_blank_lines_before_the_header_are_skipped_and_counted(tmp_path):
    text = "\r\n\r\n" + csv_text(valid_rows("esr_staff", 2), ESR_COLUMNS, "\r\n")
    text = text.replace("10000002-1,Y", "10000002-1,maybe")
    source = land_bytes(tmp_path, "esr_staff", text.encode())
    result = ingest(tmp_path, "esr_staff", source, settings=LENIENT)
    assert (result.rows_read, result.rows_loaded) == (2, 1)
    assert raw(tmp_path, "esr_staff")["source_row"].to_list() == [4]
    assert rules_by_row(tmp_path, "esr_staff") == {(5, "primary_assignment", "not_a_flag")}
