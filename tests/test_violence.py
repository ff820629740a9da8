"""The violence and aggression marts (issue 5): dbt unit tests, and the generator's
planted rates recovered end to end.

One module-scoped fixture generates a small ICS (three trusts of different types, two
years, codes unlike the sample's), ingests the three extracts the marts read, and runs
one `dbt build` of the violence marts and everything upstream (seeds, staging,
intermediate models, their data tests and unit tests) into a warehouse in pytest's
temporary directory. The tests then read that warehouse. A second dbt invocation runs the
violence unit tests on their own, as a developer would. Nothing touches data/ or
dbt_project/target/.

Tolerances come from each estimate's own sampling error, as in tests/test_generator.py:
|z| < 3.5 (a two-sided 1-in-2,000 chance of failing for a correct platform; the seed is
fixed, so the outcome does not change between runs).

The ingest test at the end shows that an incident dated outside its reporting year is
quarantined at ingest (rule outside_reporting_year), so it never reaches the marts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import dbt_support
import duckdb
import pytest
from dbt_support import DbtRun
from test_ingest_support import YEAR, incident_row, ingest, land_csv, raw, rules_by_row

from edi_platform.config import Trust, parse_config
from edi_platform.generator import PLANTED_EFFECTS, GenerationSummary
from edi_platform.generator.population import build_population
from edi_platform.paths import DataPaths
from edi_platform.years import ReportingYear

ICB_CODE = "QVA"
TRUSTS = (("VAA", "acute"), ("VAM", "mental_health"), ("VAK", "ambulance"))
YEARS = ("2022-23", "2023-24")
SEED = 505
# About 1,100 incidents over the two years: enough for every rate to be checked against
# its own Poisson error, in well under a minute of generating and ingesting.
SCALE = 0.3
Z_LIMIT = 3.5
EXTRACTS_READ = ("esr_staff", "staff_survey", "incidents")  # recruitment is not needed

CATEGORIES = ("Physical assault", "Verbal abuse", "Threatening behaviour", "Sexual", "Other")
PERPETRATORS = ("Patient", "Relative or public", "Staff")
INCIDENT_BREAKDOWNS = {
    "overall",
    *(f"category:{c}" for c in CATEGORIES),
    *(f"perpetrator:{p}" for p in PERPETRATORS),
}
UNIT_TESTS = {
    "violence_unlinked_victims_do_not_link",
    "violence_workforce_wte_from_esr_and_trusts_without_incidents",
    "violence_counts_complete_grid_with_zeros",
    "violence_counts_without_esr_are_null_pairs",
    "violence_survey_metric_absent_before_2023",
    "violence_rates_per_1000_wte_zero_not_null_and_pooled_system",
    "violence_relative_likelihood_zero_comparator",
    "violence_monthly_series_is_complete_and_annualised",
}
SURVEY_METRICS = (
    "va_survey_physical_public",
    "va_survey_physical_managers",
    "va_survey_physical_colleagues",
    "va_survey_sexual_public",
    "va_survey_sexual_staff",
)

pytestmark = pytest.mark.slow


# --- the build --------------------------------------------------------------------------


@dataclass
class Built:
    data_dir: Path
    work_dir: Path
    summary: GenerationSummary
    build: DbtRun

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.data_dir / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()


def run_dbt(args: list[str], data_dir: Path, work_dir: Path) -> DbtRun:
    return dbt_support.run_dbt(args, data_dir, work_dir, icb_code=ICB_CODE)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    work_dir = tmp_path_factory.mktemp("violence")
    data_dir = work_dir / "data"
    paths = DataPaths(data_dir)
    config = parse_config(
        {
            "icb_code": ICB_CODE,
            "icb_name": "Violence test ICS",
            "reporting_years": list(YEARS),
            "trusts": [{"org_code": code, "name": code, "type": kind} for code, kind in TRUSTS],
        }
    )
    summary = dbt_support.generate_and_ingest(
        config, paths, seed=SEED, scale=SCALE, extracts=EXTRACTS_READ
    )
    # Cautious indirect selection: tests of the seeds that also read the recruitment
    # extract (not ingested here) are left out; every test of a selected model runs.
    build = run_dbt(
        [
            "build",
            "--select", "+violence_aggression +violence_aggression_monthly",
            "--indirect-selection", "cautious",
        ],
        data_dir,
        work_dir,
    )  # fmt: skip
    return Built(data_dir, work_dir, summary, build)


@pytest.fixture(scope="module")
def intended_rates() -> dict[tuple[str, str], float]:
    """The incidents per 1,000 WTE the generator aimed at, per trust and year.

    incidents.incident_count draws Poisson(rate × WTE / 1000) with rate = the trust's
    drawn incident_rate (traits, from its type's range) × 1.03 per year from 2023-24.
    """
    trend = PLANTED_EFFECTS["va_incident_trend_per_year"]
    rates = {}
    for code, kind in TRUSTS:
        traits = build_population(Trust(code, code, kind), seed=SEED, scale=SCALE).traits
        for year in YEARS:
            offset = ReportingYear(year).first_calendar_year - 2023
            rates[code, year] = traits.incident_rate * (1 + trend) ** offset
    return rates


def rows(built: Built, sql: str) -> list[dict]:
    with duckdb.connect(str(built.data_dir / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def mart(built: Built, where: str = "true") -> list[dict]:
    return rows(built, f"select * from marts.violence_aggression where {where}")


def poisson_cdf(k: int, mean: float) -> float:
    return sum(math.exp(-mean + i * math.log(mean) - math.lgamma(i + 1)) for i in range(k + 1))


def exact_poisson_interval(count: int) -> tuple[float, float]:
    """Garwood's exact 95% limits for a Poisson count, by bisection on the CDF."""

    def solve(too_high) -> float:
        low, high = 0.0, count + 20 * math.sqrt(count + 1) + 20
        for _ in range(80):
            middle = (low + high) / 2
            low, high = (low, middle) if too_high(middle) else (middle, high)
        return (low + high) / 2

    lower = 0.0 if count == 0 else solve(lambda m: 1 - poisson_cdf(count - 1, m) >= 0.025)
    upper = solve(lambda m: poisson_cdf(count, m) <= 0.025)
    return lower, upper


# --- dbt ----------------------------------------------------------------------------


def test_dbt_unit_tests_pass(built):
    """The hand-worked unit tests (models/marts/_violence__unit_tests.yml), run alone."""
    run = run_dbt(
        ["test", "--select", "tag:violence,test_type:unit"], built.data_dir, built.work_dir
    )
    results = {r["unique_id"].split(".")[-1]: r["status"] for r in run.run_results["results"]}
    assert run.returncode == 0, run.output[-5000:]
    assert results == dict.fromkeys(UNIT_TESTS, "pass")


def test_build_passes_every_data_test(built):
    results = built.build.run_results["results"]
    failed = [
        (r["unique_id"], r["status"], r.get("message"))
        for r in results
        if r["status"] not in ("success", "pass")
    ]
    assert built.build.returncode == 0 and not failed, failed or built.build.output[-5000:]
    ours = [
        r for r in results if "violence" in r["unique_id"] and r["unique_id"].startswith("test.")
    ]
    assert len(ours) >= 25  # the marts' and intermediate models' own data tests ran


# --- grids --------------------------------------------------------------------------


def test_every_trust_year_and_the_system_have_the_full_grid(built):
    found = defaultdict(set)
    for row in mart(built, "metric_id not like 'va_survey%'"):
        found[row["org_code"], row["reporting_year"]].add(
            (row["metric_id"], row["breakdown"], row["group"])
        )
    expected = {
        *(("va_incidents_per_1000_wte", b, "all") for b in INCIDENT_BREAKDOWNS),
        *(
            (m, "overall", "all")
            for m in ("va_moderate_harm_pct", "va_police_pct", "va_linked_pct")
        ),
        *(
            ("va_victim_rate", breakdown, group)
            for breakdown, groups in (
                ("ethnicity", ("White", "BME", "relative_likelihood")),
                ("disability", ("Disabled", "Non-disabled", "relative_likelihood")),
            )
            for group in groups
        ),
    }
    orgs = [code for code, _ in TRUSTS] + [ICB_CODE]
    assert set(found) == {(org, year) for org in orgs for year in YEARS}
    assert all(grid == expected for grid in found.values())


def test_sexual_safety_questions_only_from_the_2023_survey(built):
    present = {
        (row[0], row[1])
        for row in built.query(
            "select distinct reporting_year, metric_id from marts.violence_aggression"
            " where metric_id like 'va_survey%'"
        )
    }
    physical = {m for m in SURVEY_METRICS if "physical" in m}
    assert present == {
        *(("2022-23", m) for m in physical),
        *(("2023-24", m) for m in SURVEY_METRICS),
    }


# --- planted effects ------------------------------------------------------------------


def test_incident_rates_recover_the_planted_rates(built, intended_rates):
    """Each trust-year's count is within Z_LIMIT Poisson errors of the intended count.

    The intended count is the generator's rate × the warehouse's WTE / 1000. (The WTE
    the generator used also counts the few ESR rows ingest quarantines, at most 0.4% of
    rows: far inside the Poisson error of these counts.) The rate itself must lie in its
    trust type's range, widened by the same Poisson error.
    """
    ranges = PLANTED_EFFECTS["va_incidents_per_1000_wte_range"]
    kinds = dict(TRUSTS)
    checked = 0
    for row in mart(built, "metric_id = 'va_incidents_per_1000_wte' and breakdown = 'overall'"):
        if row["org_code"] == ICB_CODE:
            continue
        key = row["org_code"], row["reporting_year"]
        expected = intended_rates[key] * row["denominator"] / 1000
        z = (row["numerator"] - expected) / math.sqrt(expected)
        assert abs(z) < Z_LIMIT, (key, row["value"], intended_rates[key], z)
        low, high = ranges[kinds[row["org_code"]]]
        margin = Z_LIMIT * math.sqrt(high * row["denominator"] / 1000) * 1000 / row["denominator"]
        assert low - margin <= row["value"] <= high + margin, (key, row["value"])
        checked += 1
    assert checked == len(TRUSTS) * len(YEARS)


def test_rate_intervals_are_the_exact_poisson_interval_within_byars_accuracy(built):
    """Exact limits below 10 incidents; Byar's from 10 on is within 0.2% of exact."""
    for row in mart(built, "unit in ('per_1000_wte', 'per_1000_staff') and value is not null"):
        count, scale = int(row["numerator"]), 1000 / row["denominator"]
        lower, upper = exact_poisson_interval(count)
        tolerance = 1e-4 if count < 10 else 0.002  # the table has six decimal places
        assert row["ci_lower"] == pytest.approx(lower * scale, rel=tolerance, abs=1e-9), row
        assert row["ci_upper"] == pytest.approx(upper * scale, rel=tolerance), row


@pytest.mark.parametrize(
    ("breakdown", "comparison", "reference", "planted"),
    [
        ("ethnicity", "BME", "White", PLANTED_EFFECTS["va_victim_rate_relative_likelihood_bme"]),
        (
            "disability",
            "Disabled",
            "Non-disabled",
            PLANTED_EFFECTS["va_victim_rate_relative_likelihood_disabled"],
        ),
    ],
)
def test_victim_rate_relative_likelihood_recovers_the_planted_ratio(
    built, breakdown, comparison, reference, planted
):
    """Stratified by trust-year, as the generator plants the ratio within each trust.

    Given a trust-year's linked workforce victims in the two groups (a + c), the
    comparison group's share a follows Binomial(a + c, p) with p = ρ n1 / (ρ n1 + n2)
    when its rate is ρ times the reference group's (n1, n2 the groups' headcounts).
    Observed minus expected a, summed over trust-years, over its standard error.
    """
    counts = defaultdict(dict)
    for row in mart(built, f"metric_id = 'va_victim_rate' and breakdown = '{breakdown}'"):
        if row["org_code"] != ICB_CODE and row["group"] in (comparison, reference):
            counts[row["org_code"], row["reporting_year"]][row["group"]] = row
    observed = expected = variance = 0.0
    for groups in counts.values():
        a, n1 = groups[comparison]["numerator"], groups[comparison]["denominator"]
        c, n2 = groups[reference]["numerator"], groups[reference]["denominator"]
        p = planted * n1 / (planted * n1 + n2)
        observed += a
        expected += (a + c) * p
        variance += (a + c) * p * (1 - p)
    assert len(counts) == len(TRUSTS) * len(YEARS)
    assert abs(observed - expected) / math.sqrt(variance) < Z_LIMIT


def test_linked_share_recovers_the_planted_share(built):
    planted = PLANTED_EFFECTS["va_linked_share"]
    for row in mart(built, f"metric_id = 'va_linked_pct' and org_code = '{ICB_CODE}'"):
        n = row["denominator"]
        z = (row["numerator"] - planted * n) / math.sqrt(n * planted * (1 - planted))
        assert abs(z) < Z_LIMIT, row


# --- the system row and the monthly series -------------------------------------------


def test_system_row_is_computed_from_pooled_counts(built):
    by_key = defaultdict(dict)
    for row in mart(built):
        key = row["reporting_year"], row["metric_id"], row["breakdown"], row["group"]
        by_key[key][row["org_code"]] = row
    scales = {"per_1000_wte": 1000, "per_1000_staff": 1000, "percent": 100}
    for key, by_org in by_key.items():
        system = by_org[ICB_CODE]
        trusts = [row for org, row in by_org.items() if org != ICB_CODE]
        assert len(trusts) == len(TRUSTS), key
        if key[3] == "relative_likelihood":
            continue  # checked below from the system's group rows
        numerator = sum(r["numerator"] for r in trusts)
        denominator = sum(r["denominator"] for r in trusts)
        assert system["numerator"] == numerator, key
        assert system["denominator"] == pytest.approx(denominator, rel=1e-12), key
        if denominator == 0:
            assert system["value"] is None and system["note"] == "no_population", key
            continue
        assert system["value"] == pytest.approx(
            scales[system["unit"]] * numerator / denominator, rel=1e-12
        ), key
    for year in YEARS:
        for breakdown, comparison, reference in (
            ("ethnicity", "BME", "White"),
            ("disability", "Disabled", "Non-disabled"),
        ):
            groups = {
                g: by_key[year, "va_victim_rate", breakdown, g][ICB_CODE]
                for g in (comparison, reference, "relative_likelihood")
            }
            assert groups["relative_likelihood"]["value"] == pytest.approx(
                groups[comparison]["value"] / groups[reference]["value"], rel=1e-12
            )


def test_monthly_series_is_complete_and_adds_up_to_the_year(built):
    annual = {
        (r["org_code"], r["reporting_year"]): r
        for r in mart(built, "metric_id = 'va_incidents_per_1000_wte' and breakdown = 'overall'")
    }
    months = defaultdict(list)
    for row in rows(built, "select * from marts.violence_aggression_monthly order by month"):
        months[row["org_code"], row["reporting_year"]].append(row)
    assert set(months) == set(annual)
    for key, series in months.items():
        start = ReportingYear(key[1]).first_calendar_year
        assert [r["month"] for r in series] == [f"{start}-{m:02d}" for m in range(4, 13)] + [
            f"{start + 1}-{m:02d}" for m in range(1, 4)
        ]
        year = annual[key]
        assert sum(r["incidents"] for r in series) == year["numerator"]
        assert {r["wte"] for r in series} == {year["denominator"]}
        # each month's rate × wte / 12,000 is its count; the twelve add up to the year's
        assert sum(r["incidents_per_1000_wte"] * r["wte"] / 12_000 for r in series) == (
            pytest.approx(year["numerator"], abs=1e-6)
        )
        assert sum(r["incidents_per_1000_wte"] for r in series) / 12 == pytest.approx(
            year["value"], rel=1e-12
        )
    for year in YEARS:
        for month in range(12):
            trusts = sum(months[code, year][month]["incidents"] for code, _ in TRUSTS)
            assert months[ICB_CODE, year][month]["incidents"] == trusts


# --- ingest ---------------------------------------------------------------------------


def test_an_incident_outside_the_year_is_quarantined_at_ingest(tmp_path):
    """60 incidents inside 2023-24 (its first and last days included) and one on
    1 April 2024: that one is rejected with rule outside_reporting_year (source row 62:
    the header is row 1) and the other 60 load. One in 61 is under the 2% of rejected
    rows that would fail the whole file."""
    dates = ["2023-04-01", "2024-03-31"] + ["2023-10-15"] * 58
    rows_in = [incident_row(n, incident_date=d) for n, d in enumerate(dates, start=1)]
    rows_in.append(incident_row(61, incident_date="2024-04-01"))
    assert YEAR == "2023-24"
    result = ingest(tmp_path, "incidents", land_csv(tmp_path, "incidents", rows_in))
    assert result.rows_loaded == 60
    assert rules_by_row(tmp_path, "incidents") == {(62, "incident_date", "outside_reporting_year")}
    loaded = raw(tmp_path, "incidents")["incident_date"]
    assert (str(loaded.min()), str(loaded.max())) == ("2023-04-01", "2024-03-31")
