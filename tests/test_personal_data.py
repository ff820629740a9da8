"""No personal data from the input anywhere the platform writes, and never the key.

First the scanner (tests/personal_data.py) is shown to find what it looks for in
every kind of file, so a clean scan means something; then it scans the shared
command-line run (tests/ics_run.py): raw Parquet, quarantine, the warehouse,
the analysts' database, the published files and Dagster's own storage.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter
from personal_data import (
    DATE_OF_BIRTH,
    FREE_TEXT,
    IDENTIFIER,
    KEY,
    Needles,
    needles_from_landing,
    scan_tree,
)

from edi_platform.ingest.pseudonymise import pseudonymise_values

PSEUDONYM = "pseudonym (expected)"
EMPLOYEE = "00615223"  # as ESR writes it; the platform normalises it to 615223
SECRET_KEY = "k3y-for-the-scanner-tests-0123456789"
DESCRIPTION = "Staff member involved: Alex Taylor."


@pytest.fixture
def needles() -> Needles:
    found = Needles()
    found.add(EMPLOYEE, IDENTIFIER)
    found.add("615223", IDENTIFIER)
    found.add("1985-11-14", DATE_OF_BIRTH)
    found.add(DESCRIPTION, FREE_TEXT)
    found.add(SECRET_KEY, KEY)
    return found


# --- matching -----------------------------------------------------------------------------


def test_a_short_number_hits_a_whole_token_only(needles):
    assert needles.find("duplicate assignment 615223, row 4") == [(IDENTIFIER, "61…")]
    assert needles.find("615223") == [(IDENTIFIER, "61…")]
    assert needles.find("duplicate: 615223.") == [(IDENTIFIER, "61…")]
    for text in ("1717615223", "240.615223", "615223.5", "6152230", "R615223", "615_223x"):
        assert needles.find(text) == [], text


def test_phrases_hit_with_nothing_touching_their_ends(needles):
    assert needles.find("born 1985-11-14 in") == [(DATE_OF_BIRTH, "19…")]
    assert needles.find("11985-11-14") == []
    assert needles.find('{"note": "staff member involved: ALEX TAYLOR."}') == [(FREE_TEXT, "st…")]
    assert needles.find(f"EDI_PSEUDONYMISATION_KEY={SECRET_KEY}") == [(KEY, "k3…")]


def test_needles_come_from_the_identifier_date_of_birth_and_free_text_columns(tmp_path):
    folder = tmp_path / "landing" / "2023-24" / "R1X"
    folder.mkdir(parents=True)
    # ESR-style headers (matched as ingest matches them) and a UK date of birth
    (folder / "esr_staff.csv").write_text(
        "Org Code,Employee Number,Assignment Number,Date Of Birth,Pay Band\n"
        "R1X,00615223,00615223-2,14/11/1985,Band 5\n"
    )
    (folder / "incidents.csv").write_text(
        "org_code,incident_id,victim_employee_number,description,category\n"
        "R1X,330020,00615223,Pushed. Staff member involved: Jo Bloggs.,Physical assault\n"
    )
    (folder / "recruitment.csv").write_bytes(b"\x00\x01not a csv\xff")
    found = needles_from_landing(tmp_path / "landing", key=SECRET_KEY)
    assert [p.name for p in found.files] == ["esr_staff.csv", "incidents.csv"]
    assert [p.name for p in found.unreadable] == ["recruitment.csv"]
    kinds = found.needles.kinds()
    # 00615223, 615223, 00615223-2, 330020 | as written, ISO, UK (one) | one text | the key
    assert kinds == {IDENTIFIER: 4, DATE_OF_BIRTH: 2, FREE_TEXT: 1, KEY: 1}
    assert found.needles.find("1985-11-14") and found.needles.find("615223")
    assert not found.needles.find("Band 5") and not found.needles.find("Physical assault")


# --- every kind of file -------------------------------------------------------------------


def _plant(root: Path) -> dict[str, Path]:
    """One file of each kind under ``root``, each holding one needle somewhere inside."""
    planted = {}
    parquet = root / "raw" / "esr_staff" / "part-0.parquet"
    parquet.parent.mkdir(parents=True)
    pl.DataFrame({"n": [1, 2], "note": ["fine", f"duplicate {EMPLOYEE}"]}).write_parquet(parquet)
    planted["parquet"] = parquet

    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.t (born date, n integer)")
        connection.execute("insert into marts.t values ('1985-11-14', 3), (null, 4)")
    planted["duckdb"] = warehouse

    events = root / "dagster_home" / "history" / "runs" / "run.db"
    events.parent.mkdir(parents=True)
    with sqlite3.connect(events) as connection:
        connection.execute("create table event_logs (id integer, event text, body blob)")
        connection.execute(
            "insert into event_logs values (1, '{}', ?)",
            (f'{{"metadata": {{"note": "{DESCRIPTION}"}}}}'.encode(),),
        )
    connection.close()
    planted["sqlite"] = events

    pack = root / "published" / "2023-24" / "board_pack.xlsx"
    pack.parent.mkdir(parents=True)
    workbook = xlsxwriter.Workbook(str(pack))
    workbook.add_worksheet("WRES").write_string(3, 1, EMPLOYEE)
    workbook.close()
    planted["xlsx"] = pack

    page = root / "published" / "2023-24" / "report.html"
    page.write_text(f"<p>{DESCRIPTION.replace(':', '&#58;')}</p>")
    planted["html"] = page

    csv = root / "quarantine" / "incidents" / "rows.csv"
    csv.parent.mkdir(parents=True)
    csv.write_text("rule,value\nduplicate,615223\n")
    planted["csv"] = csv

    log = root / "dagster_home" / "storage" / "run" / "compute_logs" / "step.err"
    log.parent.mkdir(parents=True)
    log.write_text(f"starting with key {SECRET_KEY}\n")
    planted["key"] = log
    return planted


@pytest.mark.parametrize(
    ("planted", "kind", "location"),
    [
        ("parquet", IDENTIFIER, "column note row 2"),
        ("duckdb", DATE_OF_BIRTH, "marts.t column born row 1"),
        ("sqlite", FREE_TEXT, "table event_logs column body row 1"),
        ("xlsx", IDENTIFIER, "xl/sharedStrings.xml"),
        ("html", FREE_TEXT, "line 1"),
        ("csv", IDENTIFIER, "line 2"),
        ("key", KEY, "line 1"),
    ],
)
def test_the_scanner_finds_what_is_planted_in_each_kind_of_file(
    tmp_path, needles, planted, kind, location
):
    files = _plant(tmp_path)
    target = files.pop(planted)
    for other in files.values():
        other.unlink()
    scan = scan_tree(tmp_path, needles, key=SECRET_KEY)
    assert [(h.file, h.location, h.kind) for h in scan.hits] == [
        (target.relative_to(tmp_path), location, kind)
    ]


def test_landing_is_not_scanned_and_files_are_counted_by_kind_and_zone(tmp_path, needles):
    _plant(tmp_path)
    (tmp_path / "landing" / "2023-24" / "R1X").mkdir(parents=True)
    (tmp_path / "landing" / "2023-24" / "R1X" / "esr_staff.csv").write_text(EMPLOYEE)
    scan = scan_tree(tmp_path, needles, key=SECRET_KEY)
    assert len(scan.hits) == 7
    assert "landing" not in {h.file.parts[0] for h in scan.hits}
    assert scan.files == {"parquet": 1, "duckdb": 1, "sqlite": 1, "xlsx": 1, "text": 3}
    assert scan.zones == {
        "raw": 1,
        "(root)": 1,
        "dagster_home": 2,
        "published": 2,
        "quarantine": 1,
    }


def test_the_key_is_found_in_a_binary_file_the_readers_do_not_understand(tmp_path, needles):
    (tmp_path / "blob.bin").write_bytes(b"\x00\xff" + SECRET_KEY.encode() + b"\x00")
    assert [h.kind for h in scan_tree(tmp_path, needles, key=SECRET_KEY).hits] == [KEY]


# --- the real run -------------------------------------------------------------------------


def test_nothing_the_run_wrote_holds_personal_data_or_the_key(cli_run):
    landing = needles_from_landing(cli_run.paths.landing, key=cli_run.key)
    # 2 trusts x 2 years x 4 extracts, less the one broken file
    assert len(landing.files) == 15 and len(landing.unreadable) == 1
    kinds = landing.needles.kinds()
    print(f"\nneedles from {len(landing.files)} landing files: {dict(kinds)}")
    assert kinds[IDENTIFIER] > 100 and kinds[DATE_OF_BIRTH] > 50 and kinds[FREE_TEXT] > 10
    # A control: the first person's pseudonym belongs in the raw zone and the warehouse,
    # so the same scan must find it there (the readers really read those files).
    person = landing.first[IDENTIFIER]
    pseudonym = pseudonymise_values(pl.Series([person]), cli_run.key.encode())[0]
    landing.needles.add(pseudonym, PSEUDONYM)

    root = cli_run.paths.root
    assert (root / "dagster_home").is_dir()
    scan = scan_tree(root, landing.needles, key=cli_run.key)
    print(f"files scanned by kind: {dict(scan.files)}")
    print(f"files scanned by zone: {dict(scan.zones)}")
    leaks = [h for h in scan.hits if h.kind != PSEUDONYM]
    assert leaks == [], "\n".join(str(h) for h in leaks[:50])
    assert scan.files["parquet"] > 0 and scan.files["duckdb"] == 2 and scan.files["sqlite"] > 0
    for zone in ("raw", "quarantine", "published", "dagster_home"):
        assert scan.zones[zone] > 0, zone
    controls = {h.file.parts[0] for h in scan.hits if h.kind == PSEUDONYM}
    assert {"raw", "warehouse.duckdb"} <= controls, controls


def test_the_run_s_console_output_holds_neither_the_key_nor_personal_data(cli_run):
    console = cli_run.out + cli_run.err
    assert console.strip()  # the run did print something to look through
    assert cli_run.key not in console
    needles = needles_from_landing(cli_run.paths.landing).needles
    assert needles.find(console) == []
