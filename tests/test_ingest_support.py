"""Builders shared by the ingest tests: valid rows of each extract, landing files
written in any encoding or as XLSX, and a one-call ingest. (Named test_ingest_* so
it sits with the ingest tests; it holds no tests itself.)"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import polars as pl
import xlsxwriter

from edi_platform.config import IngestSettings
from edi_platform.ingest import ingest_partition
from edi_platform.ingest.pseudonymise import DEMO_KEY
from edi_platform.paths import DataPaths

ORG = "RXA"
YEAR = "2023-24"

ESR_COLUMNS = (
    "org_code", "employee_number", "assignment_number", "primary_assignment",
    "assignment_category", "staff_group", "pay_band", "ethnic_origin", "disability", "sex",
    "date_of_birth", "religious_belief", "sexual_orientation", "fte", "weekly_contracted_hours",
    "ordinary_pay_period", "pay_period_days", "full_pay_relevant", "bonus_pay_12m",
    "board_member", "board_voting", "board_executive", "entered_disciplinary",
    "entered_capability", "nonmandatory_training",
)  # fmt: skip
RECRUITMENT_COLUMNS = (
    "org_code", "application_id", "vacancy_id", "pay_band", "ethnic_origin", "disability",
    "sex", "shortlisted", "appointed",
)  # fmt: skip
SURVEY_COLUMNS = (
    "org_code", "survey_year", "question_code", "breakdown", "group", "response_option",
    "responses",
)  # fmt: skip
INCIDENT_COLUMNS = (
    "org_code", "incident_id", "incident_date", "category", "perpetrator", "harm_level",
    "staff_group", "reported_to_police", "victim_employee_number", "description",
)  # fmt: skip
COLUMNS = {
    "esr_staff": ESR_COLUMNS,
    "recruitment": RECRUITMENT_COLUMNS,
    "staff_survey": SURVEY_COLUMNS,
    "incidents": INCIDENT_COLUMNS,
}


def esr_row(n: int = 1, **values: str) -> dict[str, str]:
    """A valid esr_staff row for person n (one primary assignment each)."""
    row = {
        "org_code": ORG,
        "employee_number": f"{10000000 + n}",
        "assignment_number": f"{10000000 + n}-1",
        "primary_assignment": "Y",
        "assignment_category": "Permanent",
        "staff_group": "03",
        "pay_band": "Band 5",
        "ethnic_origin": "A",
        "disability": "No",
        "sex": "Female",
        "date_of_birth": "1980-05-17",
        "religious_belief": "Christianity",
        "sexual_orientation": "Heterosexual or Straight",
        "fte": "1",
        "weekly_contracted_hours": "37.5",
        "ordinary_pay_period": "2345.67",
        "pay_period_days": "31",
        "full_pay_relevant": "Y",
        "bonus_pay_12m": "0",
        "board_member": "N",
        "board_voting": "N",
        "board_executive": "N",
        "entered_disciplinary": "N",
        "entered_capability": "N",
        "nonmandatory_training": "Y",
    }
    return {**row, **values}


def recruitment_row(n: int = 1, **values: str) -> dict[str, str]:
    row = {
        "org_code": ORG,
        "application_id": f"APP{n:05d}",
        "vacancy_id": "V001",
        "pay_band": "Band 5",
        "ethnic_origin": "H",
        "disability": "No",
        "sex": "Male",
        "shortlisted": "Y",
        "appointed": "N",
    }
    return {**row, **values}


def survey_row(n: int = 1, **values: str) -> dict[str, str]:
    row = {
        "org_code": ORG,
        "survey_year": "2023",
        "question_code": f"Q{n}",
        "breakdown": "ethnicity",
        "group": "White",
        "response_option": "Never",
        "responses": "12",
    }
    return {**row, **values}


def incident_row(n: int = 1, **values: str) -> dict[str, str]:
    row = {
        "org_code": ORG,
        "incident_id": f"INC{n:05d}",
        "incident_date": "2023-06-01",
        "category": "Verbal abuse",
        "perpetrator": "Patient",
        "harm_level": "No harm",
        "staff_group": "03",
        "reported_to_police": "N",
        "victim_employee_number": f"{10000000 + n}",
        "description": "Shouted at nurse Jane Smith",
    }
    return {**row, **values}


ROW_BUILDERS = {
    "esr_staff": esr_row,
    "recruitment": recruitment_row,
    "staff_survey": survey_row,
    "incidents": incident_row,
}


def valid_rows(extract: str, count: int) -> list[dict[str, str]]:
    return [ROW_BUILDERS[extract](n) for n in range(1, count + 1)]


def csv_text(rows: Iterable[dict[str, str]], columns: Sequence[str], newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def landing_path(
    root: Path, extract: str, suffix: str = ".csv", org: str = ORG, year: str = YEAR
) -> Path:
    path = DataPaths(root).landing_dir(year, org) / f"{extract}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def land_csv(
    root: Path,
    extract: str,
    rows: Iterable[dict[str, str]],
    columns: Sequence[str] | None = None,
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    path = landing_path(root, extract)
    text = csv_text(rows, columns or COLUMNS[extract], newline)
    path.write_bytes(text.encode(encoding))
    return path


def land_bytes(root: Path, extract: str, data: bytes, suffix: str = ".csv") -> Path:
    path = landing_path(root, extract, suffix)
    path.write_bytes(data)
    return path


def land_xlsx(root: Path, extract: str, grid: Sequence[Sequence[object]]) -> Path:
    """Cells as given: numbers stay numbers, datetimes become date cells."""
    path = landing_path(root, extract, ".xlsx")
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Extract")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if hasattr(value, "year"):
                sheet.write_datetime(r, c, value, date_format)
            elif value is not None:
                sheet.write(r, c, value)
    workbook.add_worksheet("Notes").write(0, 0, "the second sheet is not read")
    workbook.close()
    return path


def ingest(
    root: Path,
    extract: str,
    source: Path,
    *,
    key: bytes = DEMO_KEY,
    settings: IngestSettings | None = None,
    org: str = ORG,
    year: str = YEAR,
):
    return ingest_partition(
        extract, org, year, source=source, paths=DataPaths(root), key=key,
        settings=settings or IngestSettings(),
    )  # fmt: skip


def rejected(root: Path, extract: str, org: str = ORG, year: str = YEAR) -> pl.DataFrame:
    folder = DataPaths(root).quarantine_partition(extract, year, org)
    return pl.read_parquet(folder / "rejected_rows.parquet")


def raw(root: Path, extract: str, org: str = ORG, year: str = YEAR) -> pl.DataFrame:
    return pl.read_parquet(DataPaths(root).raw_partition(extract, year, org) / "part-0.parquet")


def rules_by_row(root: Path, extract: str) -> set[tuple[int, str | None, str]]:
    return {
        (r["source_row"], r["column"], r["rule"])
        for r in rejected(root, extract).iter_rows(named=True)
    }
