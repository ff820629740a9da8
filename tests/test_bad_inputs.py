"""The bad-input catalogue (issue 8): every malformed extract in tests/bad_inputs/
is refused with a clear error, and refusing it harms nothing else.

For each case of tests/bad_inputs/catalogue.yaml a good file for the partition
is loaded first. Then the case's file lands and ingest must raise the
catalogued error (rule, row and column, naming the file), leave the
partition's raw Parquet byte-for-byte as the good load wrote it, record the
rule in the quality report, leave no scratch files behind, and another trust's
partition must still load. Everything calls ``ingest_partition`` directly (no
Dagster, no dbt), so the module stays fast.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import yaml
from test_ingest_support import (
    COLUMNS,
    ORG,
    ROW_BUILDERS,
    YEAR,
    csv_text,
    ingest,
    landing_path,
    rejected,
    valid_rows,
)

from edi_platform.config import IngestSettings, parse_config
from edi_platform.ingest import FileFault, IngestError, TooManyRejected
from edi_platform.ingest.extracts import EXTRACT_SPECS
from edi_platform.ingest.rules import FILE_RULES, ROW_RULES
from edi_platform.ingest.schemas import MODELS
from edi_platform.landing import scan_landing
from edi_platform.paths import EXTRACTS, DataPaths

BAD_INPUTS = Path(__file__).parent / "bad_inputs"
CATALOGUE = BAD_INPUTS / "catalogue.yaml"
OUTCOMES = ("file_refused", "too_many_rejected")
NEIGHBOUR = "RXB"  # another trust of the same year, loaded after each refusal
RAW_FILE = "part-0.parquet"
# Refused before a byte of the file is read, so the report can hold no checksum.
REFUSED_UNREAD = {"outside_landing_folder", "file_name", "file_too_large"}
# Rules no catalogue file can show: file_not_found has no file to keep here, and
# malformed_csv is the fallback for a CSV fault ingest cannot name more exactly
# (no known file reaches it).
RULES_WITHOUT_A_FILE = {"file_not_found", "malformed_csv"}
RANGE_CHECKS = {
    "greater_than",
    "greater_than_or_equal_to",
    "less_than",
    "less_than_or_equal_to",
    "in_range",
}


@dataclass(frozen=True)
class Case:
    id: str
    extract: str
    file: str
    description: str
    outcome: str
    rule: str
    row: int | None
    column: str | None
    landing_path: str | None = None
    max_file_mb: float | None = None

    @property
    def source(self) -> Path:
        return BAD_INPUTS / self.id / self.file

    @property
    def given_path(self) -> str:
        """Where the file is put and handed to ingest, relative to the partition's landing folder."""
        return self.landing_path or self.file

    @property
    def settings(self) -> IngestSettings:
        if self.max_file_mb is None:
            return IngestSettings()
        return IngestSettings(max_file_mb=self.max_file_mb)


def _load_catalogue() -> list[Case]:
    return [Case(**entry) for entry in yaml.safe_load(CATALOGUE.read_text())["cases"]]


CASES = _load_catalogue()


@pytest.fixture(scope="module")
def good_loads(tmp_path_factory) -> dict[str, Path]:
    """Per extract, a data root where a good file has loaded partition RXA 2023-24.

    Each case copies one, which is quicker than loading the good file again.
    """
    roots = {}
    for extract in EXTRACTS:
        root = tmp_path_factory.mktemp(f"good_{extract}")
        source = landing_path(root, extract)
        source.write_text(csv_text(valid_rows(extract, 5), COLUMNS[extract]))
        assert ingest(root, extract, source).rows_loaded == 5
        roots[extract] = root
    return roots


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_and_harms_nothing_else(case, good_loads, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(good_loads[case.extract], root)
    paths = DataPaths(root)
    raw_file = paths.raw_partition(case.extract, YEAR, ORG) / RAW_FILE
    good_output = raw_file.read_bytes()

    with pytest.raises(IngestError) as caught:
        ingest(root, case.extract, _land(case, paths), settings=case.settings)

    error = caught.value
    _assert_clear_error(case, error)
    assert list(raw_file.parent.iterdir()) == [raw_file], "no partial output"
    assert raw_file.read_bytes() == good_output, "the previous good output is untouched"
    _assert_reported(case, error, root)
    _assert_neighbour_loads(root, case.extract)
    assert raw_file.read_bytes() == good_output
    assert list((root / ".tmp").iterdir()) == [], "no scratch files left behind"


def _land(case: Case, paths: DataPaths) -> Path:
    """Replace the partition's good landing file with the case's file, where the case puts it."""
    folder = paths.landing_dir(YEAR, ORG)
    for old in folder.iterdir():
        old.unlink()
    given = folder / case.given_path
    given.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case.source, given)
    return given  # as given: '..' is left for ingest to see


def _expected_file(case: Case) -> str:
    return (Path("landing") / YEAR / ORG / case.given_path).as_posix()


def _where(row: int | None, column: str | None) -> str:
    """How a message places a fault: 'row 3, column fte'."""
    parts = ([f"row {row}"] if row else []) + ([f"column {column}"] if column else [])
    return ", ".join(parts)


def _assert_clear_error(case: Case, error: IngestError) -> None:
    assert error.file == _expected_file(case)
    assert str(error).startswith(error.file), "the message names the file first"
    if case.outcome == "file_refused":
        assert isinstance(error, FileFault)
        assert (error.rule, error.row, error.column) == (case.rule, case.row, case.column)
    else:
        assert isinstance(error, TooManyRejected)
        assert (error.rule, error.row, error.column) == ("too_many_rejected", None, None)
        # The partition-level message still says what the first bad row broke.
        assert f"the first is {_where(case.row, case.column)}: {case.rule}" in str(error)


def _assert_reported(case: Case, error: IngestError, root: Path) -> None:
    report = json.loads(error.report_file.read_text())
    assert (report["file"], report["fault"]) == (error.file, str(error))
    assert case.rule in error.report_file.with_suffix(".md").read_text()
    quarantined = rejected(root, case.extract)
    if case.outcome == "file_refused":
        assert report["status"] == "file_rejected"
        fault = report["issues"][0]
        expected_rows = [case.row] if case.row is not None else []
        assert (fault["rule"], fault["column"], fault["example_rows"]) == (
            case.rule,
            case.column,
            expected_rows,
        )
        assert quarantined.is_empty()
    else:
        assert report["status"] == "too_many_rejected"
        assert report["issues"][0]["rule"] == "too_many_rejected"
        assert any(
            issue["rule"] == case.rule
            and issue["column"] == case.column
            and case.row in issue["example_rows"]
            for issue in report["issues"][1:]
        )
        assert (case.row, case.column, case.rule) in quarantined.select(
            "source_row", "column", "rule"
        ).rows()
    if case.rule in REFUSED_UNREAD:
        assert report["source_sha256"] is None


def _assert_neighbour_loads(root: Path, extract: str) -> None:
    rows = [ROW_BUILDERS[extract](n, org_code=NEIGHBOUR) for n in range(1, 4)]
    source = landing_path(root, extract, org=NEIGHBOUR)
    source.write_text(csv_text(rows, COLUMNS[extract]))
    result = ingest(root, extract, source, org=NEIGHBOUR)
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    assert pl.read_parquet(result.raw_file)["org_code"].to_list() == [NEIGHBOUR] * 3


def test_the_catalogue_has_40_cases_or_more_each_with_its_one_file():
    assert len(CASES) >= 40
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), "case ids are unique"
    for case in CASES:
        assert case.source.is_file(), case.id
        assert case.extract in EXTRACTS, case.id
        assert case.outcome in OUTCOMES, case.id
        assert case.description.strip() and "\n" not in case.description, case.id
    on_disk = {p.relative_to(BAD_INPUTS) for p in BAD_INPUTS.rglob("*") if p.is_file()}
    listed = {case.source.relative_to(BAD_INPUTS) for case in CASES}
    assert on_disk - {Path(CATALOGUE.name)} == listed, "every file is in the catalogue"


def test_every_rule_has_a_bad_input():
    rules = set(FILE_RULES) | set(ROW_RULES)
    assert rules - RULES_WITHOUT_A_FILE - {case.rule for case in CASES} == set()


def _columns_with_a_value_rule(extract: str) -> set[str]:
    """Columns where a non-blank value can be rejected: it does not parse, or is out of range."""
    spec = EXTRACT_SPECS[extract]
    model_columns = MODELS[extract].to_schema().columns
    found = set()
    for column in spec.columns:
        kind = column.kind
        parses_or_fails = kind.fault is not None or (
            kind.bad_rule is not None and kind.bad_severity == "error"
        )
        checks = model_columns[column.target].checks if column.target else []
        ranged = any(check.name in RANGE_CHECKS for check in checks)
        if parses_or_fails or ranged:
            found.add(column.source)
    return found


@pytest.mark.parametrize("extract", EXTRACTS)
def test_every_column_with_a_value_rule_has_a_bad_input(extract):
    covered = {case.column for case in CASES if case.extract == extract}
    assert _columns_with_a_value_rule(extract) - covered == set()


def test_a_link_out_of_landing_is_skipped_by_the_scan_and_refused_by_ingest(tmp_path):
    paths = DataPaths(tmp_path)
    secret = tmp_path / "elsewhere" / "esr_staff.csv"
    secret.parent.mkdir()
    secret.write_text(csv_text(valid_rows("esr_staff", 2), COLUMNS["esr_staff"]))
    link = landing_path(tmp_path, "esr_staff")
    link.symlink_to(secret)
    beside = landing_path(tmp_path, "recruitment")
    beside.write_text(csv_text(valid_rows("recruitment", 2), COLUMNS["recruitment"]))
    config = parse_config(
        {
            "icb_code": "QAB",
            "reporting_years": [YEAR],
            "trusts": [{"org_code": ORG, "type": "acute"}],
        }
    )

    scan = scan_landing(paths, config)

    assert [(f.extract, f.path) for f in scan.files] == [("recruitment", beside)]
    assert [(s.path, s.reason) for s in scan.skipped] == [
        (link, "a link that leads outside the landing folder")
    ]
    with pytest.raises(FileFault) as caught:
        ingest(tmp_path, "esr_staff", link)
    assert (caught.value.rule, caught.value.file) == (
        "outside_landing_folder",
        f"landing/{YEAR}/{ORG}/esr_staff.csv",
    )
    assert json.loads(caught.value.report_file.read_text())["source_sha256"] is None
    assert not paths.raw_partition("esr_staff", YEAR, ORG).exists()
