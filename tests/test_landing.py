from pathlib import Path

import pytest

from edi_platform.config import parse_config
from edi_platform.landing import AmbiguousLandingFile, find_landing_file, scan_landing
from edi_platform.paths import DataPaths

CONFIG = parse_config(
    {
        "icb_code": "QAB",
        "reporting_years": ["2022-23", "2023-24"],
        "trusts": [
            {"org_code": "R1X", "type": "acute"},
            {"org_code": "R2Y", "type": "community"},
        ],
    }
)


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")


def test_scan_finds_configured_files_and_reports_the_rest(tmp_path):
    paths = DataPaths(tmp_path)
    _touch(paths.landing / "2023-24/R1X/esr_staff.csv")
    _touch(paths.landing / "2023-24/R1X/Recruitment.XLSX")
    _touch(paths.landing / "2023-24/R2Y/incidents.csv")
    _touch(paths.landing / "2023-24/R9Z/esr_staff.csv")  # not a member trust
    _touch(paths.landing / "2019-20/R1X/esr_staff.csv")  # year not configured
    _touch(paths.landing / "2023-24/R1X/notes.txt")  # not an extract
    _touch(paths.landing / "2023-24/R1X/incidents.pdf")  # not a readable format
    _touch(paths.landing / "2023-24/R1X/.~lock.esr_staff.csv#")  # editor lock file: ignored

    scan = scan_landing(paths, CONFIG)

    found = {(f.reporting_year, f.org_code, f.extract) for f in scan.files}
    assert found == {
        ("2023-24", "R1X", "esr_staff"),
        ("2023-24", "R1X", "recruitment"),
        ("2023-24", "R2Y", "incidents"),
    }
    reasons = {p.path.relative_to(paths.landing).as_posix(): p.reason for p in scan.skipped}
    assert "not a member trust" in reasons["2023-24/R9Z"]
    assert "not configured" in reasons["2019-20"]
    assert "not one of the extracts" in reasons["2023-24/R1X/notes.txt"]
    assert "only .csv and .xlsx" in reasons["2023-24/R1X/incidents.pdf"]
    assert scan.partitions() == [("R1X", "2023-24"), ("R2Y", "2023-24")]
    assert sorted(scan.extracts_for("R1X", "2023-24")) == ["esr_staff", "recruitment"]


def test_two_files_for_one_extract_are_refused(tmp_path):
    paths = DataPaths(tmp_path)
    _touch(paths.landing / "2023-24/R1X/esr_staff.csv")
    _touch(paths.landing / "2023-24/R1X/esr_staff.xlsx")
    scan = scan_landing(paths, CONFIG)
    assert scan.files == []
    assert len(scan.skipped) == 2
    with pytest.raises(AmbiguousLandingFile, match="more than one file"):
        find_landing_file(paths, "2023-24", "R1X", "esr_staff")


def test_missing_landing_is_empty_not_an_error(tmp_path):
    paths = DataPaths(tmp_path)
    assert scan_landing(paths, CONFIG).files == []
    assert find_landing_file(paths, "2023-24", "R1X", "esr_staff") is None
