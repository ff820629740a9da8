"""Header rules: names match loosely, extra columns are listed, missing or doubled ones refuse the file."""

from __future__ import annotations

import json

import polars as pl
import pytest
from test_ingest_support import (
    ESR_COLUMNS,
    INCIDENT_COLUMNS,
    esr_row,
    incident_row,
    ingest,
    land_csv,
    raw,
    valid_rows,
)

from edi_platform.ingest import FileFault
from edi_platform.ingest.headers import header_key, match_headers
from edi_platform.paths import DataPaths


@pytest.mark.parametrize(
    "written", ["Employee Number", "employee_number", "EMPLOYEE-NUMBER", " Employee.Number: "]
)
def test_header_variants_name_the_same_column(written):
    assert header_key(written) == header_key("employee_number")


def test_a_file_with_human_headers_loads(tmp_path):
    human = [c.replace("_", " ").title() for c in ESR_COLUMNS]
    rows = [
        {h: r[c] for h, c in zip(human, ESR_COLUMNS, strict=True)}
        for r in valid_rows("esr_staff", 2)
    ]
    result = ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", rows, human))
    assert result.rows_loaded == 2


def test_extra_columns_are_ignored_and_listed(tmp_path):
    columns = [*ESR_COLUMNS, "Line Manager", "Notes"]
    rows = [esr_row(1, **{"Line Manager": "Dr Who", "Notes": "x"})]
    result = ingest(tmp_path, "esr_staff", land_csv(tmp_path, "esr_staff", rows, columns))
    assert result.unknown_columns == ("Line Manager", "Notes")
    assert "Line Manager" not in raw(tmp_path, "esr_staff").columns
    report = json.loads(result.report_file.read_text())
    assert report["unknown_columns"] == ["Line Manager", "Notes"]
    assert any(i["rule"] == "unknown_column" for i in report["issues"])


def test_missing_required_column_refuses_the_file_naming_it(tmp_path):
    columns = [c for c in ESR_COLUMNS if c not in ("fte", "sex")]
    source = land_csv(tmp_path, "esr_staff", valid_rows("esr_staff", 2), columns)
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", source)
    assert caught.value.rule == "missing_column"
    assert "fte" in str(caught.value) and "sex" in str(caught.value)
    report = json.loads(caught.value.report_file.read_text())
    assert report["status"] == "file_rejected"
    assert report["issues"][0]["rule"] == "missing_column"


def test_optional_columns_may_be_absent(tmp_path):
    columns = [c for c in INCIDENT_COLUMNS if c not in ("victim_employee_number", "description")]
    ingest(tmp_path, "incidents", land_csv(tmp_path, "incidents", [incident_row(1)], columns))
    assert raw(tmp_path, "incidents")["victim_person_id"].to_list() == [None]


def test_a_column_named_twice_refuses_the_file(tmp_path):
    columns = [*ESR_COLUMNS, "FTE"]
    source = land_csv(tmp_path, "esr_staff", [esr_row(1, FTE="1")], columns)
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", source)
    assert (caught.value.rule, caught.value.column) == ("duplicate_column", "fte")
    assert not DataPaths(tmp_path).raw.exists()


def test_data_under_a_blank_header_is_an_unknown_column():
    rows = pl.DataFrame({"c0": ["RXA"], "c1": ["x"], "c2": [""]})
    matched = match_headers(("org_code", "", ""), rows, ["org_code"], ["org_code"], "f.csv")
    assert matched.positions == {"org_code": 0}
    assert matched.unknown == ("(no header, column 2)",)
