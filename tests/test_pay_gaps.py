"""marts.pay_gaps: the dbt unit tests, an independent statutory calculation, planted gaps.

A small synthetic ICS is generated, its ESR extracts ingested to the raw zone, and the
pay gap models built once for the module (`dbt build --select +pay_gaps`, data tests
included) in pytest's temporary directory. Then:

1. the dbt unit tests of the pay gap models (hand-worked cases, in
   models/intermediate/pay/_pay__unit_tests.yml and models/marts/_pay_gaps__unit_tests.yml)
   are run with `dbt test` and must all pass;
2. an independent implementation of the statutory method, written here in polars and
   numpy from Schedule 1 of the Equality Act 2010 (Specific Duties and Public
   Authorities) Regulations 2017 (regulations 6 and 8 to 13 of SI 2017/172), is applied
   to the same raw ESR extracts, and every figure of every trust-year and of the system
   must agree with the mart: hourly rates to the penny, percentages to 0.1, counts
   exactly;
3. the sex pay gap the generator plants among medical staff comes back within its
   sampling error.

The calculation below works differently from the SQL on purpose: it labels each ranked
position with its quartile and shares each hourly rate's labelled slots by the group
mix at that rate (a matrix product), where the SQL intersects each rate's block of
positions with the quartile's interval; medians come from numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import dbt_support
import duckdb
import numpy as np
import polars as pl
import pytest

from edi_platform.config import parse_config
from edi_platform.generator import PLANTED_EFFECTS
from edi_platform.paths import DataPaths

pytestmark = pytest.mark.slow


# Trust codes the sample ICS never uses; two acute trusts for enough doctors to measure
# the medical gap, and a mental health trust for another staff mix.
ICB_CODE = "QPG"
CONFIG = parse_config(
    {
        "icb_code": ICB_CODE,
        "icb_name": "Pay gap test ICB",
        "reporting_years": ["2022-23", "2023-24"],
        "trusts": [
            {"org_code": "R7A", "name": "First Acute", "type": "acute"},
            {"org_code": "R7M", "name": "Mental Health", "type": "mental_health"},
            {"org_code": "R7E", "name": "Second Acute", "type": "acute"},
        ],
    }
)
SEED = 41
# About 12,000 relevant employees a year across the three trusts, 1,100 of them doctors:
# the whole module (generate, ingest, dbt build and unit tests) takes about a minute.
SCALE = 0.5

UNIT_TESTS = {
    "int_pay_gap_employees_combines_assignments",
    "int_pay_gap_employees_reduced_pay_and_bonus",
    "int_pay_gap_employees_groups_from_primary_assignment",
    "int_pay_gap_population_members_trust_and_system",
    "int_pay_gap_group_summaries_medians_odd_and_even",
    "int_pay_gap_quartiles_tie_across_a_boundary",
    "int_pay_gap_quartiles_uneven_sizes_and_unknown",
    "pay_gaps_gaps_exclude_unknown_quartiles_include_it",
    "pay_gaps_null_gaps_have_notes",
}

# Tolerances of the acceptance check: half a penny on rates and 0.05 on percentages,
# so that both round to the same published figure (pence, one decimal place) unless a
# value sits on a rounding edge.
PENNY = 0.005
PERCENT_POINT = 0.05
# Two exact implementations of the same method on the same data should agree far more
# closely than that; this catches small logic slips (a tie shared wrongly moves a share
# by well under 0.1 in a large quartile).
EXACT = 1e-6
Z_LIMIT = 3.5  # |z| < 3.5: a two-sided 1-in-2,000 chance of failing a correct platform


# --- the platform: generate, ingest, dbt ------------------------------------------------


@dataclass
class Built:
    data_dir: Path
    work_dir: Path
    returncode: int
    output: str
    run_results: dict

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"


def run_dbt(args: list[str], data_dir: Path, work_dir: Path) -> tuple[int, str, dict]:
    run = dbt_support.run_dbt(args, data_dir, work_dir, icb_code=ICB_CODE)
    return run.returncode, run.output, run.run_results


def blank_some_sexes(raw_file: Path, every: int = 25) -> None:
    """The generator records everyone's sex; a real extract has some blanks (ingest
    loads them as null). Blank every 25th person's sex, on all their assignments, so
    the Unknown sex group (out of the gaps, in the quartiles) is exercised too."""
    frame = pl.read_parquet(raw_file)
    people = frame["person_id"].unique().sort()
    blanked = people.gather(range(0, people.len(), every))
    frame.with_columns(
        sex=pl.when(pl.col("person_id").is_in(blanked.implode()))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col("sex"))
    ).write_parquet(raw_file)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    work_dir = tmp_path_factory.mktemp("pay_gaps")
    paths = DataPaths(work_dir / "data")
    dbt_support.generate_and_ingest(CONFIG, paths, seed=SEED, scale=SCALE, extracts=["esr_staff"])
    blank_some_sexes(paths.raw_partition("esr_staff", "2023-24", "R7M") / "part-0.parquet")
    # The pay gap models and everything upstream, with their data tests; `cautious`
    # leaves out data tests that also need models outside the selection (other
    # extracts' staging). The unit tests run on their own below.
    build = ["build", "--select", "+pay_gaps", "--indirect-selection", "cautious"]
    returncode, output, run_results = run_dbt(
        [*build, "--exclude-resource-type", "unit_test"], paths.root, work_dir
    )
    return Built(paths.root, work_dir, returncode, output, run_results)


@pytest.fixture(scope="module")
def mart(built) -> pl.DataFrame:
    assert built.returncode == 0, built.output[-5000:]
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        return con.sql("select * from marts.pay_gaps").pl()


@pytest.fixture(scope="module")
def esr(built) -> pl.DataFrame:
    """The raw ESR extracts exactly as ingest wrote them (docs/raw-zone.md)."""
    files = sorted((built.data_dir / "raw" / "esr_staff").glob("year=*/org=*/*.parquet"))
    return pl.concat([pl.read_parquet(file) for file in files], how="vertical_relaxed")


# --- an independent implementation of the statutory method -------------------------------

WHITE_CODES = set("ABC")
BME_CODES = set("DEFGHJKLMNPRS")
# characteristic -> (reference group, comparison group); everyone else is Unknown.
SIDES = {
    "sex": ("Male", "Female"),
    "ethnicity": ("White", "BME"),
    "disability": ("Non-disabled", "Disabled"),
}


def relevant_employees(esr: pl.DataFrame) -> pl.DataFrame:
    """One row per relevant employee: a person in post at the snapshot with an
    assignment other than a non-executive director post, all such assignments taken as
    one job. Hourly rate (regulation 6): ordinary pay in the pay period, made weekly
    (× 7 / days in the period), over weekly contracted hours, summed over the job's
    assignments. Full-pay relevant: no assignment paid at a reduced rate for leave.
    Bonus (regulations 10 to 12): everything paid in the 12 months."""
    employed = esr.filter(pl.col("assignment_category") != "Non-Executive Director")
    jobs = employed.group_by("org_code", "reporting_year", "person_id").agg(
        weekly_pay=(
            pl.col("ordinary_pay_period").cast(pl.Float64) * 7 / pl.col("pay_period_days")
        ).sum(),
        hours=pl.col("weekly_contracted_hours").sum(),
        full_pay=pl.col("full_pay_relevant").all(),
        bonus=pl.col("bonus_pay_12m").sum().cast(pl.Float64),
    )
    ethnic_code = pl.col("ethnic_category_code")
    person = esr.filter(pl.col("is_primary_assignment")).select(
        "org_code",
        "reporting_year",
        "person_id",
        "staff_group_code",
        "pay_band",
        sex=pl.when(pl.col("sex").is_in(["Male", "Female"]))
        .then(pl.col("sex"))
        .otherwise(pl.lit("Unknown")),
        ethnicity=pl.when(ethnic_code.is_in(list(WHITE_CODES)))
        .then(pl.lit("White"))
        .when(ethnic_code.is_in(list(BME_CODES)))
        .then(pl.lit("BME"))
        .otherwise(pl.lit("Unknown")),
        disability=pl.col("disability")
        .replace_strict({"Yes": "Disabled", "No": "Non-disabled"}, default="Unknown")
        .fill_null("Unknown"),
    )
    return jobs.join(person, on=["org_code", "reporting_year", "person_id"]).with_columns(
        rate=pl.col("weekly_pay") / pl.col("hours")
    )


def quartile_counts(rates: np.ndarray, groups: np.ndarray, names: list[str]):
    """Regulation 13: rank FPREs by hourly rate and cut the ranking into four sections
    of as equal a size as possible: each holds n // 4 and the first n % 4 one more.
    Paragraph (2): people on one rate that spans sections are spread so that each
    section gets the rate's sex (or group) mix: a section's share of the rate's slots
    times the group's share of the people at the rate. Returns (counts[quartile, group],
    sizes[quartile])."""
    n = len(rates)
    order = np.argsort(rates, kind="stable")
    sorted_rates, sorted_groups = rates[order], groups[order]
    sizes = [n // 4 + (1 if k < n % 4 else 0) for k in range(4)]
    section = np.repeat(np.arange(4), sizes)
    distinct, rate_index = np.unique(sorted_rates, return_inverse=True)
    slots = np.zeros((len(distinct), 4))
    np.add.at(slots, (rate_index, section), 1)
    group_index = np.array([names.index(g) for g in sorted_groups], dtype=int)
    mix = np.zeros((len(distinct), len(names)))
    np.add.at(mix, (rate_index, group_index), 1)
    at_rate = mix.sum(axis=1, keepdims=True)
    return slots.T @ (mix / at_rate), slots.sum(axis=0)


def gap(reference: list[float], comparison: list[float], average) -> float | None:
    if not reference or not comparison:
        return None
    ref = average(reference)
    return None if ref == 0 else (ref - average(comparison)) / ref * 100


def statutory_figures(people: pl.DataFrame, characteristic: str) -> dict:
    """Every figure of one population for one characteristic, keyed like the mart's rows
    (measure, group, quartile); None where the figure does not exist."""
    reference, comparison = SIDES[characteristic]
    names = [reference, comparison, "Unknown"]
    group = people[characteristic].to_numpy()
    rate = people["rate"].to_numpy()
    full_pay = people["full_pay"].to_numpy()
    bonus = people["bonus"].to_numpy()
    rates_of = {g: list(rate[(group == g) & full_pay]) for g in names}
    bonuses_of = {g: list(bonus[(group == g) & (bonus > 0)]) for g in names}

    out: dict[tuple, float | None] = {}
    for measure, values, average in (
        ("mean_hourly_gap_pct", rates_of, np.mean),
        ("median_hourly_gap_pct", rates_of, np.median),
        ("mean_bonus_gap_pct", bonuses_of, np.mean),
        ("median_bonus_gap_pct", bonuses_of, np.median),
    ):
        out[measure, "gap", None] = gap(values[reference], values[comparison], average)
    for g in names:
        relevant = int((group == g).sum())
        out["headcount", g, None] = relevant
        out["fpre_headcount", g, None] = len(rates_of[g])
        out["bonus_recipients", g, None] = len(bonuses_of[g])
        out["pct_receiving_bonus", g, None] = (
            100 * len(bonuses_of[g]) / relevant if relevant else None
        )
    for g in (reference, comparison):
        out["mean_hourly_rate", g, None] = np.mean(rates_of[g]) if rates_of[g] else None
        out["median_hourly_rate", g, None] = np.median(rates_of[g]) if rates_of[g] else None
    out["unknown_share_pct", "Unknown", None] = 100 * (group == "Unknown").sum() / len(group)

    if full_pay.any():
        counts, sizes = quartile_counts(rate[full_pay], group[full_pay], names)
    else:
        counts, sizes = np.zeros((4, 3)), np.zeros(4)
    for q in range(4):
        for j, g in enumerate(names):
            out["quartile_pct", g, q + 1] = 100 * counts[q, j] / sizes[q] if sizes[q] else None
    return out


def expected_figures(esr: pl.DataFrame, characteristics: tuple[str, ...]) -> dict:
    """All figures for every trust-year, every breakdown, and the system (pooled)."""
    people = relevant_employees(esr)
    pooled = people.with_columns(org_code=pl.lit(ICB_CODE))
    expected = {}
    for (org, year), frame in pl.concat([people, pooled]).group_by("org_code", "reporting_year"):
        populations = [("overall", frame)]
        for column, prefix in (("staff_group_code", "staff_group"), ("pay_band", "band")):
            for (value,), part in frame.group_by(column):
                populations.append((f"{prefix}:{value}", part))
        for breakdown, part in populations:
            for characteristic in characteristics:
                for (measure, group, quartile), value in statutory_figures(
                    part, characteristic
                ).items():
                    key = (org, year, characteristic, breakdown, measure, group, quartile)
                    expected[key] = None if value is None else float(value)
    return expected


def mart_figures(mart: pl.DataFrame, characteristics: tuple[str, ...]) -> dict:
    rows = mart.filter(pl.col("characteristic").is_in(characteristics))
    return {
        (r["org_code"], r["reporting_year"], r["characteristic"], r["breakdown"],
         r["measure"], r["group"], r["quartile"]): r["value"]
        for r in rows.iter_rows(named=True)
    }  # fmt: skip


def tolerance(measure: str) -> float:
    if measure.endswith("_rate"):
        return PENNY
    if measure in ("headcount", "fpre_headcount", "bonus_recipients"):
        return 0.0
    return PERCENT_POINT


def compare(expected: dict, actual: dict, strict: bool = False) -> list[str]:
    problems = []
    for key in sorted(set(expected) | set(actual), key=str):
        if key not in actual or key not in expected:
            problems.append(f"{key}: only in {'the mart' if key in actual else 'expected'}")
            continue
        want, got = expected[key], actual[key]
        if (want is None) != (got is None):
            problems.append(f"{key}: expected {want}, mart has {got}")
        elif want is not None and abs(want - got) > (EXACT if strict else tolerance(key[4])):
            problems.append(f"{key}: expected {want}, mart has {got} (diff {got - want:.3g})")
    return problems


# --- 1. the dbt unit tests ---------------------------------------------------------------


def test_dbt_unit_tests_pass(built):
    # Unit tests read the column types of their inputs from the warehouse, so they run
    # after the build has created the models' parents.
    returncode, output, run_results = run_dbt(
        ["test", "--select", "test_type:unit,tag:pay_gaps"], built.data_dir, built.work_dir
    )
    statuses = {r["unique_id"].split(".")[-1]: r["status"] for r in run_results["results"]}
    assert set(statuses) == UNIT_TESTS, output[-3000:]
    failed = {name: status for name, status in statuses.items() if status != "pass"}
    assert returncode == 0 and not failed, (failed, output[-5000:])


def test_build_and_every_data_test_pass(built):
    assert built.returncode == 0, built.output[-5000:]
    results = built.run_results["results"]
    not_ok = {
        r["unique_id"]: r["status"] for r in results if r["status"] not in ("success", "pass")
    }
    assert not not_ok, not_ok
    models = {r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith("model.")}
    assert {
        "int_pay_gap_employees",
        "int_pay_gap_population_members",
        "int_pay_gap_group_summaries",
        "int_pay_gap_quartiles",
        "pay_gaps",
    } <= models
    tested = [
        r for r in results if r["unique_id"].startswith("test.") and "pay_gaps" in r["unique_id"]
    ]
    assert len(tested) >= 10


# --- 2. the independent calculation ------------------------------------------------------


def test_every_trust_year_and_the_system_has_every_characteristic(mart):
    orgs = {*CONFIG.org_codes, ICB_CODE}
    expected = {
        (org, year, characteristic)
        for org in orgs
        for year in CONFIG.reporting_years
        for characteristic in SIDES
    }
    present = set(
        mart.filter(pl.col("breakdown") == "overall")
        .select("org_code", "reporting_year", "characteristic")
        .unique()
        .iter_rows()
    )
    assert present == expected
    medical = mart.filter(
        pl.col("breakdown") == "staff_group:01", pl.col("measure") == "mean_hourly_gap_pct"
    )
    assert set(medical["org_code"]) == orgs


def test_sex_figures_are_the_statutory_figures(esr, mart):
    expected = expected_figures(esr, ("sex",))
    actual = mart_figures(mart, ("sex",))
    problems = compare(expected, actual)
    assert not problems, f"{len(problems)} of {len(expected)} differ:\n" + "\n".join(problems[:40])
    # Every trust-year and the system, every breakdown, all 33 figures.
    trust_years = {(k[0], k[1]) for k in expected}
    assert len(trust_years) == (len(CONFIG.trusts) + 1) * len(CONFIG.reporting_years)


def test_unknown_sex_is_reported_beside_the_sex_gaps(mart):
    overall = mart.filter(
        pl.col("org_code") == "R7M",
        pl.col("reporting_year") == "2023-24",
        pl.col("characteristic") == "sex",
        pl.col("breakdown") == "overall",
    )
    unknown_share = overall.filter(pl.col("measure") == "unknown_share_pct")["value"][0]
    assert 3 < unknown_share < 5  # every 25th person
    in_quartiles = overall.filter(pl.col("measure") == "quartile_pct", pl.col("group") == "Unknown")
    assert in_quartiles["value"].min() > 0


def test_ethnicity_and_disability_figures_are_the_statutory_figures(esr, mart):
    characteristics = ("ethnicity", "disability")
    expected = expected_figures(esr, characteristics)
    problems = compare(expected, mart_figures(mart, characteristics))
    assert not problems, f"{len(problems)} of {len(expected)} differ:\n" + "\n".join(problems[:40])


def test_figures_agree_far_more_closely_than_published_precision(esr, mart):
    expected = expected_figures(esr, tuple(SIDES))
    problems = compare(expected, mart_figures(mart, tuple(SIDES)), strict=True)
    assert not problems, f"{len(problems)} of {len(expected)} differ:\n" + "\n".join(problems[:40])


def test_regulation_13_ties_are_shared_in_this_data(esr):
    # The comparison above only proves the tie rule if ties do cross quartile
    # boundaries here: Agenda for Change pay points put many people on one rate.
    people = relevant_employees(esr).filter(pl.col("full_pay"))
    crossings = 0
    for _, frame in people.group_by("org_code", "reporting_year"):
        rates = np.sort(frame["rate"].to_numpy())
        n = len(rates)
        for q in (1, 2, 3):
            boundary = -(-q * n // 4)  # first position of the next quartile
            crossings += bool(rates[boundary - 1] == rates[boundary])
    assert crossings >= 3


# --- 3. planted effects ------------------------------------------------------------------


def mart_value(mart: pl.DataFrame, **where) -> float:
    rows = mart.filter(*(pl.col(column) == value for column, value in where.items()))
    assert rows.height == 1, where
    return rows["value"][0]


def test_planted_medical_sex_pay_gap_is_recovered(esr, mart):
    """The generator plants a mean hourly sex gap of about 16% among medical staff
    (PLANTED_EFFECTS, docs/synthetic-data.md). The system row pools the three trusts'
    doctors. Tolerance: 3.5 standard errors of the estimate (delta method for a ratio of
    two independent means, from the doctors' own rates), plus 1 point because the
    planted figure is itself an emergent average (measured 16.1 ± 0.3 on large acute
    samples) and this ICS mixes trust types, as tests/test_generator.py allows."""
    planted = PLANTED_EFFECTS["sex_pay_gap_medical_mean_hourly_pct"]
    measured = mart_value(
        mart,
        org_code=ICB_CODE,
        reporting_year="2023-24",
        characteristic="sex",
        breakdown="staff_group:01",
        measure="mean_hourly_gap_pct",
    )
    doctors = relevant_employees(esr).filter(
        pl.col("reporting_year") == "2023-24",
        pl.col("full_pay"),
        pl.col("staff_group_code") == "01",
    )
    men, women = (doctors.filter(pl.col("sex") == s)["rate"] for s in ("Male", "Female"))
    ratio = women.mean() / men.mean()
    se = (
        100
        * ratio
        * math.sqrt(
            women.var() / (women.len() * women.mean() ** 2)
            + men.var() / (men.len() * men.mean() ** 2)
        )
    )
    assert abs(measured - planted) < Z_LIMIT * se + 1.0, (measured, se)


def test_planted_clinical_excellence_award_shares_are_recovered(mart):
    """CEAs go to 25% of male and 15% of female consultants, and to nobody else, so the
    consultants' pct_receiving_bonus estimates those shares (binomial error)."""
    for sex, key in (
        ("Male", "cea_share_of_consultants_male"),
        ("Female", "cea_share_of_consultants_female"),
    ):
        where = dict(
            org_code=ICB_CODE,
            reporting_year="2023-24",
            characteristic="sex",
            breakdown="band:Consultant",
            group=sex,
        )
        share = mart_value(mart, measure="pct_receiving_bonus", **where) / 100
        n = mart_value(mart, measure="headcount", **where)
        p = PLANTED_EFFECTS[key]
        assert abs(share - p) < Z_LIMIT * math.sqrt(p * (1 - p) / n), (sex, share, n)
    outside = mart.filter(
        pl.col("org_code") == ICB_CODE,
        pl.col("characteristic") == "sex",
        pl.col("measure") == "bonus_recipients",
        pl.col("breakdown").str.starts_with("band:"),
        pl.col("breakdown") != "band:Consultant",
    )
    assert outside["value"].sum() == 0
