"""publish.system_comparison and publish.hia_scorecard: shape, disclosure control, funnels, change.

A hand-made mart of three trusts and their system for two years. The publish
assets end to end on a generated ICS, with every published file read back, are
in test_published_files.py.
"""

from __future__ import annotations

import polars as pl
import pytest

from edi_platform.config import parse_config
from edi_platform.paths import DataPaths
from edi_platform.publish.files import defuse_formulas, write_table
from edi_platform.publish.funnel import NOT_APPLICABLE, POSITIONS
from edi_platform.publish.system_comparison import (
    HIA_SCORECARD_COLUMNS,
    MARTS,
    SYSTEM_COMPARISON_COLUMNS,
    build_published_tables,
)

ICB = "QZZ"
CONFIG = parse_config(
    {
        "icb_code": ICB,
        "icb_name": "Synthetic ICB",
        "reporting_years": ["2022-23", "2023-24"],
        "trusts": [
            {"org_code": "RT1", "name": "=Trust One", "type": "acute"},
            {"org_code": "RT2", "name": "Trust Two", "type": "acute"},
            {"org_code": "RT3", "name": "Trust Three", "type": "community"},
        ],
    }
)
LONG_SCHEMA = {
    "org_code": pl.String, "reporting_year": pl.String, "metric_id": pl.String,
    "breakdown": pl.String, "group": pl.String, "numerator": pl.Int64,
    "denominator": pl.Int64, "value": pl.Float64, "unit": pl.String,
    "ci_lower": pl.Float64, "ci_upper": pl.Float64, "note": pl.String,
}  # fmt: skip
PAY_SCHEMA = {
    "org_code": pl.String, "reporting_year": pl.String, "characteristic": pl.String,
    "breakdown": pl.String, "measure": pl.String, "group": pl.String, "quartile": pl.Int64,
    "value": pl.Float64, "unit": pl.String, "note": pl.String,
}  # fmt: skip

# (year, org) -> (White appointed, White shortlisted, BME appointed, BME shortlisted)
WRES_2 = {
    ("2022-23", "RT1"): (300, 1000, 150, 600),
    ("2022-23", "RT2"): (200, 800, 120, 500),
    ("2022-23", "RT3"): (100, 400, 40, 200),
    ("2023-24", "RT1"): (320, 1000, 200, 600),
    ("2023-24", "RT2"): (210, 800, 3, 500),  # a count of 3: must be suppressed
    ("2023-24", "RT3"): (90, 400, 45, 200),
}
# (year, org) -> (incidents, WTE)
INCIDENTS = {
    ("2022-23", "RT1"): (400, 5000.0),
    ("2022-23", "RT2"): (150, 3000.0),
    ("2022-23", "RT3"): (60, 1000.0),
    ("2023-24", "RT1"): (200, 5000.0),
    ("2023-24", "RT2"): (160, 3000.0),
    ("2023-24", "RT3"): (70, 1000.0),
}


def _row(org, year, metric, breakdown, group, x, n, value, unit, lo=None, hi=None) -> dict:
    return dict(
        org_code=org, reporting_year=year, metric_id=metric, breakdown=breakdown, group=group,
        numerator=x, denominator=n, value=value, unit=unit, ci_lower=lo, ci_upper=hi, note=None,
    )  # fmt: skip


def _with_system(counts: dict) -> dict:
    """Add the system row of each year: the trusts' counts pooled."""
    pooled = dict(counts)
    for year in {y for y, _ in counts}:
        rows = [v for (y, _), v in counts.items() if y == year]
        pooled[(year, ICB)] = tuple(sum(column) for column in zip(*rows, strict=True))
    return pooled


def _wres() -> pl.DataFrame:
    rows = []
    for (year, org), (a, n1, c, n2) in _with_system(WRES_2).items():
        p1, p2 = a / n1, c / n2
        rows += [
            _row(org, year, "wres_2", "overall", "White", a, n1, p1, "proportion", p1 - 0.03, p1 + 0.03),
            _row(org, year, "wres_2", "overall", "BME", c, n2, p2, "proportion", p2 - 0.03, p2 + 0.03),
            _row(org, year, "wres_2", "overall", "relative_likelihood", None, None, p1 / p2,
                 "ratio", p1 / p2 * 0.8, p1 / p2 * 1.25),
        ]  # fmt: skip
    return pl.DataFrame(rows, schema=LONG_SCHEMA)


def _violence() -> pl.DataFrame:
    rows = []
    for (year, org), (events, wte) in _with_system(INCIDENTS).items():
        rate = events / wte * 1000
        rows.append(
            _row(org, year, "va_incidents_per_1000_wte", "overall", "all", events, wte, rate,
                 "per_1000_wte", rate * 0.9, rate * 1.1)
        )  # fmt: skip
    schema = LONG_SCHEMA | {"numerator": pl.Float64, "denominator": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def _marts() -> dict[str, pl.DataFrame]:
    return {
        "wres_indicators": _wres(),
        "wdes_metrics": pl.DataFrame(schema=LONG_SCHEMA),
        "violence_aggression": _violence(),
        "pay_gaps": pl.DataFrame(schema=PAY_SCHEMA),
    }


@pytest.fixture(scope="module")
def tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    return build_published_tables(_marts(), CONFIG)


def _one(frame: pl.DataFrame, org: str, year: str, metric: str) -> dict:
    rows = frame.filter(
        (pl.col("org_code") == org)
        & (pl.col("reporting_year") == year)
        & (pl.col("metric_id") == metric)
    )
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_the_tables_have_exactly_the_published_columns(tables):
    comparison, scorecard = tables
    assert tuple(comparison.columns) == SYSTEM_COMPARISON_COLUMNS
    assert tuple(scorecard.columns) == HIA_SCORECARD_COLUMNS
    assert "rank" not in " ".join(comparison.columns)
    # one row per trust x year x headline; trusts only in the comparison
    assert comparison.height == 3 * 2 * 2
    assert ICB not in comparison["org_code"].to_list()
    assert comparison.select("org_code", "reporting_year", "metric_id").is_unique().all()
    assert comparison["suppressed"].dtype == pl.Boolean
    # the scorecard has the system beside the trusts (va incidents: HIA 6; wres_2: HIA 2)
    assert set(scorecard["org_code"]) == {"RT1", "RT2", "RT3", ICB}
    assert set(scorecard["hia"]) == {"HIA 2", "HIA 6"}
    assert scorecard["hia_title"].null_count() == 0


def test_a_small_count_is_suppressed_with_a_null_value_never_a_zero(tables):
    comparison, scorecard = tables
    small = _one(comparison, "RT2", "2023-24", "wres_2")
    assert small["suppressed"] is True
    for column in ("value", "ci_lower", "ci_upper", "numerator", "denominator", "z_score",
                   "lower_95", "upper_95", "change"):  # fmt: skip
        assert small[column] is None, column
    # last year's value was published last year: showing it again reveals nothing
    assert small["last_value"] == pytest.approx(
        120 / 800 / (150 / 600) * 0 + (200 / 800) / (120 / 500)
    )
    assert small["position"] == NOT_APPLICABLE
    assert small["change_judgement"] == "not_comparable"
    # secondary suppression: with RT2 hidden, the system total would give it away
    # unless a second cell of the same total is hidden too
    hidden = comparison.filter(
        (pl.col("reporting_year") == "2023-24") & (pl.col("metric_id") == "wres_2")
    )["suppressed"].sum()
    system = _one(scorecard, ICB, "2023-24", "wres_2")
    assert hidden >= 2 or system["suppressed"]
    assert _one(scorecard, "RT2", "2023-24", "wres_2")["value"] is None


def test_no_published_count_is_between_1_and_9(tables):
    for frame in tables:
        for column in ("numerator", "denominator"):
            if column in frame.columns:
                values = frame.filter(~pl.col("suppressed"))[column].drop_nulls()
                assert not values.is_between(1, 9).any()


def test_funnel_positions_are_given_around_the_ics_value(tables):
    comparison, _ = tables
    shown = comparison.filter(~pl.col("suppressed"))
    assert set(shown["position"]).issubset(POSITIONS)
    rates = shown.filter(pl.col("metric_id") == "va_incidents_per_1000_wte")
    assert rates["position"].is_in([NOT_APPLICABLE]).not_().all()
    assert rates["z_score"].null_count() == 0
    first = _one(comparison, "RT1", "2022-23", "va_incidents_per_1000_wte")
    assert first["ics_value"] == pytest.approx(610 / 9000 * 1000)
    assert first["lower_95"] < first["ics_value"] < first["upper_95"]
    assert first["lower_998"] < first["lower_95"]
    # 80 per 1,000 against a system of 67.8: above it, and placed where its limits say
    # (the three trusts spread widely, so the limits may be widened for over-dispersion)
    assert first["z_score"] > 0
    outside = first["value"] > first["upper_95"]
    assert (first["position"] in ("above_95", "above_99.8")) == outside
    ratio = _one(comparison, "RT1", "2022-23", "wres_2")
    assert ratio["funnel_kind"] == "ratio" and ratio["position"] != NOT_APPLICABLE


def test_change_since_last_year_is_judged(tables):
    comparison, scorecard = tables
    first_year = comparison.filter(pl.col("reporting_year") == "2022-23")
    assert set(first_year["change_judgement"]) == {"not_comparable"}
    # RT1's incidents halved, intervals 10% either side: a real fall, lower is better
    halved = _one(comparison, "RT1", "2023-24", "va_incidents_per_1000_wte")
    assert halved["last_value"] == pytest.approx(80.0)
    assert halved["change"] == pytest.approx(-40.0)
    assert halved["change_judgement"] == "improved"
    assert _one(scorecard, "RT1", "2023-24", "va_incidents_per_1000_wte")["judgement"] == (
        "improved"
    )
    assert set(scorecard["judgement"]).issubset({"improved", "worsened", "held", "not_comparable"})


def test_files_defuse_formulas_but_keep_numbers(tmp_path):
    frame = pl.DataFrame({"name": ["=Trust", "+x", "-y", "@z", "ok"], "gap": [-3.5, 1, 2, 3, 4]})
    assert defuse_formulas(frame)["name"].to_list() == ["'=Trust", "'+x", "'-y", "'@z", "ok"]
    written = write_table(frame, tmp_path / "2023-24", "table")
    assert [p.name for p in written] == ["table.csv", "table.parquet"]
    text = (tmp_path / "2023-24" / "table.csv").read_text()
    assert "'=Trust" in text and ",-3.5" in text
    assert pl.read_parquet(written[1])["gap"].dtype == pl.Float64
    assert not list((tmp_path / "2023-24").glob(".*.tmp"))


def test_the_publish_assets_are_registered_after_the_marts(tmp_path, dbt_manifest):
    from dagster import AssetKey

    from assets.definitions import build_definitions
    from assets.jobs import PUBLISH_JOB

    defs = build_definitions(CONFIG, DataPaths(tmp_path))
    graph = defs.resolve_asset_graph()
    for name in ("system_comparison", "hia_scorecard"):
        node = graph.get(AssetKey(["publish", name]))
        assert node.group_name == "publish"
        assert {AssetKey(["marts", mart]) for mart in MARTS} <= set(node.parent_keys)
    assert defs.resolve_job_def(PUBLISH_JOB) is not None
