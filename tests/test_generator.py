"""The synthetic ICS generator: contract shape, determinism, variations and planted effects.

Small scales keep this fast. The planted-effect checks use scale 0.3 and a
tolerance worked out from each estimate's own standard error (|z| < 3.5, a
two-sided 1-in-2,000 chance for a correct generator; the seed is fixed, so
the outcome never changes between runs).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import polars as pl
import pytest

from edi_platform.config import parse_config
from edi_platform.generator import PLANTED_EFFECTS, GenerationSummary, generate_ics
from edi_platform.generator.columns import EXTRACT_COLUMNS, OPTIONAL_COLUMNS
from edi_platform.generator.profiles import PROFILES
from edi_platform.paths import EXTRACTS, SEEDS_DIR
from edi_platform.years import ReportingYear

SAMPLE = {
    "icb_code": "QXX",
    "icb_name": "Sample",
    "reporting_years": ["2022-23", "2023-24"],
    "trusts": [
        {"org_code": "RXA", "name": "A", "type": "acute"},
        {"org_code": "RXB", "name": "B", "type": "mental_health"},
        {"org_code": "RXC", "name": "C", "type": "community"},
        {"org_code": "RXD", "name": "D", "type": "ambulance"},
        {"org_code": "RXE", "name": "E", "type": "acute"},
    ],
}
SMALL = 0.03
Z_LIMIT = 3.5
WHITE, BME = set("ABC"), set("DEFGHJKLMNPRS")


def _config(raw: dict = SAMPLE, **changes):
    return parse_config({**raw, **changes})


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> GenerationSummary:
    return generate_ics(_config(), tmp_path_factory.mktemp("small"), seed=11, scale=SMALL)


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> GenerationSummary:
    config = _config(reporting_years=["2021-22", "2022-23", "2023-24"])
    return generate_ics(config, tmp_path_factory.mktemp("large"), seed=2024, scale=0.3)


@pytest.fixture(scope="module")
def incident_heavy(tmp_path_factory) -> GenerationSummary:
    """Mental health trusts at the positions whose incident files carry planted rows."""
    kinds = ["community", "community", "community", "mental_health", "mental_health"]
    trusts = [{"org_code": f"R{i}M", "name": str(i), "type": t} for i, t in enumerate(kinds)]
    config = _config(trusts=trusts, reporting_years=["2023-24"])
    return generate_ics(config, tmp_path_factory.mktemp("incidents"), seed=3, scale=0.5)


# -- reading files the way the contract allows them to be written -------------------------


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def read_extract(path: Path, extract: str) -> pl.DataFrame:
    """A landing file as text columns under contract names; blank trailing rows dropped."""
    if path.suffix == ".xlsx":
        frame = pl.read_excel(path)
        frame = frame.with_columns(pl.all().cast(pl.String))
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        frame = pl.read_csv(text.encode(), infer_schema=False)
    names = {_key(name): name for name, _ in EXTRACT_COLUMNS[extract]}
    frame = frame.rename({c: names.get(_key(c), c) for c in frame.columns})
    return frame.filter(~pl.all_horizontal(pl.all().is_null()))


def flag(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().is_in(["y", "yes", "1", "true"])


def as_date(column: str) -> pl.Expr:
    text = pl.col(column).str.slice(0, 10)
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False), text.str.to_date("%d/%m/%Y", strict=False)
    )


def _descriptions(seed: str, code: str, text: str) -> dict[str, str]:
    frame = pl.read_csv(SEEDS_DIR / f"{seed}.csv", infer_schema=False)
    return dict(zip(frame[text], frame[code], strict=True))


def as_code(column: str, seed: str, code: str, text: str) -> pl.Expr:
    """The code of a coded value written as code, code and description, or description."""
    value = pl.col(column)
    return (
        pl.when(value.is_in(list(_descriptions(seed, code, text))))
        .then(value.replace(_descriptions(seed, code, text)))
        .otherwise(value.str.extract(r"^(\S+)"))
    )


def ethnic_group(column: str = "ethnic_origin") -> pl.Expr:
    code = as_code(column, "ethnic_categories", "ethnic_category_code", "description")
    return (
        pl.when(code.is_in(WHITE))
        .then(pl.lit("White"))
        .when(code.is_in(BME))
        .then(pl.lit("BME"))
        .otherwise(pl.lit("Unknown"))
    )


def frames(summary: GenerationSummary, extract: str) -> pl.DataFrame:
    """Every file of one extract, contract columns only (optional ones null where left out)."""
    parts = []
    for f in summary.files:
        if f.extract != extract:
            continue
        frame = read_extract(f.path, extract)
        parts.append(
            frame.select(
                pl.lit(f.org_code).alias("_org"),
                pl.lit(f.reporting_year).alias("_year"),
                *[
                    pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.String).alias(c)
                    for c, _ in EXTRACT_COLUMNS[extract]
                ],
            )
        )
    return pl.concat(parts)


def planted_rows(summary: GenerationSummary, extract: str, rule: str) -> set[tuple[str, str, int]]:
    return {
        (f.org_code, f.reporting_year, row.source_row)
        for f, row in summary.invalid_rows()
        if f.extract == extract and row.rule == rule
    }


def _rules(summary: GenerationSummary) -> set[tuple[str, str]]:
    return {(f.extract, row.rule) for f, row in summary.invalid_rows()}


def with_source_row(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        (pl.int_range(pl.len()).over("_org", "_year") + 2).alias("_source_row")
    )


# -- contract shape ----------------------------------------------------------------------


def test_every_trust_and_year_gets_all_four_extracts(small):
    assert len(small.files) == 5 * 2 * 4
    for f in small.files:
        assert (
            f.path
            == f.path.parent.parent.parent
            / f.reporting_year
            / f.org_code
            / f"{f.extract}.{f.file_format}"
        )
        assert f.path.is_file()
    assert {f.extract for f in small.files} == set(EXTRACTS)


def test_every_extract_has_the_contract_columns(small):
    for f in small.files:
        frame = read_extract(f.path, f.extract)
        required = {c for c, _ in EXTRACT_COLUMNS[f.extract]} - set(
            OPTIONAL_COLUMNS.get(f.extract, ())
        )
        assert required <= set(frame.columns), f.path
        assert frame.height == f.rows, f.path
        assert set(frame["org_code"]) == {f.org_code}


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path):
    config = _config(trusts=SAMPLE["trusts"][2:4])  # community (UTF-8 BOM) and ambulance (XLSX)
    first = generate_ics(config, tmp_path / "a", seed=5, scale=SMALL)
    second = generate_ics(config, tmp_path / "b", seed=5, scale=SMALL)
    other = generate_ics(config, tmp_path / "c", seed=6, scale=SMALL)
    for a, b, c in zip(first.files, second.files, other.files, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
        if a.extract != "staff_survey" or a.rows > 0:
            assert a.path.read_bytes() != c.path.read_bytes(), a.path.name
    assert first.files[0].invalid_rows == second.files[0].invalid_rows


def test_a_year_generated_alone_equals_the_same_year_in_a_longer_run(tmp_path):
    config = _config(trusts=SAMPLE["trusts"][:1])
    alone = generate_ics(config, tmp_path / "alone", years=["2018-19"], scale=SMALL)
    together = generate_ics(
        config, tmp_path / "together", years=["2018-19", "2019-20"], scale=SMALL
    )
    for extract in EXTRACTS:
        assert (
            alone.file("RXA", "2018-19", extract).path.read_bytes()
            == together.file("RXA", "2018-19", extract).path.read_bytes()
        )


def test_people_persist_across_years_with_some_turnover(small):
    esr = frames(small, "esr_staff").filter(flag("primary_assignment"))
    for org in SAMPLE["trusts"]:
        code = org["org_code"]
        before = set(
            esr.filter(pl.col("_org") == code, pl.col("_year") == "2022-23")["employee_number"]
        )
        after = set(
            esr.filter(pl.col("_org") == code, pl.col("_year") == "2023-24")["employee_number"]
        )
        stayed = len(before & after) / len(before)
        assert 0.75 < stayed < 0.97, (code, stayed)


def test_sizes_follow_trust_type_and_scale(tmp_path):
    scale = 0.05
    summary = generate_ics(_config(reporting_years=["2023-24"]), tmp_path, scale=scale)
    esr = frames(summary, "esr_staff").filter(flag("primary_assignment"), ~flag("board_member"))
    counts = dict(esr.group_by("_org").len().iter_rows())
    for trust in SAMPLE["trusts"]:
        low, high = PROFILES[trust["type"]].headcount
        # Posts at the 2023-24 snapshot are the drawn headcount exactly; less a planted bad row or two.
        assert low * scale - 4 <= counts[trust["org_code"]] <= high * scale + 1, trust
    bigger = generate_ics(_config(reporting_years=["2023-24"]), tmp_path / "x2", scale=2 * scale)
    doubled = frames(bigger, "esr_staff").filter(flag("primary_assignment"), ~flag("board_member"))
    assert doubled.height == pytest.approx(2 * esr.height, rel=0.02)


def test_exactly_one_primary_assignment_per_person(small):
    esr = frames(small, "esr_staff")
    per_person = esr.group_by("_org", "_year", "employee_number").agg(
        primaries=flag("primary_assignment").sum(), assignments=pl.len()
    )
    assert per_person["primaries"].to_list() == [1] * per_person.height
    assert 0.02 < (per_person["assignments"] > 1).mean() < 0.09
    assert esr.group_by("_org", "_year", "assignment_number").len()["len"].max() == 1


def test_board_has_executives_non_executives_and_non_voting_members(small):
    board = frames(small, "esr_staff").filter(flag("board_member"))
    sizes = board.group_by("_org", "_year").len()["len"]
    assert sizes.min() >= 12 and sizes.max() <= 16
    neds = board.filter(pl.col("assignment_category") == "Non-Executive Director")
    assert not neds.select(flag("board_executive")).to_series().any()
    assert board.filter(flag("board_executive"))["pay_band"].unique().to_list() == ["VSM"]
    assert (~board.select(flag("board_voting")).to_series()).sum() >= 10  # a couple per trust-year
    others = frames(small, "esr_staff").filter(~flag("board_member"))
    assert not others.select(flag("board_voting") | flag("board_executive")).to_series().any()


def test_appointed_only_when_shortlisted_except_planted_rows(large):
    rows = with_source_row(frames(large, "recruitment"))
    broken = rows.filter(flag("appointed") & ~flag("shortlisted"))
    found = set(broken.select("_org", "_year", "_source_row").iter_rows())
    assert found == planted_rows(large, "recruitment", "appointed_not_shortlisted")
    assert found  # the sample does plant some


def test_incident_dates_inside_the_year_except_planted_rows(incident_heavy):
    rows = with_source_row(frames(incident_heavy, "incidents")).with_columns(
        day=as_date("incident_date")
    )
    outside = set()
    for (year,), group in rows.group_by("_year"):
        span = ReportingYear(year)
        bad = group.filter(
            pl.col("day").is_null() | (pl.col("day") < span.start) | (pl.col("day") > span.end)
        )
        outside |= set(bad.select("_org", "_year", "_source_row").iter_rows())
    planted = planted_rows(incident_heavy, "incidents", "outside_reporting_year") | planted_rows(
        incident_heavy, "incidents", "unparseable_date"
    )
    assert outside == planted
    assert {("incidents", "outside_reporting_year"), ("incidents", "unparseable_date")} <= _rules(
        incident_heavy
    )


def test_every_planted_row_shows_its_value_and_stays_well_under_the_rejection_limit(large):
    assert large.invalid_rows()
    for f, row in large.invalid_rows():
        frame = read_extract(f.path, f.extract)
        assert str(frame[row.source_row - 2, row.column]).startswith(row.value[:10]), (f.path, row)
    for f in large.files:
        assert len(f.invalid_rows) <= f.rows * 0.005


def test_esr_values_are_valid_apart_from_planted_rows(large):
    esr = with_source_row(frames(large, "esr_staff"))
    bands = set(pl.read_csv(SEEDS_DIR / "pay_bands.csv")["pay_band"])
    fte = pl.col("fte").cast(pl.Float64)
    bad = esr.filter(
        (fte <= 0)
        | (fte > 1.5)
        | ~pl.col("pay_band").is_in(bands)
        | as_date("date_of_birth").is_null()
    )
    planted = set()
    for rule in ("out_of_range", "unknown_code", "unparseable_date"):
        planted |= planted_rows(large, "esr_staff", rule)
    assert set(bad.select("_org", "_year", "_source_row").iter_rows()) == planted


def test_survey_counts_are_complete_and_consistent(small):
    questions = pl.read_csv(SEEDS_DIR / "question_map.csv", infer_schema=False)
    survey = frames(small, "staff_survey").with_columns(pl.col("responses").cast(pl.Int64))
    assert survey["responses"].min() >= 0
    for (org, year), rows in survey.group_by("_org", "_year"):
        survey_year = ReportingYear(year).survey_year
        assert set(rows["survey_year"]) == {str(survey_year)}
        mapped = questions.filter(pl.col("survey_year") == str(survey_year))
        expected = {
            (q, b, g, o)
            for q, options in set(mapped.select("question_code", "response_options").iter_rows())
            for b, groups in (
                ("overall", ["all"]),
                ("ethnicity", ["White", "BME"]),
                ("disability", ["Disabled", "Non-disabled"]),
                ("sex", ["Male", "Female"]),
            )
            for g in groups
            for o in options.split("|")
        }
        assert (
            set(rows.select("question_code", "breakdown", "group", "response_option").iter_rows())
            == expected
        )
        totals = rows.group_by("question_code", "group").agg(pl.col("responses").sum())
        total = dict(((q, g), n) for q, g, n in totals.iter_rows())
        for q in mapped["question_code"].unique():
            assert total[(q, "White")] + total[(q, "BME")] <= total[(q, "all")]
            assert total[(q, "Male")] + total[(q, "Female")] <= total[(q, "all")]
        # Respondents: roughly 45% of the workforce answer the first question.
        esr = read_extract(small.file(org, year, "esr_staff").path, "esr_staff")
        workforce = esr.filter(
            flag("primary_assignment"),
            ~pl.col("assignment_category").is_in(["Bank", "Non-Executive Director"]),
        )
        first = mapped["question_code"][0]
        assert 0.25 * workforce.height <= total[(first, "all")] <= 0.6 * workforce.height


def test_question_map_covers_2018_to_2024_and_renumbers_in_2021():
    questions = pl.read_csv(SEEDS_DIR / "question_map.csv", infer_schema=False)
    assert sorted(set(questions["survey_year"])) == [str(y) for y in range(2018, 2025)]
    code = {
        (y, m): q
        for y, m, q in questions.select("survey_year", "metric_id", "question_code").iter_rows()
    }
    assert code[("2020", "wres_5")] == "Q13a" and code[("2021", "wres_5")] == "Q14a"
    assert code[("2020", "wres_6")] == "Q13b_or_c" and code[("2021", "wres_6")] == "Q14b_or_c"
    assert code[("2020", "wres_7")] == "Q14" and code[("2021", "wres_7")] == "Q15"
    assert (
        code[("2020", "va_survey_physical_public")] == "Q12a"
        and code[("2024", "va_survey_physical_public")] == "Q13a"
    )
    assert ("2022", "va_survey_sexual_public") not in code and code[
        ("2023", "va_survey_sexual_public")
    ] == "Q17a"
    for row in questions.iter_rows(named=True):
        options = row["response_options"].split("|")
        assert set((row["event_options"] or "").split("|")) - {""} <= set(options)
        if row["option_scores"]:
            assert row["metric_id"] == "wdes_9a" and len(row["option_scores"].split("|")) == len(
                options
            )
    assert (
        questions.filter(pl.col("metric_id") == "wdes_9a")
        .group_by("survey_year")
        .len()["len"]
        .to_list()
        == [9] * 7
    )


def test_works_for_other_trust_codes_and_a_single_trust(tmp_path):
    raw = {
        "icb_code": "QAB",
        "icb_name": "Other",
        "reporting_years": ["2020-21"],
        "trusts": [{"org_code": "R1X", "name": "Only", "type": "community"}],
    }
    summary = generate_ics(parse_config(raw), tmp_path, scale=0.01)
    assert {f.org_code for f in summary.files} == {"R1X"}
    assert all(
        not f.variations and not f.invalid_rows for f in summary.files
    )  # one trust: plain files
    esr = read_extract(summary.file("R1X", "2020-21", "esr_staff").path, "esr_staff")
    assert esr.filter(flag("primary_assignment")).height >= 40  # a few dozen people at least


def test_variations_follow_position_not_org_code(tmp_path, small):
    renamed = [{**t, "org_code": f"Q{i}Z"} for i, t in enumerate(SAMPLE["trusts"])]
    other = generate_ics(_config(trusts=renamed), tmp_path, seed=11, scale=SMALL)
    position = {t["org_code"]: i for i, t in enumerate(SAMPLE["trusts"])} | {
        t["org_code"]: i for i, t in enumerate(renamed)
    }

    def plan(summary):
        return {
            (position[f.org_code], f.reporting_year, f.extract): f.variations for f in summary.files
        }

    assert plan(small) == plan(other)
    formats = {f.file_format for f in small.files}
    assert formats == {"csv", "xlsx"}
    assert (
        sum(1 for f in small.files if f.file_format == "xlsx") == 2
    )  # one extract of one trust, each year
    labels = {v.split(":")[0] for f in small.files for v in f.variations}
    assert {
        "encoding",
        "line_ending",
        "headers",
        "codes",
        "flags",
        "dates",
        "money",
        "extra_column",
    } <= labels


def test_years_far_from_the_sample_still_generate(tmp_path):
    config = _config(trusts=SAMPLE["trusts"][:1], reporting_years=["2015-16", "2030-31"])
    summary = generate_ics(config, tmp_path, scale=0.01)
    assert len(summary.files) == 8
    survey = read_extract(summary.file("RXA", "2015-16", "staff_survey").path, "staff_survey")
    assert set(survey["survey_year"]) == {"2015"}
    with pytest.raises(ValueError, match="outside"):
        generate_ics(config, tmp_path, years=["2008-09"], scale=0.01)


# -- planted effects, at scale 0.3 --------------------------------------------------------


def _katz_z(events_a: int, n_a: int, events_b: int, n_b: int, planted: float) -> float:
    """How many standard errors the observed relative likelihood (a vs b) is from the planted one."""
    observed = (events_a / n_a) / (events_b / n_b)
    se = math.sqrt(1 / events_a - 1 / n_a + 1 / events_b - 1 / n_b)
    return (math.log(observed) - math.log(planted)) / se


def _counts(
    frame: pl.DataFrame, group: pl.Expr, event: pl.Expr, a: str, b: str
) -> tuple[int, int, int, int]:
    table = frame.group_by(group.alias("g")).agg(events=event.sum(), n=pl.len())
    row = {g: (e, n) for g, e, n in table.iter_rows()}
    return (*row[a], *row[b])


def test_planted_appointment_likelihoods(large):
    shortlisted = frames(large, "recruitment").filter(flag("shortlisted"))
    z = _katz_z(
        *_counts(shortlisted, ethnic_group(), flag("appointed"), "White", "BME"),
        PLANTED_EFFECTS["wres_2_relative_likelihood"],
    )
    assert abs(z) < Z_LIMIT, z
    z = _katz_z(
        *_counts(shortlisted, pl.col("disability"), flag("appointed"), "No", "Yes"),
        PLANTED_EFFECTS["wdes_2_relative_likelihood"],
    )
    assert abs(z) < Z_LIMIT, z


def _workforce_people(summary: GenerationSummary) -> pl.DataFrame:
    esr = frames(summary, "esr_staff")
    events = esr.group_by("_org", "_year", "employee_number").agg(
        disciplinary=flag("entered_disciplinary").any(),
        capability=flag("entered_capability").any(),
        training=flag("nonmandatory_training").any(),
    )
    primary = esr.filter(flag("primary_assignment")).with_columns(
        staff_group=as_code("staff_group", "staff_groups", "staff_group_code", "staff_group_name")
    )
    return primary.join(events, on=["_org", "_year", "employee_number"]).filter(
        ~pl.col("assignment_category").is_in(["Bank", "Non-Executive Director"]),
        pl.col("staff_group") != "02",
    )


def test_planted_hr_event_likelihoods(large):
    people = _workforce_people(large)
    checks = [
        (ethnic_group(), "disciplinary", "BME", "White", "wres_3_relative_likelihood"),
        (pl.col("disability"), "capability", "Yes", "No", "wdes_3_relative_likelihood"),
        (ethnic_group(), "training", "White", "BME", "wres_4_relative_likelihood"),
    ]
    for group, event, a, b, key in checks:
        z = _katz_z(*_counts(people, group, pl.col(event), a, b), PLANTED_EFFECTS[key])
        assert abs(z) < Z_LIMIT, (key, z)


def test_planted_bme_share_at_band_8c_and_above(large):
    senior_bands = set(
        pl.read_csv(SEEDS_DIR / "pay_bands.csv").filter(pl.col("is_8c_and_above"))["pay_band"]
    )
    people = (
        _workforce_people(large).filter(pl.col("_year") == "2023-24").with_columns(g=ethnic_group())
    )
    observed = expected = variance = 0.0
    for _, trust in people.group_by("_org"):
        share = (trust["g"] == "BME").mean()
        senior = trust.filter(pl.col("pay_band").is_in(senior_bands))
        p = PLANTED_EFFECTS["wres_1_bme_share_8c_plus_vs_workforce"] * share
        observed += (senior["g"] == "BME").sum()
        expected += p * senior.height
        variance += p * (1 - p) * senior.height
    assert abs(observed - expected) / math.sqrt(variance) < Z_LIMIT


def test_planted_medical_sex_pay_gap(large):
    esr = frames(large, "esr_staff").filter(
        pl.col("_year") == "2023-24", pl.col("assignment_category") != "Non-Executive Director"
    )
    money = pl.col("ordinary_pay_period").str.replace_all(r"[£,]", "").cast(pl.Float64)
    people = esr.group_by("_org", "employee_number").agg(
        rate=(money * 7 / pl.col("pay_period_days").cast(pl.Float64)).sum()
        / pl.col("weekly_contracted_hours").cast(pl.Float64).sum(),
        full_pay=flag("full_pay_relevant").all(),
    )
    primary = esr.filter(flag("primary_assignment")).select(
        "_org",
        "employee_number",
        "sex",
        staff_group=as_code("staff_group", "staff_groups", "staff_group_code", "staff_group_name"),
    )
    medical = people.join(primary, on=["_org", "employee_number"]).filter(
        "full_pay", pl.col("staff_group") == "01"
    )
    men, women = (medical.filter(pl.col("sex") == s)["rate"] for s in ("Male", "Female"))
    ratio = women.mean() / men.mean()
    gap = (1 - ratio) * 100
    se = (
        100
        * ratio
        * math.sqrt(
            women.var() / (women.len() * women.mean() ** 2)
            + men.var() / (men.len() * men.mean() ** 2)
        )
    )
    # The planted figure is itself measured on large samples (about +/-0.5 points).
    assert abs(gap - PLANTED_EFFECTS["sex_pay_gap_medical_mean_hourly_pct"]) < Z_LIMIT * se + 1.0, (
        gap,
        se,
    )


def test_planted_survey_differences(large):
    survey = (
        frames(large, "staff_survey")
        .filter(pl.col("_year") == "2023-24")
        .with_columns(pl.col("responses").cast(pl.Int64))
    )

    def events(question: str, group: str, yes: list[str]) -> tuple[int, int]:
        rows = survey.filter(pl.col("question_code") == question, pl.col("group") == group)
        return rows.filter(pl.col("response_option").is_in(yes))["responses"].sum(), rows[
            "responses"
        ].sum()

    for group, key in (("White", "wres_6_pct_white"), ("BME", "wres_6_pct_bme")):
        hits, n = events("Q14b_or_c", group, ["Yes"])
        p = PLANTED_EFFECTS[key] / 100
        assert abs(hits / n - p) / math.sqrt(p * (1 - p) / n) < Z_LIMIT, (key, hits / n)
    disabled = events("Q15", "Disabled", ["Yes"])
    non_disabled = events("Q15", "Non-disabled", ["Yes"])
    z = _katz_z(*disabled, *non_disabled, PLANTED_EFFECTS["wdes_5_disabled_vs_non_disabled_ratio"])
    assert abs(z) < Z_LIMIT, z


def test_planted_incident_rates_and_victim_likelihood(large):
    incidents = frames(large, "incidents")
    people = _workforce_people(large)
    wte = (
        frames(large, "esr_staff")
        .join(
            people.select("_org", "_year", "employee_number"),
            on=["_org", "_year", "employee_number"],
        )
        .group_by("_org", "_year")
        .agg(pl.col("fte").cast(pl.Float64).sum())
    )
    rates = incidents.group_by("_org", "_year").len().join(wte, on=["_org", "_year"])
    kind = {t["org_code"]: t["type"] for t in SAMPLE["trusts"]}
    for org, year, count, fte in rates.iter_rows():
        low, high = PLANTED_EFFECTS["va_incidents_per_1000_wte_range"][kind[org]]
        trend = (1 + PLANTED_EFFECTS["va_incident_trend_per_year"]) ** (int(year[:4]) - 2023)
        expected_low, expected_high = low * trend * fte / 1000, high * trend * fte / 1000
        slack = Z_LIMIT * math.sqrt(expected_high)  # Poisson counts
        assert expected_low - slack <= count <= expected_high + slack, (org, year, count)

    # Victim rate per head, BME vs White: pooled over trusts on the log scale (inverse variance).
    normalised = pl.col("employee_number").str.strip_chars_start("0")
    victims = incidents.filter(pl.col("victim_employee_number").is_not_null()).select(
        "_org", "_year", employee_number=pl.col("victim_employee_number").str.strip_chars_start("0")
    )
    linked = victims.join(
        people.with_columns(employee_number=normalised).with_columns(g=ethnic_group()),
        on=["_org", "_year", "employee_number"],
    )
    weights = weighted = 0.0
    for org in kind:
        events = dict(linked.filter(pl.col("_org") == org).group_by("g").len().iter_rows())
        heads = dict(
            people.filter(pl.col("_org") == org).group_by(ethnic_group()).len().iter_rows()
        )
        variance = 1 / events["BME"] + 1 / events["White"]
        weighted += (
            math.log((events["BME"] / heads["BME"]) / (events["White"] / heads["White"])) / variance
        )
        weights += 1 / variance
    z = (
        weighted / weights - math.log(PLANTED_EFFECTS["va_victim_rate_relative_likelihood_bme"])
    ) * math.sqrt(weights)
    assert abs(z) < Z_LIMIT, z
    assert 0.6 < victims.height / incidents.height < 0.8
    assert 0.6 < linked.height / incidents.height < 0.75


def test_descriptions_name_a_few_fake_people(small):
    descriptions = pl.concat(
        read_extract(f.path, "incidents").select("description")
        for f in small.files
        if f.extract == "incidents"
    )["description"]
    assert 0 < descriptions.str.contains("Staff member involved").sum() < 0.1 * descriptions.len()


def test_dates_of_birth_give_working_ages(small):
    esr = frames(small, "esr_staff").filter(flag("primary_assignment"))
    age = pl.col("_year").str.slice(0, 4).cast(pl.Int32) + 1 - as_date("date_of_birth").dt.year()
    ages = esr.select(age.alias("age"))["age"].drop_nulls()
    assert ages.min() >= 16 and ages.max() <= 76


def test_trusts_generated_side_by_side_give_the_same_files(tmp_path):
    config = _config(trusts=SAMPLE["trusts"][:2])
    alone = generate_ics(config, tmp_path / "one", years=["2022-23"], scale=SMALL)
    parallel = generate_ics(config, tmp_path / "two", years=["2022-23"], scale=SMALL, workers=2)
    assert [f.path.name for f in alone.files] == [f.path.name for f in parallel.files]
    for a, b in zip(alone.files, parallel.files, strict=True):
        assert (a.org_code, a.extract, a.rows) == (b.org_code, b.extract, b.rows)
        assert a.path.read_bytes() == b.path.read_bytes(), a.path
