"""Small fake ``system_comparison`` and ``hia_scorecard`` frames for the report
and board-pack tests: 3 trusts x 2 years x 4 headline metrics (one per family).

Hostile on purpose: one trust's name holds ``<script>alert(1)</script>``, one
group label starts with ``=`` (a spreadsheet formula) and one headline with
``@``; some rows are suppressed. ``SECRETS`` are the true values behind the
suppressed rows: they must never appear in anything published. With
``leak=True`` the suppressed rows keep those values in ``value`` (a badly
formed input), to check that the report and board pack hide them anyway.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from edi_platform.config import DisclosureSettings, IcsConfig, Trust
from edi_platform.publish.funnel import control_limits

YEARS = ("2022-23", "2023-24")
MALICIOUS_NAME = "<script>alert(1)</script> Hospitals NHS Trust"
FORMULA_GROUP = "=SUM(A1:A9)"
CONFIG = IcsConfig(
    icb_code="QXX",
    icb_name="NHS Example ICB",
    reporting_years=YEARS,
    trusts=(
        Trust("RXA", "Alpha Acute NHS Trust", "acute"),
        Trust("RXB", MALICIOUS_NAME, "mental_health"),
        Trust("RXC", "Gamma Community NHS Trust", "community"),
    ),
    disclosure=DisclosureSettings(min_count=10, min_survey_responses=11),
)

# (org_code, metric_id, year) -> true value of a suppressed row
SECRETS = {
    ("RXC", "wres_2", "2023-24"): 87.6543,
    ("RXA", "pay_gap_median_sex", "2022-23"): 43.2109,
}

METRICS = (
    # metric_id, family, headline, breakdown, group, unit, direction, kind, hia
    (
        "wres_2",
        "WRES",
        "Relative likelihood of being appointed from shortlisting",
        "ethnicity",
        FORMULA_GROUP,
        "percent",
        "higher_is_better",
        "proportion",
        "HIA 2",
    ),
    (
        "wdes_2",
        "WDES",
        "@Relative likelihood of disabled staff being appointed",
        "disability",
        "Disabled",
        "ratio",
        "towards_parity",
        "ratio",
        "HIA 2",
    ),
    (
        "pay_gap_median_sex",
        "Pay gaps",
        "Median hourly pay gap by sex",
        "sex",
        "Female",
        "percent",
        "towards_zero",
        None,
        "HIA 3",
    ),
    (
        "va_incident_rate",
        "Violence",
        "Violence incidents per 1,000 WTE",
        "all",
        "All staff",
        "per_1000_wte",
        "lower_is_better",
        "rate",
        "HIA 6",
    ),
)
HIA_TITLES = {
    "HIA 2": "Embed fair and inclusive recruitment",
    "HIA 3": "Eliminate pay gaps",
    "HIA 6": "Create an environment that eliminates bullying and violence",
}


def _position(value, limits) -> str:
    if value > limits["upper_998"]:
        return "above_99.8"
    if value > limits["upper_95"]:
        return "above_95"
    if value < limits["lower_998"]:
        return "below_99.8"
    if value < limits["lower_95"]:
        return "below_95"
    return "within"


def _rows(leak: bool) -> list[dict]:
    rng = np.random.default_rng(7)
    rows = []
    sizes = {"RXA": 900, "RXB": 400, "RXC": 150}
    for year in YEARS:
        for metric_id, family, headline, breakdown, group, unit, direction, kind, _ in METRICS:
            if kind == "proportion":
                probs = {"RXA": 0.55, "RXB": 0.40, "RXC": 0.62}
                nums = {o: int(round(sizes[o] * probs[o] + rng.integers(-5, 5))) for o in sizes}
                ics = 100 * sum(nums.values()) / sum(sizes.values())
            elif kind == "rate":
                nums = {o: int(sizes[o] * (0.03 + 0.01 * i)) for i, o in enumerate(sizes)}
                ics = 1000 * sum(nums.values()) / sum(sizes.values())
            else:
                nums = {o: None for o in sizes}
                ics = 1.31 if kind == "ratio" else 8.25
            for i, org in enumerate(sizes):
                n = sizes[org]
                if kind == "proportion":
                    value = 100 * nums[org] / n
                    half = 196 * np.sqrt(value / 100 * (1 - value / 100) / n)
                    limits = control_limits("proportion", ics, [n], multiplier=100).row(
                        0, named=True
                    )
                elif kind == "rate":
                    value = 1000 * nums[org] / n
                    half = 1960 * np.sqrt(nums[org]) / n
                    limits = control_limits("rate", ics, [n], multiplier=1000).row(0, named=True)
                elif kind == "ratio":
                    value = float(np.round([1.05, 1.92, 1.27][i] + 0.03 * YEARS.index(year), 4))
                    se = 0.5 / np.sqrt(n / 100)
                    half = None
                    limits = control_limits("ratio", ics, [se]).row(0, named=True)
                else:
                    value = float(np.round([6.5, 9.1, 11.4][i] + 0.2 * YEARS.index(year), 4))
                    half = 1.5
                    limits = None
                if kind == "ratio":
                    lower, upper = value * np.exp(-1.96 * se), value * np.exp(1.96 * se)
                else:
                    lower, upper = value - half, value + half
                secret = SECRETS.get((org, metric_id, year))
                suppressed = secret is not None
                row = {
                    "org_code": org,
                    "org_name": CONFIG.trust(org).name,
                    "reporting_year": year,
                    "family": family,
                    "metric_id": metric_id,
                    "headline": headline,
                    "breakdown": breakdown,
                    "group": group,
                    "unit": unit,
                    "direction": direction,
                    "value": float(value),
                    "ci_lower": float(lower),
                    "ci_upper": float(upper),
                    "numerator": float(nums[org]) if nums[org] is not None else None,
                    "denominator": float(n) if kind in ("proportion", "rate") else None,
                    "ics_value": float(ics),
                    "funnel_kind": kind,
                    "z_score": None,
                    "lower_95": limits["lower_95"] if limits else None,
                    "upper_95": limits["upper_95"] if limits else None,
                    "lower_998": limits["lower_998"] if limits else None,
                    "upper_998": limits["upper_998"] if limits else None,
                    "position": _position(value, limits) if limits else "not_applicable",
                    "overdispersion_adjusted": False,
                    "last_value": None,
                    "change": None,
                    "change_judgement": "not_comparable",
                    "suppressed": suppressed,
                }
                if limits:
                    row["z_score"] = float((value - ics) / max(abs(upper - lower) / 3.92, 1e-9))
                if suppressed:
                    keep = {"value": secret} if leak else {}
                    row.update(
                        {
                            "value": None,
                            "ci_lower": None,
                            "ci_upper": None,
                            "numerator": None,
                            "denominator": None,
                            "z_score": None,
                            "position": "not_applicable",
                            **keep,
                        }
                    )
                rows.append(row)
    # last year's values and a change judgement for the second year
    by_key = {(r["org_code"], r["metric_id"], r["reporting_year"]): r for r in rows}
    for r in rows:
        if r["reporting_year"] != YEARS[1]:
            continue
        last = by_key[(r["org_code"], r["metric_id"], YEARS[0])]
        if last["suppressed"] or r["suppressed"]:
            continue
        r["last_value"] = last["value"]
        r["change"] = r["value"] - last["value"]
        r["change_judgement"] = "held"
    return rows


SCHEMA = {
    "org_code": pl.String,
    "org_name": pl.String,
    "reporting_year": pl.String,
    "family": pl.String,
    "metric_id": pl.String,
    "headline": pl.String,
    "breakdown": pl.String,
    "group": pl.String,
    "unit": pl.String,
    "direction": pl.String,
    "value": pl.Float64,
    "ci_lower": pl.Float64,
    "ci_upper": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "ics_value": pl.Float64,
    "funnel_kind": pl.String,
    "z_score": pl.Float64,
    "lower_95": pl.Float64,
    "upper_95": pl.Float64,
    "lower_998": pl.Float64,
    "upper_998": pl.Float64,
    "position": pl.String,
    "overdispersion_adjusted": pl.Boolean,
    "last_value": pl.Float64,
    "change": pl.Float64,
    "change_judgement": pl.String,
    "suppressed": pl.Boolean,
}


def system_comparison(leak: bool = False) -> pl.DataFrame:
    return pl.DataFrame(_rows(leak), schema=SCHEMA)


def hia_scorecard(leak: bool = False) -> pl.DataFrame:
    comparison = system_comparison(leak)
    hia_of = {m[0]: m[8] for m in METRICS}
    rows = []
    for r in comparison.iter_rows(named=True):
        rows.append(
            {
                **{k: r[k] for k in ("org_code", "org_name", "reporting_year", "family")},
                "hia": hia_of[r["metric_id"]],
                "hia_title": HIA_TITLES[hia_of[r["metric_id"]]],
                **{k: r[k] for k in ("metric_id", "headline", "breakdown", "group", "value")},
                "ci_lower": r["ci_lower"],
                "ci_upper": r["ci_upper"],
                "last_value": r["last_value"],
                "judgement": r["change_judgement"],
                "direction": r["direction"],
                "suppressed": r["suppressed"],
            }
        )
    system = comparison.filter(pl.col("org_code") == "RXA")
    for r in system.iter_rows(named=True):
        rows.append(
            {
                "org_code": CONFIG.icb_code,
                "org_name": CONFIG.icb_name,
                "reporting_year": r["reporting_year"],
                "family": r["family"],
                "hia": hia_of[r["metric_id"]],
                "hia_title": HIA_TITLES[hia_of[r["metric_id"]]],
                **{k: r[k] for k in ("metric_id", "headline", "breakdown", "group")},
                "value": r["ics_value"],
                "ci_lower": None,
                "ci_upper": None,
                "last_value": None,
                "judgement": "not_comparable",
                "direction": r["direction"],
                "suppressed": False,
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def secret_strings() -> list[str]:
    """Every way a suppressed true value could be printed."""
    out = []
    for value in SECRETS.values():
        out += [f"{value:.1f}", f"{value:.2f}", f"{value:.3f}", f"{value:.4f}", repr(value)]
    return out
