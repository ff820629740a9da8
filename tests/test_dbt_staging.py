"""The dbt project's foundation, built for real on tiny raw Parquet.

Fixtures write the raw zone exactly as docs/raw-zone.md describes it (paths, columns,
Parquet types) for two trusts and two reporting years, point EDI_DATA_DIR at it and run
`dbt build` (seeds, staging views and every data test) in a subprocess, then read the
DuckDB warehouse it wrote. Each scenario is one dbt invocation, shared by the module:

- ``good``: valid data; everything builds and every data test passes;
- ``faulty``: the same data with one fault per file in eight files (an assignment_id
  repeated within a trust and year, two primary assignments, a staff group code that
  lost its leading zero, ...); `dbt build` must fail on exactly the eight data tests
  meant to catch them. It reuses ``good``'s dbt target directory with a different
  EDI_DATA_DIR, as a developer switching data folders would, so it also proves that a
  saved (partially parsed) manifest never points the sources at the old folder.

Nothing touches data/ or dbt_project/target/: the warehouse, dbt's target and logs all
live in pytest's temporary directory.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import dbt_support
import duckdb
import polars as pl
import pytest

# Each scenario runs dbt once (about 15 s here); the module takes well under a minute.
pytestmark = pytest.mark.slow


TRUSTS = ("RXA", "RXB")
YEARS = ("2022-23", "2023-24")

# Raw-zone columns and Parquet types, as docs/raw-zone.md specifies them.
COMMON = {"org_code": pl.String, "reporting_year": pl.String, "source_row": pl.Int64}
MONEY = pl.Decimal(18, 2)
RAW_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "esr_staff": {
        **COMMON,
        "person_id": pl.String,
        "assignment_id": pl.String,
        "is_primary_assignment": pl.Boolean,
        "assignment_category": pl.String,
        "staff_group_code": pl.String,
        "pay_band": pl.String,
        "ethnic_category_code": pl.String,
        "disability": pl.String,
        "sex": pl.String,
        "age_band": pl.String,
        "religious_belief": pl.String,
        "sexual_orientation": pl.String,
        "fte": pl.Float64,
        "weekly_contracted_hours": pl.Float64,
        "ordinary_pay_period": MONEY,
        "pay_period_days": pl.Int32,
        "full_pay_relevant": pl.Boolean,
        "bonus_pay_12m": MONEY,
        "board_member": pl.Boolean,
        "board_voting": pl.Boolean,
        "board_executive": pl.Boolean,
        "entered_disciplinary": pl.Boolean,
        "entered_capability": pl.Boolean,
        "nonmandatory_training": pl.Boolean,
    },
    "recruitment": {
        **COMMON,
        "application_id": pl.String,
        "vacancy_id": pl.String,
        "pay_band": pl.String,
        "ethnic_category_code": pl.String,
        "disability": pl.String,
        "sex": pl.String,
        "shortlisted": pl.Boolean,
        "appointed": pl.Boolean,
    },
    "staff_survey": {
        **COMMON,
        "survey_year": pl.Int32,
        "question_code": pl.String,
        "breakdown": pl.String,
        "respondent_group": pl.String,
        "response_option": pl.String,
        "responses": pl.Int64,
    },
    "incidents": {
        **COMMON,
        "incident_id": pl.String,
        "incident_date": pl.Date,
        "category": pl.String,
        "perpetrator": pl.String,
        "harm_level": pl.String,
        "staff_group_code": pl.String,
        "reported_to_police": pl.Boolean,
        "victim_person_id": pl.String,
    },
}

STAGING_MODELS = {
    "esr_staff": "stg_esr__assignments",
    "recruitment": "stg_recruitment__applications",
    "staff_survey": "stg_staff_survey__response_counts",
    "incidents": "stg_incidents__incidents",
}
SEEDS = ("ethnic_categories", "staff_groups", "pay_bands", "assignment_categories", "question_map")

# What DuckDB calls each Parquet type once staging has cast it.
DUCKDB_TYPES = {
    pl.String: "VARCHAR",
    pl.Int64: "BIGINT",
    pl.Int32: "INTEGER",
    pl.Boolean: "BOOLEAN",
    pl.Float64: "DOUBLE",
    pl.Date: "DATE",
    MONEY: "DECIMAL(18,2)",
}


def pseudonym(*parts: str) -> str:
    """A 64-hex stand-in for ingest's HMAC-SHA256 pseudonyms."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _esr_rows(org: str, year: str) -> list[dict]:
    def person(name: str) -> str:
        return pseudonym("person", org, name)  # the same person in both years

    flags = dict(
        board_member=False,
        board_voting=False,
        board_executive=False,
        entered_disciplinary=False,
        entered_capability=False,
        nonmandatory_training=False,
    )
    base = dict(
        religious_belief=None,
        sexual_orientation=None,
        pay_period_days=31,
        full_pay_relevant=True,
        bonus_pay_12m=Decimal("0.00"),
    )
    rows = [
        # A nurse with a substantive post and a bank post.
        dict(
            person_id=person("nurse"),
            assignment_id=pseudonym("assignment", org, year, "nurse-1"),
            is_primary_assignment=True,
            assignment_category="Permanent",
            staff_group_code="03",
            pay_band="Band 5",
            ethnic_category_code="N",
            disability="No",
            sex="Female",
            age_band="25-29",
            fte=0.8,
            weekly_contracted_hours=30.0,
            ordinary_pay_period=Decimal("2345.67"),
            **{**base, "religious_belief": "Christianity"},
            **{**flags, "nonmandatory_training": True},
        ),
        dict(
            person_id=person("nurse"),
            assignment_id=pseudonym("assignment", org, year, "nurse-2"),
            is_primary_assignment=False,
            assignment_category="Bank",
            staff_group_code="03",
            pay_band="Band 5",
            ethnic_category_code="N",
            disability="No",
            sex="Female",
            age_band="25-29",
            fte=0.1,
            weekly_contracted_hours=3.75,
            ordinary_pay_period=Decimal("312.10"),
            **base,
            **flags,
        ),
        # The director of finance: an executive, voting board member on leave in March.
        dict(
            person_id=person("finance-director"),
            assignment_id=pseudonym("assignment", org, year, "fd-1"),
            is_primary_assignment=True,
            assignment_category="Permanent",
            staff_group_code="08",
            pay_band="VSM",
            ethnic_category_code="A",
            disability="Prefer Not To Answer",
            sex="Male",
            age_band="50-54",
            fte=1.0,
            weekly_contracted_hours=37.5,
            ordinary_pay_period=Decimal("11250.00"),
            **{**base, "full_pay_relevant": False, "bonus_pay_12m": Decimal("1500.50")},
            **{**flags, "board_member": True, "board_voting": True, "board_executive": True},
        ),
        # A non-executive director, nothing recorded about them.
        dict(
            person_id=person("chair"),
            assignment_id=pseudonym("assignment", org, year, "ned-1"),
            is_primary_assignment=True,
            assignment_category="Non-Executive Director",
            staff_group_code="08",
            pay_band="Other",
            ethnic_category_code=None,
            disability=None,
            sex=None,
            age_band="65 and over",
            fte=0.1,
            weekly_contracted_hours=4.0,
            ordinary_pay_period=Decimal("1083.33"),
            **base,
            **{**flags, "board_member": True, "board_voting": True},
        ),
    ]
    return rows


def _recruitment_rows(org: str, year: str) -> list[dict]:
    def application(n: int, **values) -> dict:
        return dict(
            application_id=pseudonym("application", org, year, str(n)),
            vacancy_id=f"{org}-{year}-V1",
            pay_band="Band 6",
            **values,
        )

    return [
        application(
            1,
            ethnic_category_code="A",
            disability="No",
            sex="Female",
            shortlisted=True,
            appointed=True,
        ),
        application(
            2,
            ethnic_category_code="H",
            disability="Yes",
            sex="Male",
            shortlisted=True,
            appointed=False,
        ),
        application(
            3,
            ethnic_category_code=None,
            disability=None,
            sex=None,
            shortlisted=False,
            appointed=False,
        ),
    ]


def _survey_rows(org: str, year: str) -> list[dict]:
    survey_year = int(year[:4])
    cells = [
        ("overall", "all", "Never", 120),
        ("overall", "all", "1-2", 30),
        ("ethnicity", "White", "Never", 90),
        ("ethnicity", "BME", "1-2", 0),
    ]
    return [
        dict(
            survey_year=survey_year,
            question_code="Q14a",
            breakdown=breakdown,
            respondent_group=group,
            response_option=option,
            responses=responses,
        )
        for breakdown, group, option, responses in cells
    ]


def _incident_rows(org: str, year: str) -> list[dict]:
    first = int(year[:4])
    return [
        dict(
            incident_id=pseudonym("incident", org, year, "1"),
            incident_date=date(first, 4, 1),  # the first day of the year
            category="Physical assault",
            perpetrator="Patient",
            harm_level="Low",
            staff_group_code="03",
            reported_to_police=True,
            victim_person_id=pseudonym("person", org, "nurse"),
        ),
        dict(
            incident_id=pseudonym("incident", org, year, "2"),
            incident_date=date(first + 1, 3, 31),  # and the last
            category="Verbal abuse",
            perpetrator="Relative or public",
            harm_level="No harm",
            staff_group_code="07",
            reported_to_police=False,
            victim_person_id=None,
        ),
    ]


ROW_BUILDERS = {
    "esr_staff": _esr_rows,
    "recruitment": _recruitment_rows,
    "staff_survey": _survey_rows,
    "incidents": _incident_rows,
}


# One fault per data test that should catch it, each in its own file, so that the
# faulty build must fail on exactly these tests: (extract, org, year, what to do to the
# rows) and (model, generic test, column, text in the test's arguments).
def _duplicate_assignment(rows):  # the nurse's bank post under the substantive number
    rows[1]["assignment_id"] = rows[0]["assignment_id"]


def _two_primary_assignments(rows):
    rows[1]["is_primary_assignment"] = True


def _staff_group_lost_its_zero(rows):  # what a spreadsheet does to "08"
    rows[2]["staff_group_code"] = "8"


def _voting_but_not_on_the_board(rows):
    rows[0]["board_voting"] = True


def _appointed_without_shortlisting(rows):
    rows[2]["appointed"] = True


def _unknown_pay_band(rows):
    rows[0]["pay_band"] = "Band 10"


def _group_from_another_breakdown(rows):
    rows[2]["respondent_group"] = "Disabled"


def _incident_after_the_year(rows):
    rows[1]["incident_date"] = rows[1]["incident_date"].replace(month=4, day=1)


def _incident_without_harm_level(rows):
    rows[0]["harm_level"] = None


FAULTS = {
    ("esr_staff", "RXA", "2023-24"): _duplicate_assignment,
    ("esr_staff", "RXB", "2023-24"): _two_primary_assignments,
    ("esr_staff", "RXA", "2022-23"): _staff_group_lost_its_zero,
    ("esr_staff", "RXB", "2022-23"): _voting_but_not_on_the_board,
    ("recruitment", "RXA", "2023-24"): _appointed_without_shortlisting,
    ("recruitment", "RXB", "2022-23"): _unknown_pay_band,
    ("staff_survey", "RXB", "2023-24"): _group_from_another_breakdown,
    ("incidents", "RXA", "2022-23"): _incident_after_the_year,
    ("incidents", "RXB", "2022-23"): _incident_without_harm_level,
}
EXPECTED_FAILURES = {
    ("stg_esr__assignments", "unique_combination_of_columns", None, "assignment_id"),
    ("stg_esr__assignments", "exactly_one_true_per_group", "is_primary_assignment", "person_id"),
    ("stg_esr__assignments", "relationships", "staff_group_code", "staff_groups"),
    ("stg_esr__assignments", "expression_is_true", None, "board_voting"),
    ("stg_recruitment__applications", "expression_is_true", None, "shortlisted"),
    ("stg_recruitment__applications", "relationships", "pay_band", "pay_bands"),
    ("stg_staff_survey__response_counts", "expression_is_true", None, "respondent_group"),
    ("stg_incidents__incidents", "expression_is_true", None, "incident_date"),
    ("stg_incidents__incidents", "not_null_columns", None, "harm_level"),
}


def write_raw_zone(data_dir: Path, *, faults: bool = False) -> dict[str, int]:
    """Write raw/<extract>/year=<y>/org=<o>/part-0.parquet; return rows per extract."""
    counts = {}
    for extract, build in ROW_BUILDERS.items():
        counts[extract] = 0
        for org in TRUSTS:
            for year in YEARS:
                rows = build(org, year)
                if faults and (extract, org, year) in FAULTS:
                    FAULTS[extract, org, year](rows)
                rows = [
                    {"org_code": org, "reporting_year": year, "source_row": i, **row}
                    for i, row in enumerate(rows, start=2)
                ]
                frame = pl.DataFrame(rows, schema=RAW_SCHEMAS[extract])
                folder = data_dir / "raw" / extract / f"year={year}" / f"org={org}"
                folder.mkdir(parents=True, exist_ok=True)
                frame.write_parquet(folder / "part-0.parquet")
                counts[extract] += frame.height
    return counts


@dataclass
class DbtRun:
    data_dir: Path
    row_counts: dict[str, int]
    returncode: int
    output: str
    run_results: dict
    manifest: dict

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    def results_by_name(self) -> dict[str, dict]:
        return {r["unique_id"].split(".")[2]: r for r in self.run_results["results"]}


def run_dbt_build(data_dir: Path, work_dir: Path) -> tuple[int, str, dict, dict]:
    # This module tests the foundation: seeds, staging and their tests. The layers built
    # on them have their own test modules.
    run = dbt_support.run_dbt(
        ["build", "--select", "resource_type:seed", "path:models/staging"], data_dir, work_dir
    )
    return run.returncode, run.output, run.run_results, run.manifest


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dbt_staging")


@pytest.fixture(scope="module")
def good(work_dir) -> DbtRun:
    data_dir = work_dir / "good"
    counts = write_raw_zone(data_dir)
    returncode, output, run_results, manifest = run_dbt_build(data_dir, work_dir)
    return DbtRun(data_dir, counts, returncode, output, run_results, manifest)


@pytest.fixture(scope="module")
def faulty(work_dir, good) -> DbtRun:
    # Depends on `good` so that it runs second and finds good's saved manifest.
    data_dir = work_dir / "faulty"
    counts = write_raw_zone(data_dir, faults=True)
    returncode, output, run_results, manifest = run_dbt_build(data_dir, work_dir)
    return DbtRun(data_dir, counts, returncode, output, run_results, manifest)


def query(run: DbtRun, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def column_types(run: DbtRun, schema: str, table: str) -> dict[str, str]:
    rows = query(
        run,
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    )
    return dict(rows)


# --- the good build ------------------------------------------------------------------


def test_build_succeeds_and_every_test_passes(good):
    assert good.returncode == 0, good.output[-5000:]
    statuses = {name: r["status"] for name, r in good.results_by_name().items()}
    not_ok = {name: s for name, s in statuses.items() if s not in ("success", "pass")}
    assert not not_ok, not_ok
    # Seeds, the four views and a good number of data tests all ran.
    kinds = [r["unique_id"].split(".")[0] for r in good.run_results["results"]]
    assert kinds.count("seed") == len(SEEDS)
    assert kinds.count("model") == len(STAGING_MODELS)
    assert kinds.count("test") >= 60


def test_staging_views_exist_in_schema_staging(good):
    rows = query(
        good,
        "select table_name, table_type from information_schema.tables "
        "where table_schema = 'staging' order by table_name",
    )
    assert dict(rows) == {name: "VIEW" for name in STAGING_MODELS.values()}


@pytest.mark.parametrize("extract", STAGING_MODELS)
def test_staging_row_counts_equal_the_raw_files(good, extract):
    model = STAGING_MODELS[extract]
    [(n,)] = query(good, f"select count(*) from staging.{model}")
    assert n == good.row_counts[extract]
    per_partition = query(
        good,
        f"select org_code, reporting_year, count(*) from staging.{model} group by all",
    )
    assert {(org, year) for org, year, _ in per_partition} == {
        (org, year) for org in TRUSTS for year in YEARS
    }


@pytest.mark.parametrize("extract", STAGING_MODELS)
def test_staging_columns_are_the_contract_with_its_types(good, extract):
    expected = {name: DUCKDB_TYPES[dtype] for name, dtype in RAW_SCHEMAS[extract].items()}
    assert column_types(good, "staging", STAGING_MODELS[extract]) == expected


def test_values_survive_staging_exactly(good):
    [(pay, bonus, fte, days)] = query(
        good,
        "select ordinary_pay_period, bonus_pay_12m, fte, pay_period_days "
        "from staging.stg_esr__assignments "
        "where org_code = 'RXA' and reporting_year = '2023-24' and pay_band = 'VSM'",
    )
    assert (pay, bonus, fte, days) == (Decimal("11250.00"), Decimal("1500.50"), 1.0, 31)
    [(first, last)] = query(
        good,
        "select min(incident_date), max(incident_date) from staging.stg_incidents__incidents "
        "where org_code = 'RXB' and reporting_year = '2022-23'",
    )
    assert (first, last) == (date(2022, 4, 1), date(2023, 3, 31))
    [(codes,)] = query(
        good,
        "select list(distinct staff_group_code order by staff_group_code) "
        "from staging.stg_esr__assignments",
    )
    assert codes == ["03", "08"]


@pytest.mark.parametrize("model", sorted(STAGING_MODELS.values()))
def test_every_staging_column_is_documented(good, model):
    node = good.manifest["nodes"][f"model.edi_platform.{model}"]
    assert node["description"].strip()
    documented = {name: col["description"].strip() for name, col in node["columns"].items()}
    actual = column_types(good, "staging", model)
    assert set(documented) == set(actual)
    assert all(documented.values()), [name for name, text in documented.items() if not text]


@pytest.mark.parametrize("extract", STAGING_MODELS)
def test_sources_document_every_raw_column_and_name_the_ingest_asset(good, extract):
    [source] = [s for s in good.manifest["sources"].values() if s["name"] == extract]
    assert set(source["columns"]) == set(RAW_SCHEMAS[extract])
    assert all(col["description"].strip() for col in source["columns"].values())
    assert source["meta"]["dagster"]["asset_key"] == ["raw", extract]
    location = source["meta"]["external_location"]
    assert f"{good.data_dir}/raw/{extract}/" in location
    assert "hive_partitioning = false" in location


def test_seeds_land_in_reference_with_codes_as_text(good):
    rows = query(
        good,
        "select table_name from information_schema.tables where table_schema = 'reference'",
    )
    assert {name for (name,) in rows} == set(SEEDS)
    assert column_types(good, "reference", "staff_groups")["staff_group_code"] == "VARCHAR"
    [(first_code,)] = query(good, "select min(staff_group_code) from reference.staff_groups")
    assert first_code == "01"
    pay_bands = column_types(good, "reference", "pay_bands")
    assert pay_bands["band_order"] == "INTEGER"
    assert pay_bands["is_8c_and_above"] == "BOOLEAN"
    categories = column_types(good, "reference", "assignment_categories")
    assert categories["in_workforce"] == categories["is_non_executive"] == "BOOLEAN"
    assert column_types(good, "reference", "question_map")["survey_year"] == "INTEGER"
    [(senior,)] = query(
        good,
        "select list(pay_band order by band_order) from reference.pay_bands where is_8c_and_above",
    )
    assert senior == ["Band 8c", "Band 8d", "Band 9", "VSM"]


def test_warehouse_is_written_under_edi_data_dir(good):
    assert good.warehouse.is_file()
    assert good.warehouse.parent == good.data_dir


# --- faulty data ---------------------------------------------------------------------


def describe_test(manifest: dict, unique_id: str) -> tuple[str, str, str | None, str]:
    node = manifest["nodes"][unique_id]
    model = node["attached_node"].split(".")[-1]
    metadata = node["test_metadata"]
    return model, metadata["name"], node["column_name"], json.dumps(metadata["kwargs"])


def test_faulty_data_fails_the_build_on_exactly_the_right_tests(faulty):
    assert faulty.returncode != 0
    failed = [r for r in faulty.run_results["results"] if r["status"] not in ("success", "pass")]
    assert all(r["status"] == "fail" for r in failed), [
        (r["unique_id"], r["status"]) for r in failed
    ]
    found = {describe_test(faulty.manifest, r["unique_id"]) for r in failed}
    matched = {
        expected
        for expected in EXPECTED_FAILURES
        for model, test, column, kwargs in found
        if (model, test, column) == expected[:3] and expected[3] in kwargs
    }
    assert matched == EXPECTED_FAILURES
    assert len(found) == len(EXPECTED_FAILURES), sorted(found)
    # Each fault is one bad row (or one bad pair of rows) in one file.
    assert {r["failures"] for r in failed} == {1}


def test_not_null_columns_names_each_column_with_nulls_and_counts_them(faulty):
    """One not_null_columns test covers a model's required columns; its failing rows say
    which column held the nulls, as dbt's per-column not_null did by its name."""
    [result] = [
        r
        for r in faulty.run_results["results"]
        if r["unique_id"].startswith("test.")
        and describe_test(faulty.manifest, r["unique_id"])[:2]
        == ("stg_incidents__incidents", "not_null_columns")
    ]
    # One harm_level blanked in RXB 2022-23 (_incident_without_harm_level); nothing else.
    assert query(faulty, result["compiled_code"]) == [("harm_level", 1)]


def test_a_new_data_dir_is_read_even_with_a_saved_manifest(good, faulty):
    """The faulty run reused good's target directory (and its partial-parse state)."""
    for run in (good, faulty):
        for source in run.manifest["sources"].values():
            assert f"'{run.data_dir}/raw/" in source["relation_name"]
    [(n,)] = query(
        faulty,
        "select count(*) - count(distinct assignment_id) from staging.stg_esr__assignments "
        "where org_code = 'RXA' and reporting_year = '2023-24'",
    )
    assert n == 1
