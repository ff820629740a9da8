"""Statistical disclosure control (edi_platform.publish.disclosure).

Property tests on random tables check the contract's promises independently of the
implementation: every small count is suppressed, and no suppressed count can be worked out
from what is published (solved with numpy's matrix rank, not the module's null-space code).
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from edi_platform.config import DisclosureSettings
from edi_platform.publish.disclosure import (
    MetricLayout,
    Relation,
    apply_disclosure_control,
    determined_cells,
    primary_count_mask,
    suppress,
)

ICB = "QXX"
YEAR = "2023-24"
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- an independent recoverability check ---------------------------------------------------------


def recoverable(unknown: np.ndarray, equations: list[tuple[int, list[int]]]) -> list[int]:
    """Unknown cells fixed by the equations total = Σ members (knowns on the right-hand side).

    With A the equations' coefficients on the unknowns, x_j is determined iff e_j is a
    combination of A's rows, i.e. iff A^T y = e_j has an exact least-squares solution.
    """
    unknown_cells = [int(c) for c in np.flatnonzero(unknown)]
    column = {cell: i for i, cell in enumerate(unknown_cells)}
    rows = []
    for total, members in equations:
        coefficients = np.zeros(len(unknown_cells))
        for member in members:
            if member in column:
                coefficients[column[member]] += 1
        if total in column:
            coefficients[column[total]] -= 1
        if coefficients.any():
            rows.append(coefficients)
    if not rows:
        return []
    matrix = np.array(rows)
    targets = np.eye(len(unknown_cells))
    solution = np.linalg.lstsq(matrix.T, targets, rcond=None)[0]
    residual = np.linalg.norm(matrix.T @ solution - targets, axis=0)
    return [cell for cell, i in column.items() if residual[i] < 1e-6]


# --- the abstract table: random 2-D tables with margins -------------------------------------


def two_way_table(counts: list[list[int]]):
    """Interior cells, row totals, column totals and the grand total, with their relations."""
    n_rows, n_cols = len(counts), len(counts[0])
    values = [v for row in counts for v in row]
    row_total = [len(values) + i for i in range(n_rows)]
    values += [sum(row) for row in counts]
    col_total = [len(values) + j for j in range(n_cols)]
    values += [sum(counts[i][j] for i in range(n_rows)) for j in range(n_cols)]
    grand = len(values)
    values.append(sum(values[: n_rows * n_cols]))
    relations = [
        Relation(row_total[i], tuple(i * n_cols + j for j in range(n_cols))) for i in range(n_rows)
    ]
    relations += [
        Relation(col_total[j], tuple(i * n_cols + j for i in range(n_rows))) for j in range(n_cols)
    ]
    relations += [Relation(grand, tuple(row_total)), Relation(grand, tuple(col_total))]
    return values, relations


# Small counts are what disclosure control is about: draw mostly from 0-12, sometimes larger.
count = st.one_of(st.integers(0, 12), st.integers(0, 60))
tables = st.integers(2, 5).flatmap(
    lambda n_rows: st.integers(2, 5).flatmap(
        lambda n_cols: st.lists(
            st.lists(count, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )
)


# A table where the single-difference rule alone leaves a suppressed cell determined.
NEEDS_THE_RANK_CHECK = [[24, 8, 22, 24], [6, 15, 8, 0], [6, 38, 39, 34], [4, 33, 33, 8]]


@PROPERTY
@given(counts=tables, threshold=st.integers(2, 15))
@example(counts=NEEDS_THE_RANK_CHECK, threshold=10)
def test_no_suppressed_cell_of_a_two_way_table_can_be_recovered(counts, threshold):
    values, relations = two_way_table(counts)
    primary = primary_count_mask(values, threshold)
    result = suppress(values, relations, primary)
    hidden = result.suppressed

    # (a) every primary cell (1 .. threshold - 1) is suppressed
    assert hidden[primary].all()
    # the single-difference rule: each relation has 0 or at least 2 unknowns
    for relation in relations:
        assert sum(hidden[c] for c in relation.cells) != 1
    # (b) stronger: no suppressed cell is determined by the published equations
    equations = [(r.total, list(r.members)) for r in relations]
    assert recoverable(hidden, equations) == []
    # secondary cells are exactly the suppressed cells that were not primary
    assert (result.secondary == (hidden & ~primary)).all()
    assert (result.hidden == hidden).all()


@PROPERTY
@given(counts=tables, threshold=st.integers(2, 15))
def test_suppression_is_deterministic_and_minimal_when_nothing_is_small(counts, threshold):
    values, relations = two_way_table(counts)
    primary = primary_count_mask(values, threshold)
    first = suppress(values, relations, primary)
    again = suppress(values, relations, primary)
    assert (first.suppressed == again.suppressed).all()
    if not primary.any():
        assert not first.suppressed.any()


def test_a_small_count_in_a_two_by_three_table_costs_a_rectangle_of_four():
    #        a   b   c  | total
    #   r1   3  20  15  |  38
    #   r2  12  25  30  |  67
    #       15  45  45  | 105
    # 3 is primary. Row r1's next smallest is 15 (column c); column a's is 12 (row r2); then
    # row r2 has one hidden cell (12) and column c has one (15): 30 closes both. Four cells,
    # in a rectangle: every row and column has two unknowns, and nothing is determined.
    values, relations = two_way_table([[3, 20, 15], [12, 25, 30]])
    result = suppress(values, relations, primary_count_mask(values, 10))
    assert np.flatnonzero(result.suppressed).tolist() == [0, 2, 3, 5]
    assert np.flatnonzero(result.secondary).tolist() == [2, 3, 5]


def test_secondary_cells_prefer_non_zero_counts():
    # total 20 = 4 + 0 + 16: hiding the zero beside the 4 would leave 4 = 4 - 0, bounded at its
    # true value; the non-zero 16 is taken instead (the total, 20, is bigger).
    values = [4, 0, 16, 20]
    result = suppress(values, [Relation(3, (0, 1, 2))], primary_count_mask(values, 10))
    assert np.flatnonzero(result.suppressed).tolist() == [0, 2]


def test_zero_is_not_primary():
    assert primary_count_mask([0, 1, 9, 10, np.nan], 10).tolist() == [
        False,
        True,
        True,
        False,
        False,
    ]


def test_the_rank_check_catches_what_the_single_difference_rule_misses():
    # A 4 x 4 interior with every margin published. Two 2 x 2 rectangles of unknowns (rows 0-1
    # by columns 0-1, rows 2-3 by columns 2-3) plus the bridge cell (0, 2): every row and column
    # has 0 or >= 2 unknowns, yet the bridge is determined. Summing rows 0 and 1 and subtracting
    # columns 0 and 1 leaves exactly the bridge.
    values, relations = two_way_table([[5] * 4 for _ in range(4)])
    unknown = np.zeros(len(values), dtype=bool)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]:
        unknown[i * 4 + j] = True
    for relation in relations:
        assert sum(unknown[c] for c in relation.cells) != 1
    assert np.flatnonzero(determined_cells(unknown, relations)).tolist() == [2]
    equations = [(r.total, list(r.members)) for r in relations]
    assert recoverable(unknown, equations) == [2]


def test_the_rank_check_adds_cells_the_single_difference_rule_would_not(monkeypatch):
    import edi_platform.publish.disclosure as disclosure

    found = []
    solve = disclosure._determined

    def spy(matrix, unknown, cache):
        determined = solve(matrix, unknown, cache)
        found.append(bool(determined.any()))
        return determined

    monkeypatch.setattr(disclosure, "_determined", spy)
    values, relations = two_way_table(NEEDS_THE_RANK_CHECK)
    result = suppress(values, relations, primary_count_mask(values, 10))
    # At some point every row and column had 0 or >= 2 unknowns and yet a cell was determined.
    assert any(found) and not found[-1]
    equations = [(r.total, list(r.members)) for r in relations]
    assert recoverable(result.suppressed, equations) == []


def test_a_cell_shown_by_several_items_stays_visible_until_all_are_suppressed():
    # Cells: 0 = White 40, 1 = BME 3, 2 = Unknown 12, 3 = band headcount 55. Each row (item)
    # shows its own count and the shared headcount.
    values = [40, 3, 12, 55]
    result = suppress(
        values,
        [Relation(3, (0, 1, 2))],
        [False, True, False],
        item_cells=[(0, 3), (1, 3), (2, 3)],
    )
    # BME (3) and the next smallest, Unknown (12), are hidden; the headcount stays published
    # on the White row.
    assert result.suppressed.tolist() == [False, True, True]
    assert result.hidden.tolist() == [False, True, True, False]


# --- the indicator shape -----------------------------------------------------------------------


def indicator_row(org, metric, breakdown, group, numerator, denominator, unit="percent"):
    value = None
    if denominator:
        value = (100.0 if unit == "percent" else 1.0) * (numerator or 0) / denominator
    return {
        "org_code": org,
        "reporting_year": YEAR,
        "metric_id": metric,
        "breakdown": breakdown,
        "group": group,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "unit": unit,
        "ci_lower": None if value is None else value * 0.8,
        "ci_upper": None if value is None else value * 1.2,
        "note": None,
    }


def frame_of(rows) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "org_code": pl.String,
            "reporting_year": pl.String,
            "metric_id": pl.String,
            "breakdown": pl.String,
            "group": pl.String,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "value": pl.Float64,
            "unit": pl.String,
            "ci_lower": pl.Float64,
            "ci_upper": pl.Float64,
            "note": pl.String,
        },
    )


WRES1_GROUPS = ("White", "BME", "Unknown")


def wres_1_rows(counts: dict[str, dict[str, tuple[int, int, int]]]) -> list[dict]:
    """wres_1 rows for trusts' band counts (White, BME, Unknown), with overall and ICS rows."""
    rows = []
    orgs = dict(counts)
    bands = sorted({band for by_band in counts.values() for band in by_band})
    orgs[ICB] = {
        band: tuple(
            sum(by_band.get(band, (0, 0, 0))[g] for by_band in counts.values()) for g in range(3)
        )
        for band in bands
    }
    for org, by_band in orgs.items():
        with_overall = dict(by_band)
        with_overall["overall"] = tuple(sum(c[g] for c in by_band.values()) for g in range(3))
        for breakdown, group_counts in with_overall.items():
            total = sum(group_counts)
            for group, number in zip(WRES1_GROUPS, group_counts, strict=True):
                rows.append(indicator_row(org, "wres_1", breakdown, group, number, total))
    return rows


def by_key(frame: pl.DataFrame, org: str, breakdown: str, group: str) -> dict:
    return frame.filter(
        (pl.col("org_code") == org)
        & (pl.col("breakdown") == breakdown)
        & (pl.col("group") == group)
    ).row(0, named=True)


def test_a_band_with_three_bme_staff():
    # Trust RAA, clinical Band 5: White 40, BME 3, Unknown 12 (headcount 55). BME is primary;
    # the headcount 55 stays published on the White row, so 55 - 40 - 12 would give BME away:
    # the next smallest, Unknown (12), goes too. Across trusts and bands the same happens
    # (RBB's Band 5 BME and Unknown; RAA's Band 6), so no sum of published rows gives them away.
    frame = frame_of(
        wres_1_rows(
            {
                "RAA": {"clinical:Band 5": (40, 3, 12), "clinical:Band 6": (50, 20, 15)},
                "RBB": {"clinical:Band 5": (60, 25, 14), "clinical:Band 6": (45, 30, 12)},
            }
        )
    )
    out = apply_disclosure_control(frame, icb_code=ICB)
    bme = by_key(out, "RAA", "clinical:Band 5", "BME")
    assert bme["suppressed"] and bme["suppression_reason"] == "primary_count"
    assert bme["value"] is None and bme["numerator"] is None and bme["denominator"] is None
    assert bme["ci_lower"] is None and bme["ci_upper"] is None and bme["note"] == "suppressed"
    unknown = by_key(out, "RAA", "clinical:Band 5", "Unknown")
    assert unknown["suppressed"] and unknown["suppression_reason"] == "secondary"
    white = by_key(out, "RAA", "clinical:Band 5", "White")
    assert not white["suppressed"] and white["numerator"] == 40 and white["denominator"] == 55
    # Nothing in the system rows is hidden: a second trust protects the first.
    assert not out.filter(pl.col("org_code") == ICB).get_column("suppressed").any()
    assert_nothing_recoverable(frame, out)


def test_a_trust_count_is_protected_across_trusts_by_a_second_trust():
    # wres_3 (disciplinary, BME over White): RAA has 4 BME staff entering the process. The
    # system row pools the trusts, so ICS - RBB - RCC would give RAA's 4 away: the smallest
    # other trust's BME count (RCC's 11) is suppressed too, and both trusts' relative
    # likelihood rows (derived from them) go with them.
    rows = []
    counts = {"RAA": (4, 300, 20, 900), "RBB": (25, 500, 30, 1500), "RCC": (11, 350, 12, 800)}
    pooled = tuple(sum(c[i] for c in counts.values()) for i in range(4))
    for org, (a, n1, c, n2) in {**counts, ICB: pooled}.items():
        rows.append(indicator_row(org, "wres_3", "overall", "BME", a, n1, "proportion"))
        rows.append(indicator_row(org, "wres_3", "overall", "White", c, n2, "proportion"))
        rl = indicator_row(org, "wres_3", "overall", "relative_likelihood", None, None, "ratio")
        rl["value"] = (a / n1) / (c / n2)
        rows.append(rl)
    frame = frame_of(rows)
    out = apply_disclosure_control(frame, icb_code=ICB)
    flags = {
        (r["org_code"], r["group"]): r["suppression_reason"]
        for r in out.iter_rows(named=True)
        if r["suppressed"]
    }
    assert flags == {
        ("RAA", "BME"): "primary_count",
        ("RCC", "BME"): "secondary",
        ("RAA", "relative_likelihood"): "derived",
        ("RCC", "relative_likelihood"): "derived",
    }
    assert by_key(out, "RAA", "overall", "relative_likelihood")["value"] is None
    assert by_key(out, ICB, "overall", "relative_likelihood")["value"] is not None


def test_comparison_rows_need_their_group_rows():
    rl = indicator_row("RAA", "wres_3", "overall", "relative_likelihood", None, None, "ratio")
    rl["value"] = 1.4
    with pytest.raises(ValueError, match="no count rows in its breakdown"):
        apply_disclosure_control(frame_of([rl]), icb_code=ICB)


def test_the_system_row_is_hidden_when_the_only_other_trust_cell_is_zero():
    # Two trusts: RAA's 2 disabled applicants appointed (primary); RBB's count is 0. Hiding
    # RBB's zero would leave RAA = 2 - RBB <= 2, bounded at its true value, so the next smallest
    # non-zero cell is taken: the system row (2 of 75). Its relative likelihood goes with it.
    rows = []
    for org, (a, n) in {"RAA": (2, 40), "RBB": (0, 35), ICB: (2, 75)}.items():
        rows.append(indicator_row(org, "wdes_2", "overall", "Disabled", a, n, "proportion"))
    out = apply_disclosure_control(frame_of(rows), icb_code=ICB)
    reasons = {r["org_code"]: r["suppression_reason"] for r in out.iter_rows(named=True)}
    assert reasons == {"RAA": "primary_count", "RBB": None, ICB: "primary_count"}
    # (the system's 2 is itself a count from 1 to 9: primary in its own right.)
    rows[2] = indicator_row(ICB, "wdes_2", "overall", "Disabled", 12, 75, "proportion")
    rows[1] = indicator_row("RBB", "wdes_2", "overall", "Disabled", 10, 35, "proportion")
    out = apply_disclosure_control(frame_of(rows), icb_code=ICB)
    reasons = {r["org_code"]: r["suppression_reason"] for r in out.iter_rows(named=True)}
    # RBB's 10 is smaller than the system's 12: the second trust is hidden, not the system.
    assert reasons == {"RAA": "primary_count", "RBB": "secondary", ICB: None}


def test_with_one_trust_in_the_table_its_system_row_is_its_count():
    rows = [
        indicator_row("RAA", "wdes_2", "overall", "Disabled", 12, 40, "proportion"),
        indicator_row("RAA", "wdes_2", "overall", "Non-disabled", 5, 60, "proportion"),
        indicator_row(ICB, "wdes_2", "overall", "Disabled", 12, 40, "proportion"),
        indicator_row(ICB, "wdes_2", "overall", "Non-disabled", 5, 60, "proportion"),
    ]
    out = apply_disclosure_control(frame_of(rows), icb_code=ICB)
    assert out.get_column("suppressed").to_list() == [False, True, False, True]


@pytest.mark.parametrize(("responses", "suppressed"), [(10, True), (11, False), (0, True)])
def test_survey_cells_need_eleven_responses(responses, suppressed):
    rows = [
        indicator_row("RAA", "wres_7", "overall", "BME", min(responses, 4), responses),
        indicator_row("RBB", "wres_7", "overall", "BME", 30, 90),
        indicator_row("RCC", "wres_7", "overall", "BME", 12, 40),
        indicator_row(ICB, "wres_7", "overall", "BME", 42 + min(responses, 4), 130 + responses),
    ]
    out = apply_disclosure_control(frame_of(rows), icb_code=ICB)
    raa = by_key(out, "RAA", "overall", "BME")
    assert raa["suppressed"] is suppressed
    if suppressed:
        assert raa["suppression_reason"] == "primary_survey"
        # and a second trust (the smaller, RCC) protects it from ICS minus the rest
        assert by_key(out, "RCC", "overall", "BME")["suppression_reason"] == "secondary"
    else:
        # 4 of 11 is a survey cell: the count of 4 is not a reason to suppress it
        assert raa["value"] == pytest.approx(100 * 4 / 11)
        assert not out.get_column("suppressed").any()


def test_thresholds_are_configurable():
    rows = [
        indicator_row("RAA", "wres_7", "overall", "BME", 5, 15),
        indicator_row("RBB", "wres_7", "overall", "BME", 6, 16),
        indicator_row(ICB, "wres_7", "overall", "BME", 11, 31),
    ]
    strict = DisclosureSettings(min_count=10, min_survey_responses=20)
    out = apply_disclosure_control(frame_of(rows), icb_code=ICB, settings=strict)
    # 15 and 16 responses are under 20; the two trusts protect each other; the system has 31.
    assert out.get_column("suppressed").to_list() == [True, True, False]
    lenient = DisclosureSettings(min_count=3, min_survey_responses=11)
    assert (
        not apply_disclosure_control(frame_of(rows), icb_code=ICB, settings=lenient)
        .get_column("suppressed")
        .any()
    )


def test_identities_between_metrics_share_one_cell():
    # wres_3's group headcounts are wres_1's overall headcounts. Suppressing a wres_1 overall
    # count (here RAA's overall Unknown of 12, a secondary) must not leave it on a wres_3 row...
    # wres_3 has no Unknown row, so check the other direction: RAA's 6 BME staff make the wres_1
    # overall BME count primary, and the wres_3 BME row shows the same 6 as its denominator.
    rows = wres_1_rows(
        {
            "RAA": {"clinical:Band 5": (40, 6, 12)},
            "RBB": {"clinical:Band 5": (60, 25, 14)},
        }
    )
    for org, (a, n1, c, n2) in {
        "RAA": (0, 6, 2, 40),
        "RBB": (2, 25, 3, 60),
        ICB: (2, 31, 5, 100),
    }.items():
        rows.append(indicator_row(org, "wres_3", "overall", "BME", a, n1, "proportion"))
        rows.append(indicator_row(org, "wres_3", "overall", "White", c, n2, "proportion"))
    frame = frame_of(rows)
    out = apply_disclosure_control(frame, icb_code=ICB)
    assert by_key(out, "RAA", "overall", "BME")["suppressed"]  # wres_1 overall BME = 6
    wres_3 = out.filter(pl.col("metric_id") == "wres_3")
    raa_bme = wres_3.filter((pl.col("org_code") == "RAA") & (pl.col("group") == "BME"))
    assert raa_bme.get_column("suppressed").to_list() == [True]
    # No published row anywhere shows a count from 1 to 9.
    published = out.filter(~pl.col("suppressed"))
    for column in ("numerator", "denominator"):
        small = published.filter(pl.col(column).is_between(1, 9))
        assert small.is_empty(), small


def test_suppression_ignores_row_order():
    frame = frame_of(
        wres_1_rows(
            {
                "RAA": {"clinical:Band 5": (40, 3, 12), "non_clinical:Band 3": (22, 7, 9)},
                "RBB": {"clinical:Band 5": (60, 25, 14), "non_clinical:Band 3": (35, 18, 1)},
                "RCC": {"clinical:Band 5": (33, 15, 10)},
            }
        )
    )
    first = apply_disclosure_control(frame, icb_code=ICB)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    second = apply_disclosure_control(shuffled, icb_code=ICB)
    keys = ["org_code", "breakdown", "group"]
    assert first.sort(keys).equals(second.sort(keys))
    assert_nothing_recoverable(frame, first)


def test_a_metric_without_a_layout_is_an_error_not_a_guess():
    rows = [indicator_row("RAA", "new_metric", "overall", "all", 5, 10)]
    with pytest.raises(ValueError, match="no layout for metric 'new_metric'"):
        apply_disclosure_control(frame_of(rows), icb_code=ICB)
    out = apply_disclosure_control(
        frame_of(rows), icb_code=ICB, layouts={"new_metric": MetricLayout()}
    )
    assert out.get_column("suppression_reason").to_list() == ["primary_count"]  # 5 events
    out = apply_disclosure_control(frame_of(rows), icb_code=ICB, survey_metrics={"new_metric"})
    assert out.get_column("suppression_reason").to_list() == ["primary_survey"]  # 10 responses


def test_incident_rates_check_the_count_not_the_wte():
    # 12 incidents over 8.5 WTE: the WTE is an exposure, not a count of people.
    row = indicator_row("RAA", "va_incidents_per_1000_wte", "overall", "all", 12, 8, "per_1000_wte")
    out = apply_disclosure_control(frame_of([row]), icb_code=ICB)
    assert out.get_column("suppressed").to_list() == [False]


def test_incident_categories_add_up_to_the_overall_count():
    # RAA: 40 incidents, 3 of them sexual (primary). Categories add up to the overall count,
    # so the next smallest category (verbal, 12) goes too; across trusts RBB's sexual (11) and
    # verbal (20) protect RAA's in the system total. WTE is shared by every breakdown.
    metric = "va_incidents_per_1000_wte"
    counts = {"RAA": (3, 12, 25), "RBB": (11, 20, 30)}
    pooled = tuple(sum(c[i] for c in counts.values()) for i in range(3))
    rows = []
    for org, by_category in {**counts, ICB: pooled}.items():
        wte = {"RAA": 800, "RBB": 900, ICB: 1700}[org]
        rows.append(indicator_row(org, metric, "overall", "all", sum(by_category), wte, "rate"))
        for name, number in zip(("Sexual", "Verbal", "Physical"), by_category, strict=True):
            rows.append(indicator_row(org, metric, f"category:{name}", "all", number, wte, "rate"))
    out = apply_disclosure_control(frame_of(rows), icb_code=ICB)
    hidden = {(r["org_code"], r["breakdown"]) for r in out.iter_rows(named=True) if r["suppressed"]}
    assert hidden == {
        ("RAA", "category:Sexual"),
        ("RAA", "category:Verbal"),
        ("RBB", "category:Sexual"),
        ("RBB", "category:Verbal"),
    }


def test_pay_gap_rows_fit_the_same_shape():
    # Mean hourly rate per group with the group's headcount as denominator, and a gap row
    # without counts. RAA has 6 women in Band 8d: their row and the gap are hidden, and RBB's
    # smaller group (14 women) protects RAA's headcount in the system total.
    metric = "pay_mean_hourly_gap_sex"
    rows = []
    for org, (men, women) in {
        "RAA": (20, 6),
        "RBB": (30, 14),
        "RCC": (25, 18),
        ICB: (75, 38),
    }.items():
        for group, headcount, rate in (("Male", men, 40.0), ("Female", women, 37.5)):
            row = indicator_row(org, metric, "band:8d", group, None, headcount, "gbp")
            row["value"] = rate
            rows.append(row)
        gap = indicator_row(org, metric, "band:8d", "gap", None, None, "percent")
        gap["value"] = 6.25
        rows.append(gap)
    out = apply_disclosure_control(frame_of(rows), icb_code=ICB, layouts={metric: MetricLayout()})
    reasons = {
        (r["org_code"], r["group"]): r["suppression_reason"]
        for r in out.iter_rows(named=True)
        if r["suppressed"]
    }
    assert reasons == {
        ("RAA", "Female"): "primary_count",
        ("RAA", "gap"): "derived",
        ("RBB", "Female"): "secondary",
        ("RBB", "gap"): "derived",
    }


# --- property test on the indicator shape ------------------------------------------------------


def assert_nothing_recoverable(original: pl.DataFrame, published: pl.DataFrame) -> None:
    """Rebuild wres_1's equations from scratch and check no suppressed count is determined.

    Unknowns: the numerator of every suppressed row, and a band's headcount when every row of
    the band is suppressed. Equations: groups add up to the band headcount; trusts add up to
    the system; bands add up to overall.
    """
    cells: dict[tuple, int] = {}
    values: list[float] = []
    unknown: list[bool] = []

    def cell(key, value, hidden):
        if key not in cells:
            cells[key] = len(values)
            values.append(value)
            unknown.append(hidden)
        elif not hidden:
            unknown[cells[key]] = False
        return cells[key]

    joined = original.join(
        published.select("org_code", "breakdown", "group", "suppressed"),
        on=["org_code", "breakdown", "group"],
    )
    for r in joined.iter_rows(named=True):
        cell((r["org_code"], r["breakdown"], r["group"]), r["numerator"], r["suppressed"])
        cell((r["org_code"], r["breakdown"], "total"), r["denominator"], r["suppressed"])
    equations = []
    orgs = sorted({k[0] for k in cells})
    breakdowns = sorted({k[1] for k in cells})
    for org, breakdown in itertools.product(orgs, breakdowns):
        if (org, breakdown, "total") in cells:
            members = [cells[(org, breakdown, g)] for g in WRES1_GROUPS]
            equations.append((cells[(org, breakdown, "total")], members))
    for breakdown, group in itertools.product(breakdowns, [*WRES1_GROUPS, "total"]):
        members = [
            cells[(org, breakdown, group)]
            for org in orgs
            if org != ICB and (org, breakdown, group) in cells
        ]
        if (ICB, breakdown, group) in cells:
            equations.append((cells[(ICB, breakdown, group)], members))
    for org, group in itertools.product(orgs, [*WRES1_GROUPS, "total"]):
        members = [
            cells[(org, b, group)]
            for b in breakdowns
            if b != "overall" and (org, b, group) in cells
        ]
        equations.append((cells[(org, "overall", group)], members))
    # the equations hold in the data (the test builds consistent tables)
    for total, members in equations:
        assert values[total] == sum(values[m] for m in members)
    assert recoverable(np.array(unknown), equations) == []


wres_1_tables = st.fixed_dictionaries(
    {
        org: st.dictionaries(
            st.sampled_from(["clinical:Band 5", "clinical:Band 6", "non_clinical:Band 3"]),
            st.tuples(
                st.integers(0, 40),
                st.one_of(st.integers(0, 12), st.integers(0, 40)),
                st.integers(0, 9),
            ),
            min_size=1,
        )
        for org in ("RAA", "RBB", "RCC")
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=wres_1_tables, threshold=st.integers(2, 12))
def test_indicator_tables_never_let_a_suppressed_count_be_recovered(counts, threshold):
    frame = frame_of(wres_1_rows(counts))
    out = apply_disclosure_control(
        frame, icb_code=ICB, settings=DisclosureSettings(min_count=threshold)
    )
    hidden = out.get_column("suppressed")
    # (a) every row with a count from 1 to threshold - 1 (numerator or band headcount) is hidden
    for column in ("numerator", "denominator"):
        small = frame.get_column(column).is_between(1, threshold - 1)
        assert hidden.filter(small).all()
    # (b) nothing suppressed can be worked out from the published rows
    assert_nothing_recoverable(frame, out)
    # (c) a suppressed value is null, never zero, and so are its counts and interval
    for column in ("numerator", "denominator", "value", "ci_lower", "ci_upper"):
        assert out.filter(hidden).get_column(column).null_count() == hidden.sum()
    assert (out.filter(hidden).get_column("note") == "suppressed").all()
    # (d) published rows keep their values
    kept = out.filter(~hidden).drop("suppressed", "suppression_reason")
    assert kept.equals(frame.filter(~hidden))
    assert out.filter(~hidden).get_column("suppression_reason").null_count() == (~hidden).sum()


def test_a_larger_realistic_table_is_controlled_quickly():
    rng = random.Random(11)
    bands = [f"clinical:Band {b}" for b in range(2, 10)] + [
        f"non_clinical:Band {b}" for b in range(2, 10)
    ]
    counts = {
        f"R{t:02d}": {
            band: (rng.randint(0, 200), rng.randint(0, 30), rng.randint(0, 15)) for band in bands
        }
        for t in range(8)
    }
    frame = frame_of(wres_1_rows(counts))
    out = apply_disclosure_control(frame, icb_code=ICB)
    assert_nothing_recoverable(frame, out)
    assert out.get_column("suppressed").any()
