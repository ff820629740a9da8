"""The WRES and WDES marts (issue 3), checked three ways.

1. dbt unit tests: every indicator on small hand-worked inputs
   (dbt_project/models/marts/_wres_wdes__unit_tests.yml), run with
   `dbt test --select test_type:unit`; each WRES and WDES metric has at least one.
2. End to end: a generated ICS whose trust codes the sample never uses is generated,
   ingested and built with one `dbt build`; the planted effects of the generator
   (edi_platform.generator.PLANTED_EFFECTS) must come back within their sampling error,
   every figure must follow from its numerator and denominator, the system row must
   equal the pooled counts, and the counts must match an independent calculation made
   here, in polars, from the raw Parquet.
3. The dbt data tests on the two marts pass in that build.

Tolerances come from each estimate's own sampling error: a 99.9% interval (z = 3.29,
Wilson for proportions, Katz for ratios, a bound of 5/sqrt(n) on the standard deviation
of a 0-10 score) must contain the planted value. The seed is fixed, so the outcome never
changes between runs; a correct platform fails one such check with probability about
1 in 1,000.

dbt runs twice for the module (about a minute each on two shared cores): the build and
the unit tests, both on the module's own EDI_DATA_DIR and target directory.
"""

from __future__ import annotations

import math
from pathlib import Path

import dbt_support
import duckdb
import polars as pl
import pytest

from edi_platform.config import parse_config
from edi_platform.generator import PLANTED_EFFECTS
from edi_platform.paths import DataPaths

pytestmark = pytest.mark.slow

MARTS = ("wres_indicators", "wdes_metrics")
# The models whose unit tests live in models/marts/_wres_wdes__unit_tests.yml.
UNIT_TESTED_MODELS = (
    *MARTS,
    "int_people",
    "int_applications_grouped",
    "int_workforce_band_counts",
    "int_relative_likelihood_counts",
    "int_board_counts",
)
WRES_METRICS = [f"wres_{i}" for i in range(1, 10)]
WDES_METRICS = [
    "wdes_1", "wdes_2", "wdes_3", "wdes_4a_i", "wdes_4a_ii", "wdes_4a_iii", "wdes_4b",
    "wdes_5", "wdes_6", "wdes_7", "wdes_8", "wdes_9a", "wdes_10",
]  # fmt: skip

# Three trusts with codes the sample never uses, three years at full scale (about 19,000
# staff a year, 57,000 applications): enough for most planted effects to stand out from
# sampling error, and still only seconds of generation and ingest.
ICB = "QJK"
RAW_CONFIG = {
    "icb_code": ICB,
    "icb_name": "WRES/WDES test ICB",
    "reporting_years": ["2021-22", "2022-23", "2023-24"],
    "trusts": [
        {"org_code": "R4J", "name": "Acute", "type": "acute"},
        {"org_code": "R6M", "name": "Mental health", "type": "mental_health"},
        {"org_code": "R8C", "name": "Community", "type": "community"},
    ],
}
CONFIG = parse_config(RAW_CONFIG)
TRUSTS = CONFIG.org_codes
YEARS = CONFIG.reporting_years
SCALE = 1.0
SEED = 31

Z95 = 1.96  # as the dbt statistics macros (macros/statistics.sql) use it
Z999 = 3.2905267314918945  # two-sided 99.9%
SENIOR_BANDS = ("Band 8c", "Band 8d", "Band 9", "VSM")
WHITE_CODES = set("ABC")
BME_CODES = set("DEFGHJKLMNPRS")
CLINICAL_GROUPS = {"01", "03", "04", "05", "06", "07", "10"}


# -- running dbt -------------------------------------------------------------------------


def run_dbt(args: list[str], data_dir: Path, work_dir: Path) -> tuple[int, str, dict, dict]:
    """One dbt invocation on data_dir, with target and logs under work_dir."""
    run = dbt_support.run_dbt(args, data_dir, work_dir, icb_code=ICB)
    return run.returncode, run.output, run.run_results, run.manifest


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("wres_wdes")


@pytest.fixture(scope="module")
def paths(work_dir) -> DataPaths:
    """The generated ICS, generated and ingested (each file into its raw partition)."""
    paths = DataPaths(work_dir / "data")
    dbt_support.generate_and_ingest(CONFIG, paths, seed=SEED, scale=SCALE)
    return paths


@pytest.fixture(scope="module")
def build(paths, work_dir):
    """One `dbt build` of the marts and everything upstream, with their data tests."""
    return run_dbt(
        [
            "build",
            "--select", *(f"+{mart}" for mart in MARTS),
            # tests whose parents are all built (not, say, the incident tests that a
            # shared seed would otherwise pull in)
            "--indirect-selection", "buildable",
            # the unit tests run once, on their own, in the unit_tests fixture
            "--exclude-resource-type", "unit_test",
        ],
        paths.root,
        work_dir,
    )  # fmt: skip


@pytest.fixture(scope="module")
def unit_tests(build, paths, work_dir):
    """The unit tests, run on the built warehouse (dbt reads the inputs' column types)."""
    selectors = [f"test_type:unit,{model}" for model in UNIT_TESTED_MODELS]
    return run_dbt(["test", "--select", *selectors], paths.root, work_dir)


def query(paths: DataPaths, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return pl.from_arrow(con.sql(sql).to_arrow_table())


@pytest.fixture(scope="module")
def marts(build, paths) -> dict[str, pl.DataFrame]:
    returncode, output, _, _ = build
    assert returncode == 0, output[-5000:]
    return {mart: query(paths, f"select * from marts.{mart}") for mart in MARTS}


@pytest.fixture(scope="module")
def indicators(marts) -> pl.DataFrame:
    return pl.concat(list(marts.values()))


# -- reading the marts ---------------------------------------------------------------------


def rows(frame: pl.DataFrame, **where) -> pl.DataFrame:
    for column, value in where.items():
        if isinstance(value, list | tuple | set):
            frame = frame.filter(pl.col(column).is_in(list(value)))
        else:
            frame = frame.filter(pl.col(column) == value)
    return frame


def counts(frame: pl.DataFrame, **where) -> tuple[int, int]:
    """Numerator and denominator summed over the selected rows."""
    selected = rows(frame, **where)
    assert selected.height > 0, where
    return int(selected["numerator"].sum()), int(selected["denominator"].sum())


# -- statistics, written out here independently of the dbt macros ------------------------


def wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    return (centre - half) / scale, (centre + half) / scale


def katz(a: int, n1: int, c: int, n2: int, z: float) -> tuple[float, float, float]:
    ratio = (a / n1) / (c / n2)
    half = z * math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return ratio, ratio * math.exp(-half), ratio * math.exp(half)


def system_counts(frame: pl.DataFrame, metric: str, group: str) -> tuple[int, int]:
    """The system row's counts for a group, pooled over the years (effects are fixed)."""
    return counts(frame, org_code=ICB, metric_id=metric, breakdown="overall", group=group)


# -- 1. unit tests ------------------------------------------------------------------------


def test_unit_tests_pass(unit_tests):
    returncode, output, run_results, _ = unit_tests
    results = run_results["results"]
    assert results, output[-3000:]
    failed = [r["unique_id"] for r in results if r["status"] != "pass"]
    assert not failed, output[-5000:]
    assert returncode == 0, output[-5000:]


def test_every_wres_and_wdes_metric_has_a_unit_test(unit_tests):
    _, _, run_results, manifest = unit_tests
    ran = {r["unique_id"] for r in run_results["results"]}
    covered = {
        indicator
        for unique_id, node in manifest["unit_tests"].items()
        if unique_id in ran
        for indicator in node["config"]["meta"].get("indicators", [])
    }
    assert set(WRES_METRICS + WDES_METRICS) <= covered, sorted(
        set(WRES_METRICS + WDES_METRICS) - covered
    )
    # and each test says what it works out
    for unique_id in ran:
        assert len(manifest["unit_tests"][unique_id]["description"]) > 80, unique_id


# -- 3. data tests -------------------------------------------------------------------------


def test_build_succeeds_with_every_data_test_on_the_marts_passing(build):
    returncode, output, run_results, manifest = build
    assert returncode == 0, output[-5000:]
    not_ok = [
        r["unique_id"] for r in run_results["results"] if r["status"] not in ("success", "pass")
    ]
    assert not not_ok, not_ok
    mart_tests = [
        r
        for r in run_results["results"]
        if r["unique_id"].startswith("test.")
        and set(manifest["nodes"][r["unique_id"]]["depends_on"]["nodes"])
        & {f"model.edi_platform.{mart}" for mart in MARTS}
    ]
    names = {manifest["nodes"][r["unique_id"]]["test_metadata"]["name"] for r in mart_tests}
    assert {
        "unique_combination_of_columns",
        "expression_is_true",
        "values_sum_to_total",
        "accepted_values",
        "not_null_columns",
    } <= names
    # One not_null_columns per mart covers what 10 not_null tests each did before.
    assert len(mart_tests) >= 25
    for mart in MARTS:
        [required] = [
            manifest["nodes"][r["unique_id"]]["test_metadata"]["kwargs"]["column_names"]
            for r in mart_tests
            if manifest["nodes"][r["unique_id"]]["test_metadata"]["name"] == "not_null_columns"
            and f"model.edi_platform.{mart}"
            in manifest["nodes"][r["unique_id"]]["depends_on"]["nodes"]
        ]
        assert {"org_code", "reporting_year", "metric_id", "breakdown", "unit"} <= set(required)
    assert all(r["status"] == "pass" for r in mart_tests)


def test_marts_are_documented_for_dagster_and_the_warehouse(build, paths):
    _, _, _, manifest = build
    for mart in MARTS:
        node = manifest["nodes"][f"model.edi_platform.{mart}"]
        assert node["description"].strip()
        assert list(node["columns"]) == [
            "org_code", "reporting_year", "metric_id", "breakdown", "group", "numerator",
            "denominator", "value", "unit", "ci_lower", "ci_upper", "note",
        ]  # fmt: skip
        assert all(column["description"].strip() for column in node["columns"].values())
        comments = query(
            paths,
            "select column_name, comment from duckdb_columns() "
            f"where schema_name = 'marts' and table_name = '{mart}'",
        )
        assert comments["comment"].is_not_null().all(), mart


def test_marts_are_dagster_assets_with_descriptions_column_docs_and_checks(tmp_path, dbt_manifest):
    from dagster import AssetKey

    from assets.definitions import build_definitions

    graph = build_definitions(CONFIG, DataPaths(tmp_path)).resolve_asset_graph()
    for mart in MARTS:
        node = graph.get(AssetKey(["marts", mart]))
        assert node.group_name == "marts"
        assert "system" in node.description
        columns = node.metadata["dagster/column_schema"].columns
        assert [c.name for c in columns][:5] == [
            "org_code", "reporting_year", "metric_id", "breakdown", "group",
        ]  # fmt: skip
        assert all(c.description for c in columns), mart
        assert len(node.check_keys) >= 12, mart
        assert any(key.name.startswith("not_null_columns_") for key in node.check_keys), mart


# -- 2. end to end: shape ------------------------------------------------------------------


def test_every_trust_year_and_the_system_have_every_metric(marts):
    for mart, metrics in (("wres_indicators", WRES_METRICS), ("wdes_metrics", WDES_METRICS)):
        frame = marts[mart]
        for org in (*TRUSTS, ICB):
            for year in YEARS:
                present = set(rows(frame, org_code=org, reporting_year=year)["metric_id"])
                assert present == set(metrics), (mart, org, year, set(metrics) ^ present)


def test_columns_have_the_contract_types(paths):
    for mart in MARTS:
        types = dict(
            query(
                paths,
                "select column_name, data_type from information_schema.columns "
                f"where table_schema = 'marts' and table_name = '{mart}'",
            ).iter_rows()
        )
        assert types == {
            "org_code": "VARCHAR", "reporting_year": "VARCHAR", "metric_id": "VARCHAR",
            "breakdown": "VARCHAR", "group": "VARCHAR", "numerator": "BIGINT",
            "denominator": "BIGINT", "value": "DOUBLE", "unit": "VARCHAR",
            "ci_lower": "DOUBLE", "ci_upper": "DOUBLE", "note": "VARCHAR",
        }  # fmt: skip


def test_groups_and_breakdowns_follow_the_contract(indicators):
    expected_groups = {
        "wres_1": {"White", "BME", "Unknown"},
        "wres_2": {"White", "BME", "relative_likelihood"},
        "wres_5": {"White", "BME", "all"},
        "wres_9": {"board", "workforce", "difference"},
        "wdes_1": {"Disabled", "Non-disabled", "Unknown"},
        "wdes_3": {"Disabled", "Non-disabled", "relative_likelihood"},
        "wdes_6": {"Disabled", "Non-disabled", "all"},
        "wdes_8": {"Disabled"},
        "wdes_9a": {"Disabled", "Non-disabled", "all"},
        "wdes_10": {"board", "workforce", "difference"},
    }
    for metric, groups in expected_groups.items():
        assert set(rows(indicators, metric_id=metric)["group"]) == groups, metric
    for metric in ("wres_9", "wdes_10"):
        assert set(rows(indicators, metric_id=metric)["breakdown"]) == {
            "board:all", "board:voting", "board:executive", "board:non_executive",
        }  # fmt: skip
    wres_1 = set(rows(indicators, metric_id="wres_1")["breakdown"])
    assert {"overall", "clinical:Band 5", "non_clinical:Band 8a"} <= wres_1
    assert all(b == "overall" or b.split(":")[0] in ("clinical", "non_clinical") for b in wres_1)


# -- 2. end to end: every figure follows from its counts ----------------------------------


def test_every_rate_is_its_numerator_over_its_denominator_with_its_wilson_interval(indicators):
    scale = {"percent": 100.0, "proportion": 1.0}
    rates = indicators.filter(pl.col("unit").is_in(list(scale)))
    assert rates.height > 1000
    for row in rates.iter_rows(named=True):
        x, n, k = row["numerator"], row["denominator"], scale[row["unit"]]
        if n == 0:
            assert row["value"] is None and row["note"] == "no_population", row
            continue
        assert row["value"] == pytest.approx(x / n * k, rel=1e-12, abs=1e-12), row
        lower, upper = wilson(x, n, Z95)
        assert row["ci_lower"] == pytest.approx(lower * k, rel=1e-9, abs=1e-9), row
        assert row["ci_upper"] == pytest.approx(upper * k, rel=1e-9, abs=1e-9), row


def test_every_relative_likelihood_follows_from_its_two_group_rows(indicators):
    directions = {
        "wres_2": ("White", "BME"),
        "wres_3": ("BME", "White"),
        "wres_4": ("White", "BME"),
        "wdes_2": ("Non-disabled", "Disabled"),
        "wdes_3": ("Disabled", "Non-disabled"),
    }
    checked = 0
    for ratio in rows(indicators, group="relative_likelihood").iter_rows(named=True):
        first, second = directions[ratio["metric_id"]]
        key = {k: ratio[k] for k in ("org_code", "reporting_year", "metric_id", "breakdown")}
        a, n1 = counts(indicators, **key, group=first)
        c, n2 = counts(indicators, **key, group=second)
        assert ratio["unit"] == "ratio" and ratio["numerator"] is None
        if n1 == 0 or n2 == 0:
            assert ratio["value"] is None and ratio["note"] == "no_population"
        elif c == 0:
            assert ratio["value"] is None and ratio["note"] == "zero_comparator"
        else:
            assert ratio["value"] == pytest.approx((a / n1) / (c / n2), rel=1e-12)
            if a > 0:
                _, lower, upper = katz(a, n1, c, n2, Z95)
                assert ratio["ci_lower"] == pytest.approx(lower, rel=1e-9)
                assert ratio["ci_upper"] == pytest.approx(upper, rel=1e-9)
            checked += 1
    assert checked >= 5 * len(YEARS)


def test_board_differences_are_board_minus_workforce(indicators):
    for metric in ("wres_9", "wdes_10"):
        frame = rows(indicators, metric_id=metric)
        for diff in rows(frame, group="difference").iter_rows(named=True):
            key = {k: diff[k] for k in ("org_code", "reporting_year", "breakdown")}
            [board] = rows(frame, **key, group="board")["value"].to_list()
            [workforce] = rows(frame, **key, group="workforce")["value"].to_list()
            if board is None or workforce is None:
                assert diff["value"] is None and diff["note"] == "no_population"
            else:
                assert diff["value"] == pytest.approx(board - workforce, abs=1e-9)
                assert diff["unit"] == "percentage_points"


def test_the_system_row_is_computed_from_pooled_counts(indicators):
    keys = ["reporting_year", "metric_id", "breakdown", "group"]
    counted = indicators.filter(pl.col("denominator").is_not_null())
    pooled = (
        counted.filter(pl.col("org_code") != ICB)
        .group_by(keys)
        .agg(
            pl.col("numerator").sum().alias("pooled_numerator"),
            pl.col("denominator").sum().alias("pooled_denominator"),
            # respondent-weighted mean, for the engagement score
            ((pl.col("value") * pl.col("denominator")).sum() / pl.col("denominator").sum()).alias(
                "weighted_value"
            ),
        )
    )
    system = counted.filter(pl.col("org_code") == ICB).join(pooled, on=keys, how="full")
    assert system.height == counted.filter(pl.col("org_code") == ICB).height
    assert system["org_code"].null_count() == 0, "a trust row has no system row"
    scored = system.filter(pl.col("unit") == "score")
    assert (system["denominator"] == system["pooled_denominator"]).all()
    rated = system.filter(pl.col("unit") != "score")
    assert (rated["numerator"] == rated["pooled_numerator"]).all()
    for row in scored.iter_rows(named=True):
        assert row["value"] == pytest.approx(row["weighted_value"], rel=1e-12)
    # and it is not simply the mean of the trusts' figures
    wres_2 = rows(indicators, metric_id="wres_2", group="relative_likelihood")
    trust_mean = wres_2.filter(pl.col("org_code") != ICB)["value"].mean()
    assert rows(wres_2, org_code=ICB)["value"].mean() != pytest.approx(trust_mean, rel=1e-6)


# -- 2. end to end: the counts agree with an independent calculation from raw Parquet ----


def read_raw(paths: DataPaths, extract: str) -> pl.DataFrame:
    return pl.read_parquet(
        paths.raw / extract / "year=*" / "org=*" / "*.parquet", hive_partitioning=False
    )


def ethnicity_group(column: str) -> pl.Expr:
    code = pl.col(column)
    return (
        pl.when(code.is_in(list(WHITE_CODES)))
        .then(pl.lit("White"))
        .when(code.is_in(list(BME_CODES)))
        .then(pl.lit("BME"))
        .otherwise(pl.lit("Unknown"))
    )


def disability_group(column: str) -> pl.Expr:
    value = pl.col(column)
    return (
        pl.when(value == "Yes")
        .then(pl.lit("Disabled"))
        .when(value == "No")
        .then(pl.lit("Non-disabled"))
        .otherwise(pl.lit("Unknown"))
    )


@pytest.fixture(scope="module")
def people(paths) -> pl.DataFrame:
    """One row per person per trust-year, worked out from the raw ESR Parquet."""
    esr = read_raw(paths, "esr_staff")
    flags = esr.group_by("org_code", "reporting_year", "person_id").agg(
        pl.col("board_member").any(),
        (pl.col("board_member") & pl.col("board_voting")).any().alias("voting"),
        (pl.col("board_member") & pl.col("board_executive")).any().alias("executive"),
        pl.col("entered_disciplinary").any(),
        pl.col("entered_capability").any(),
        pl.col("nonmandatory_training").any(),
    )
    primary = esr.filter(pl.col("is_primary_assignment")).select(
        "org_code",
        "reporting_year",
        "person_id",
        "pay_band",
        ethnicity_group("ethnic_category_code").alias("ethnicity"),
        disability_group("disability").alias("disability_group"),
        (
            ~pl.col("assignment_category").is_in(["Bank", "Non-Executive Director"])
            & (pl.col("staff_group_code") != "02")
        ).alias("workforce"),
        pl.when(pl.col("staff_group_code").is_in(list(CLINICAL_GROUPS)))
        .then(pl.lit("clinical"))
        .otherwise(pl.lit("non_clinical"))
        .alias("category"),
    )
    return primary.join(flags, on=["org_code", "reporting_year", "person_id"])


def mart_counts(frame: pl.DataFrame, metric: str, keys: list[str]) -> dict:
    selected = frame.filter((pl.col("metric_id") == metric) & (pl.col("org_code") != ICB))
    return {
        tuple(row[k] for k in keys): (row["numerator"], row["denominator"])
        for row in selected.iter_rows(named=True)
    }


def test_wres_1_and_wdes_1_match_an_independent_count(indicators, people):
    workforce = people.filter(pl.col("workforce")).with_columns(
        (pl.col("category") + ":" + pl.col("pay_band")).alias("breakdown")
    )
    keys = ["org_code", "reporting_year", "breakdown", "group"]
    for metric, group_column in (("wres_1", "ethnicity"), ("wdes_1", "disability_group")):
        groups = workforce[group_column].unique().to_list()
        expected = {}
        for breakdown_column in ("breakdown", None):
            frame = workforce.with_columns(
                pl.col(breakdown_column)
                if breakdown_column
                else pl.lit("overall").alias("breakdown")
            )
            totals = frame.group_by("org_code", "reporting_year", "breakdown").len("total")
            by_group = frame.group_by("org_code", "reporting_year", "breakdown", group_column).len()
            for total in totals.iter_rows(named=True):
                for group in groups:
                    key = (total["org_code"], total["reporting_year"], total["breakdown"], group)
                    expected[key] = (0, total["total"])
            for row in by_group.iter_rows(named=True):
                key = (row["org_code"], row["reporting_year"], row["breakdown"], row[group_column])
                expected[key] = (row["len"], expected[key][1])
        assert mart_counts(indicators, metric, keys) == expected, metric


def test_relative_likelihood_counts_match_an_independent_count(indicators, people, paths):
    applications = read_raw(paths, "recruitment").filter(pl.col("shortlisted"))
    workforce = people.filter(pl.col("workforce"))
    sources = {
        "wres_2": (applications, ethnicity_group("ethnic_category_code"), "appointed"),
        "wdes_2": (applications, disability_group("disability"), "appointed"),
        "wres_3": (workforce, pl.col("ethnicity"), "entered_disciplinary"),
        "wres_4": (workforce, pl.col("ethnicity"), "nonmandatory_training"),
        "wdes_3": (workforce, pl.col("disability_group"), "entered_capability"),
    }
    keys = ["org_code", "reporting_year", "group"]
    for metric, (frame, group, event) in sources.items():
        found = {
            key: value
            for key, value in mart_counts(indicators, metric, keys).items()
            if key[2] != "relative_likelihood"
        }
        expected = {
            (row["org_code"], row["reporting_year"], row["group"]): (
                row["events"],
                row["population"],
            )
            for row in frame.group_by("org_code", "reporting_year", group.alias("group"))
            .agg(pl.col(event).sum().alias("events"), pl.len().alias("population"))
            .filter(pl.col("group") != "Unknown")
            .iter_rows(named=True)
        }
        assert found == expected, metric


def test_board_counts_match_an_independent_count(indicators, people):
    board = people.filter(pl.col("board_member"))
    parts = {
        "board:all": board,
        "board:voting": board.filter(pl.col("voting")),
        "board:executive": board.filter(pl.col("executive")),
        "board:non_executive": board.filter(~pl.col("executive")),
    }
    workforce = people.filter(pl.col("workforce"))
    for metric, column, group in (
        ("wres_9", "ethnicity", "BME"),
        ("wdes_10", "disability_group", "Disabled"),
    ):
        found = mart_counts(
            indicators, metric, ["org_code", "reporting_year", "breakdown", "group"]
        )
        for org in TRUSTS:
            for year in YEARS:
                staff = workforce.filter(
                    (pl.col("org_code") == org) & (pl.col("reporting_year") == year)
                )
                for breakdown, members in parts.items():
                    members = members.filter(
                        (pl.col("org_code") == org) & (pl.col("reporting_year") == year)
                    )
                    assert found[org, year, breakdown, "board"] == (
                        (members[column] == group).sum(),
                        members.height,  # Unknown members stay in the denominator
                    )
                    assert found[org, year, breakdown, "workforce"] == (
                        (staff[column] == group).sum(),
                        staff.height,
                    )


def test_survey_counts_match_the_extract(indicators, paths):
    """wres_7 (Q15 from 2021: Yes of Yes, No, Don't know) and wdes_8 (Q31b from 2023, Q30b
    before: Yes of Yes, No; Disabled respondents only)."""
    survey = read_raw(paths, "staff_survey")
    questions = {
        "wres_7": (
            {2021: "Q15", 2022: "Q15", 2023: "Q15"},
            ["Yes", "No", "Don't know"],
            ["all", "White", "BME"],
        ),
        "wdes_8": ({2021: "Q30b", 2022: "Q30b", 2023: "Q31b"}, ["Yes", "No"], ["Disabled"]),
    }
    for metric, (codes, valid, groups) in questions.items():
        found = mart_counts(indicators, metric, ["org_code", "reporting_year", "group"])
        expected = {}
        for row in survey.filter(pl.col("respondent_group").is_in(groups)).iter_rows(named=True):
            if row["question_code"] != codes[row["survey_year"]]:
                continue
            if row["response_option"] not in valid:
                continue
            key = (row["org_code"], row["reporting_year"], row["respondent_group"])
            events, total = expected.get(key, (0, 0))
            expected[key] = (
                events + row["responses"] * (row["response_option"] == "Yes"),
                total + row["responses"],
            )
        assert found == expected, metric


# -- 2. end to end: the planted effects come back -----------------------------------------


@pytest.mark.parametrize(
    ("metric", "first", "second", "planted"),
    [
        ("wres_2", "White", "BME", "wres_2_relative_likelihood"),
        ("wres_3", "BME", "White", "wres_3_relative_likelihood"),
        ("wres_4", "White", "BME", "wres_4_relative_likelihood"),
        ("wdes_2", "Non-disabled", "Disabled", "wdes_2_relative_likelihood"),
        ("wdes_3", "Disabled", "Non-disabled", "wdes_3_relative_likelihood"),
    ],
)
def test_planted_relative_likelihoods_are_recovered(indicators, metric, first, second, planted):
    a, n1 = system_counts(indicators, metric, first)
    c, n2 = system_counts(indicators, metric, second)
    ratio, lower, upper = katz(a, n1, c, n2, Z999)
    assert lower <= PLANTED_EFFECTS[planted] <= upper, (metric, ratio, lower, upper)
    # and the sample is big enough for the check to mean something: parity is ruled out
    assert not lower <= 1.0 <= upper, (metric, ratio, lower, upper)


@pytest.mark.parametrize(
    ("metric", "group", "planted"),
    [
        ("wres_6", "White", "wres_6_pct_white"),
        ("wres_6", "BME", "wres_6_pct_bme"),
        ("wres_7", "White", "wres_7_pct_white"),
        ("wres_7", "BME", "wres_7_pct_bme"),
        ("wres_8", "White", "wres_8_pct_white"),
        ("wres_8", "BME", "wres_8_pct_bme"),
        ("wdes_8", "Disabled", "wdes_8_pct_disabled"),
    ],
)
def test_planted_survey_percentages_are_recovered(indicators, metric, group, planted):
    x, n = system_counts(indicators, metric, group)
    lower, upper = wilson(x, n, Z999)
    assert 100 * lower <= PLANTED_EFFECTS[planted] <= 100 * upper, (metric, group, 100 * x / n)


@pytest.mark.parametrize(
    ("metric", "planted"),
    [
        ("wdes_4a_i", 1.3),
        ("wdes_4a_ii", 1.5),
        ("wdes_4a_iii", 1.5),
        ("wdes_4b", 0.9),
        ("wdes_5", 0.82),
        ("wdes_6", 1.4),
        ("wdes_7", 0.78),
    ],
)
def test_planted_survey_disability_ratios_are_recovered(indicators, metric, planted):
    effect = [v for k, v in PLANTED_EFFECTS.items() if k.startswith(metric + "_")]
    assert effect == [planted], (metric, effect)  # the figure docs/synthetic-data.md gives
    a, n1 = system_counts(indicators, metric, "Disabled")
    c, n2 = system_counts(indicators, metric, "Non-disabled")
    ratio, lower, upper = katz(a, n1, c, n2, Z999)
    assert lower <= planted <= upper, (metric, ratio, lower, upper)
    assert not lower <= 1.0 <= upper, (metric, ratio, lower, upper)


def test_planted_harassment_ratio_by_ethnicity_is_recovered_in_each_trust(indicators):
    """wres_5: the base rate differs by trust type and so does diversity, so the ratio is
    checked per trust (pooled over the years), as docs/synthetic-data.md advises."""
    planted = PLANTED_EFFECTS["wres_5_bme_vs_white_ratio"]
    for org in TRUSTS:
        a, n1 = counts(indicators, org_code=org, metric_id="wres_5", group="BME")
        c, n2 = counts(indicators, org_code=org, metric_id="wres_5", group="White")
        ratio, lower, upper = katz(a, n1, c, n2, Z999)
        assert lower <= planted <= upper, (org, ratio, lower, upper)


def test_planted_engagement_scores_are_recovered(indicators):
    """A 0-10 score's standard deviation is at most 5, so the mean of n answers is within
    z x 5 / sqrt(n) of the truth; each item has at least 90% of the metric's base (3% of
    respondents skip a question)."""
    for group, key in (
        ("Disabled", "wdes_9a_score_disabled"),
        ("Non-disabled", "wdes_9a_score_non_disabled"),
    ):
        system = rows(indicators, org_code=ICB, metric_id="wdes_9a", group=group)
        n = system["denominator"].sum()
        score = (system["value"] * system["denominator"]).sum() / n
        assert abs(score - PLANTED_EFFECTS[key]) <= Z999 * 5 / math.sqrt(0.9 * n), (group, score)
    # the planted gap itself (0.5) is far beyond that bound's reach on each side
    disabled = rows(indicators, org_code=ICB, metric_id="wdes_9a", group="Disabled")["value"]
    non_disabled = rows(indicators, org_code=ICB, metric_id="wdes_9a", group="Non-disabled")[
        "value"
    ]
    assert (non_disabled.to_numpy() > disabled.to_numpy()).all()


def test_planted_senior_bme_share_is_recovered_in_each_trust(indicators):
    """wres_1: the BME share of known ethnicity at Band 8c and above is half the trust's
    overall share. Observed minus expected, stratified by trust (latest year only, since
    the same people are in post year after year): |z| < 3.29, while the expectation
    under no effect (the overall share) is ruled out."""
    planted = PLANTED_EFFECTS["wres_1_bme_share_8c_plus_vs_workforce"]
    year = YEARS[-1]
    observed = expected = variance = parity = parity_variance = 0.0
    for org in TRUSTS:
        trust = rows(indicators, org_code=org, reporting_year=year, metric_id="wres_1")
        overall_bme, _ = counts(trust, breakdown="overall", group="BME")
        overall_white, _ = counts(trust, breakdown="overall", group="White")
        senior = trust.filter(pl.col("breakdown").str.split(":").list.last().is_in(SENIOR_BANDS))
        senior_bme, _ = counts(senior, group="BME")
        senior_white, _ = counts(senior, group="White")
        overall_share = overall_bme / (overall_bme + overall_white)
        share = planted * overall_share
        known = senior_bme + senior_white
        observed += senior_bme
        expected += known * share
        variance += known * share * (1 - share)
        parity += known * overall_share
        parity_variance += known * overall_share * (1 - overall_share)
    z = (observed - expected) / math.sqrt(variance)
    assert abs(z) < Z999, (observed, expected, z)
    # and senior staff are clearly less diverse than the workforce as a whole
    z_parity = (observed - parity) / math.sqrt(parity_variance)
    assert z_parity < -Z999, (observed, parity, z_parity)
