"""``publish.system_comparison`` and ``publish.hia_scorecard`` (metrics.md, "Published layer").

Order matters, and is the point of this module:

1. disclosure control runs on every mart row that is *published*, whole
   years at a time, and only then are the headline rows cut from the
   controlled table. Published means a headline's own rows and the rows a
   derived headline is computed from (the two groups of a relative
   likelihood, board and workforce for a representation difference, the
   compared groups of a pay gap), whose counts the funnel limits reveal. Rows that never leave the marts (a band's White or Unknown
   headcount, say) are *unpublished* cells to the disclosure module: a small
   count there is nobody's to recover, because no published figure holds it
   alone, so it must not cost a trust its headline (metrics.md suppresses
   what "could be recovered by difference from a published total");
2. the Band 8c-and-above roll-up is summed from the raw band rows and added
   to the table *before* control, with the relation "roll-up = sum of its
   bands" declared, so control suppresses it (or a second band) whenever a
   suppressed band could otherwise be recovered by difference;
3. funnels place each trust around the ICS value, from controlled counts
   only (a suppressed trust is not placed, so its limits cannot leak its size);
4. change since last year is judged on the controlled values.

Trusts are compared by funnel position, never ranked: there is no rank column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import duckdb
import polars as pl

from edi_platform.config import IcsConfig
from edi_platform.marts import MARTS
from edi_platform.publish.change import change_since_last_year
from edi_platform.publish.disclosure import (
    DEFAULT_LAYOUTS,
    BreakdownPartition,
    MetricLayout,
    apply_disclosure_control,
)
from edi_platform.publish.funnel import NOT_APPLICABLE, funnel_positions
from edi_platform.publish.headlines import (
    HEADLINES,
    HIA_TITLES,
    SENIOR_BANDS,
    SENIOR_BREAKDOWN,
    Headline,
)

SYSTEM_COMPARISON_COLUMNS: tuple[str, ...] = (
    "org_code", "org_name", "reporting_year", "family", "metric_id", "headline", "breakdown",
    "group", "unit", "direction", "value", "ci_lower", "ci_upper", "numerator", "denominator",
    "ics_value", "funnel_kind", "z_score", "lower_95", "upper_95", "lower_998", "upper_998",
    "position", "overdispersion_adjusted", "last_value", "change", "change_judgement",
    "suppressed",
)  # fmt: skip

HIA_SCORECARD_COLUMNS: tuple[str, ...] = (
    "org_code", "org_name", "reporting_year", "hia", "hia_title", "family", "metric_id",
    "headline", "breakdown", "group", "value", "ci_lower", "ci_upper", "last_value",
    "judgement", "direction", "suppressed",
)  # fmt: skip

_LONG = ("org_code", "reporting_year", "metric_id", "breakdown", "group", "numerator",
         "denominator", "value", "unit", "ci_lower", "ci_upper", "note")  # fmt: skip
_FUNNEL_BY = ["reporting_year", "metric_id", "breakdown", "group"]
_FUNNEL_OUT = ["z_score", "lower_95", "upper_95", "lower_998", "upper_998", "position",
               "overdispersion_adjusted"]  # fmt: skip
_Z95 = 1.959963984540054
# The groups a pay gap compares; 'Unknown' is not part of any gap.
_SENIOR_METRICS = ("wres_1", "wdes_1")
_DERIVED_GROUPS = ("relative_likelihood", "difference", "gap")
_PAY_GAP_MEASURES = ("mean_hourly_gap_pct", "median_hourly_gap_pct")


def load_marts(source: Mapping[str, pl.DataFrame] | duckdb.DuckDBPyConnection) -> dict:
    """The four marts as polars frames, from a dict or a (read-only) warehouse connection."""
    if isinstance(source, Mapping):
        return {name: source[name] for name in MARTS}
    return {name: source.sql(f"select * from marts.{name}").pl() for name in MARTS}


# --- 1. the long, controlled table --------------------------------------------------------


def _long(frame: pl.DataFrame) -> pl.DataFrame:
    # Counts are integers in some marts and WTE-weighted floats in others: one dtype to concat.
    return frame.select(_LONG).with_columns(pl.col("numerator", "denominator").cast(pl.Float64))


def pay_gaps_long(pay_gaps: pl.DataFrame) -> pl.DataFrame:
    """Pay gaps in the indicator shape, so disclosure control can treat them as the rest.

    As the disclosure module suggests: per characteristic and measure, one row
    per compared group with its headcount as denominator, plus the ``gap`` row
    (no counts, so ``derived``: hidden whenever a compared group is small).
    """
    overall = pay_gaps.filter(pl.col("breakdown") == "overall")
    metric_id = pl.format("pay_{}_gap_{}", pl.col("measure").str.replace("_gap_pct", ""),
                          pl.col("characteristic"))  # fmt: skip
    gaps = overall.filter(pl.col("measure").is_in(_PAY_GAP_MEASURES)).select(
        "org_code", "reporting_year", "characteristic", "measure", metric_id.alias("metric_id"),
        pl.lit("overall").alias("breakdown"), pl.col("group"),
        pl.lit(None, dtype=pl.Float64).alias("numerator"),
        pl.lit(None, dtype=pl.Float64).alias("denominator"),
        pl.col("value").cast(pl.Float64), pl.col("unit"),
        pl.lit(None, dtype=pl.Float64).alias("ci_lower"),
        pl.lit(None, dtype=pl.Float64).alias("ci_upper"), pl.col("note"),
    )  # fmt: skip
    headcounts = overall.filter(
        (pl.col("measure") == "headcount") & (pl.col("group") != "Unknown")
    ).select(
        "org_code", "reporting_year", "characteristic", "group",
        pl.col("value").cast(pl.Float64).alias("denominator"),
    )  # fmt: skip
    groups = gaps.select(
        "org_code", "reporting_year", "characteristic", "measure", "metric_id", "breakdown"
    ).join(headcounts, on=["org_code", "reporting_year", "characteristic"])
    group_rows = groups.select(
        "org_code", "reporting_year", "metric_id", "breakdown", "group",
        pl.lit(None, dtype=pl.Float64).alias("numerator"), "denominator",
        pl.lit(None, dtype=pl.Float64).alias("value"), pl.lit("count").alias("unit"),
        pl.lit(None, dtype=pl.Float64).alias("ci_lower"),
        pl.lit(None, dtype=pl.Float64).alias("ci_upper"),
        pl.lit(None, dtype=pl.String).alias("note"),
    )  # fmt: skip
    return pl.concat([gaps.select(_LONG), group_rows], how="vertical_relaxed")


def _layouts(frame: pl.DataFrame) -> dict[str, MetricLayout]:
    pay_ids = frame.filter(pl.col("metric_id").str.starts_with("pay_"))["metric_id"].unique()
    # A pay gap's group headcounts add up across trusts to the system's, like any count.
    senior = {metric: _with_senior_partition(DEFAULT_LAYOUTS[metric]) for metric in _SENIOR_METRICS}
    return {**DEFAULT_LAYOUTS, **senior, **{metric: MetricLayout() for metric in pay_ids}}


def published_row_filter() -> pl.Expr:
    """True for the mart rows the published layer shows or derives a headline from."""
    conditions = []
    for headline in HEADLINES:
        same = (pl.col("metric_id") == headline.metric_id) & (
            pl.col("breakdown") == headline.breakdown
        )
        # A derived headline (a ratio, a difference, a gap) is computed from every
        # other group of its metric and breakdown; a plain one shows its own group.
        derived = headline.group in _DERIVED_GROUPS
        conditions.append(same if derived else same & (pl.col("group") == headline.group))
    return pl.any_horizontal(conditions)


def controlled_marts(marts: Mapping[str, pl.DataFrame], config: IcsConfig) -> pl.DataFrame:
    """The published mart rows, disclosure-controlled year by year (suppressed values null)."""
    frames = [_long(marts[name]) for name in MARTS if name != "pay_gaps"]
    frames = [
        pl.concat(
            [frame, *[_long(senior_rollup(frame, m)) for m in _SENIOR_METRICS]],
            how="vertical_relaxed",
        )
        for frame in frames
    ]
    frames.append(_long(pay_gaps_long(marts["pay_gaps"])))
    published = published_row_filter()
    frames = [frame.filter(published) for frame in frames]
    controlled = []
    for frame in frames:
        layouts = _layouts(frame)
        for year_frame in frame.partition_by("reporting_year", maintain_order=True):
            controlled.append(
                apply_disclosure_control(
                    year_frame,
                    icb_code=config.icb_code,
                    settings=config.disclosure,
                    layouts=layouts,
                )
            )
    return pl.concat(controlled, how="vertical_relaxed").drop("suppression_reason")


# --- 2. headline rows ----------------------------------------------------------------------


def _wilson(x: pl.Expr, n: pl.Expr, scale: float, upper: bool) -> pl.Expr:
    p = x / n
    centre = p + _Z95**2 / (2 * n)
    spread = _Z95 * (p * (1 - p) / n + _Z95**2 / (4 * n**2)).sqrt()
    bound = (centre + spread) if upper else (centre - spread)
    return pl.when(n > 0).then(bound / (1 + _Z95**2 / n) * scale).otherwise(None)


def senior_rollup(mart: pl.DataFrame, metric_id: str) -> pl.DataFrame:
    """Each group's share at Band 8c and above: the clinical and non-clinical bands summed.

    Built from the *uncontrolled* band rows, so that disclosure control sees the
    roll-up as a cell of its own, tied to its bands by ``senior_partition``.
    """
    bands = mart.filter(
        (pl.col("metric_id") == metric_id) & pl.col("breakdown").is_in(SENIOR_BANDS)
    )
    summed = bands.group_by("org_code", "reporting_year", "group").agg(
        pl.col("numerator").cast(pl.Float64).sum(),
        # denominator_scope 'breakdown': every group row of a band shows the band's headcount.
        pl.col("denominator").cast(pl.Float64).sum(),
        pl.col("unit").first(),
    )
    x, n = pl.col("numerator"), pl.col("denominator")
    return summed.select(
        "org_code", "reporting_year", pl.lit(metric_id).alias("metric_id"),
        pl.lit(SENIOR_BREAKDOWN).alias("breakdown"), "group", x, n,
        pl.when(n > 0).then(x / n * 100).otherwise(None).alias("value"),
        "unit",
        _wilson(x, n, 100, False).alias("ci_lower"),
        _wilson(x, n, 100, True).alias("ci_upper"),
        pl.lit(None, dtype=pl.String).alias("note"),
    )  # fmt: skip


def _with_senior_partition(layout: MetricLayout) -> MetricLayout:
    # The roll-up is the sum of its bands: without this relation a suppressed band
    # count could be recovered as roll-up minus the published bands.
    senior = BreakdownPartition(whole=SENIOR_BREAKDOWN, parts=SENIOR_BANDS)
    return replace(layout, breakdown_partitions=(*layout.breakdown_partitions, senior))


def _ratio_counts(controlled: pl.DataFrame, headline: Headline) -> pl.DataFrame:
    """The two groups' counts behind a relative likelihood, as funnel comparison counts."""
    first, second = headline.ratio_groups
    rows = controlled.filter(
        (pl.col("metric_id") == headline.metric_id) & (pl.col("breakdown") == headline.breakdown)
    )
    keys = ["org_code", "reporting_year"]

    def counts(group: str, suffix: str) -> pl.DataFrame:
        return rows.filter(pl.col("group") == group).select(
            *keys,
            pl.col("numerator").alias(f"events_{suffix}"),
            pl.col("denominator").alias(f"population_{suffix}"),
        )

    return counts(first, "1").join(counts(second, "2"), on=keys, how="full", coalesce=True)


def headline_rows(controlled: pl.DataFrame) -> pl.DataFrame:
    """The headline rows of every org (trusts and system), with the catalogue's columns."""
    parts = []
    for headline in HEADLINES:
        rows = controlled.filter(
            (pl.col("metric_id") == headline.metric_id)
            & (pl.col("breakdown") == headline.breakdown)
            & (pl.col("group") == headline.group)
        )
        if headline.ratio_groups:
            rows = rows.join(
                _ratio_counts(controlled, headline), on=["org_code", "reporting_year"], how="left"
            )
        else:
            rows = rows.with_columns(
                pl.lit(None, dtype=pl.Float64).alias(name)
                for name in ("events_1", "population_1", "events_2", "population_2")
            )
        parts.append(
            rows.select(
                pl.lit(headline.family).alias("family"),
                pl.lit(headline.label).alias("headline"),
                pl.lit(headline.direction).alias("direction"),
                pl.lit(headline.funnel_kind, dtype=pl.String).alias("funnel_kind"),
                pl.lit(headline.hia, dtype=pl.String).alias("hia"),
                *_LONG,
                "suppressed",
                "events_1",
                "population_1",
                "events_2",
                "population_2",
            )  # fmt: skip
        )
    return pl.concat(parts, how="vertical_relaxed")


# --- 3. funnels ------------------------------------------------------------------------------


def _multiplier(kind: str, unit: str | None) -> float:
    if kind == "rate":
        return 1000.0
    return 100.0 if unit == "percent" else 1.0


def _place(trusts: pl.DataFrame) -> pl.DataFrame:
    """Funnel columns for the trusts' rows, one funnel per year, metric, breakdown and group."""
    placed = []
    for (kind, unit), rows in trusts.group_by("funnel_kind", "unit", maintain_order=True):
        if kind is None:
            placed.append(
                rows.with_columns(
                    *[pl.lit(None, dtype=pl.Float64).alias(c) for c in _FUNNEL_OUT[:5]],
                    pl.lit(NOT_APPLICABLE).alias("position"),
                    pl.lit(False).alias("overdispersion_adjusted"),
                )
            )
            continue
        funnel = funnel_positions(
            rows.with_columns(pl.lit(None, dtype=pl.Float64).alias("standard_error")),
            kind,
            by=_FUNNEL_BY,
            target="ics_value",
            multiplier=_multiplier(kind, unit),
        )
        placed.append(funnel.select(*rows.columns, *_FUNNEL_OUT))
    if not placed:
        return trusts.with_columns(
            *[pl.lit(None, dtype=pl.Float64).alias(c) for c in _FUNNEL_OUT[:5]],
            pl.lit(None, dtype=pl.String).alias("position"),
            pl.lit(None, dtype=pl.Boolean).alias("overdispersion_adjusted"),
        )
    frame = pl.concat(placed, how="vertical_relaxed")
    # Belt and braces: a suppressed row carries no limits (they depend on its size).
    hidden = pl.col("suppressed")
    return frame.with_columns(
        *[pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in _FUNNEL_OUT[:5]],
        pl.when(hidden).then(pl.lit(NOT_APPLICABLE)).otherwise("position").alias("position"),
        pl.col("overdispersion_adjusted").fill_null(False) & ~hidden,
    )


# --- the two tables ---------------------------------------------------------------------------


def _org_names(config: IcsConfig) -> pl.DataFrame:
    names = {trust.org_code: trust.name for trust in config.trusts} | {
        config.icb_code: config.icb_name
    }
    return pl.DataFrame(
        {"org_code": list(names), "org_name": list(names.values())},
        schema={"org_code": pl.String, "org_name": pl.String},
    )


def published_headlines(
    marts: Mapping[str, pl.DataFrame] | duckdb.DuckDBPyConnection, config: IcsConfig
) -> pl.DataFrame:
    """Controlled headline rows of every org (trusts and system) with the change since last year."""
    rows = headline_rows(controlled_marts(load_marts(marts), config))
    rows = change_since_last_year(rows).drop("last_ci_lower", "last_ci_upper")
    system = rows.filter(pl.col("org_code") == config.icb_code).select(
        *_FUNNEL_BY, pl.col("value").alias("ics_value")
    )
    return rows.join(system, on=_FUNNEL_BY, how="left", nulls_equal=True).join(
        _org_names(config), on="org_code", how="left"
    )


def build_system_comparison(
    marts: Mapping[str, pl.DataFrame] | duckdb.DuckDBPyConnection,
    config: IcsConfig,
    *,
    headlines: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per trust x year x headline: the trust against the ICS (module docstring)."""
    rows = published_headlines(marts, config) if headlines is None else headlines
    trusts = rows.filter(pl.col("org_code") != config.icb_code)
    return (
        _place(trusts)
        .select(SYSTEM_COMPARISON_COLUMNS)
        .sort("reporting_year", "family", "metric_id", "group", "org_code")
    )


def _judgement(change_judgement: pl.Expr) -> pl.Expr:
    # 'changed' (a real change, equally far from the best value on both sides) is no
    # movement towards or away from the goal: the scorecard shows it as held.
    return change_judgement.replace({"changed": "held"})


def build_hia_scorecard(system_comparison: pl.DataFrame, system_rows: pl.DataFrame) -> pl.DataFrame:
    """Per trust and for the system: each HIA's metrics and whether each improved since last year.

    system_rows: the ICS rows of ``published_headlines`` (org_code = ICB code).
    """
    hia_of = pl.DataFrame(
        {
            "metric_id": [h.metric_id for h in HEADLINES if h.hia],
            "hia": [h.hia for h in HEADLINES if h.hia],
        }
    ).unique()
    titles = pl.DataFrame({"hia": list(HIA_TITLES), "hia_title": list(HIA_TITLES.values())})
    columns = [c for c in HIA_SCORECARD_COLUMNS if c not in ("hia", "hia_title", "judgement")]
    both = pl.concat(
        [frame.select(*columns, "change_judgement") for frame in (system_comparison, system_rows)],
        how="vertical_relaxed",
    )
    return (
        both.join(hia_of, on="metric_id")
        .join(titles, on="hia", how="left")
        .with_columns(_judgement(pl.col("change_judgement")).alias("judgement"))
        .select(HIA_SCORECARD_COLUMNS)
        .sort("reporting_year", "hia", "metric_id", "group", "org_code")
    )


def build_published_tables(
    marts: Mapping[str, pl.DataFrame] | duckdb.DuckDBPyConnection, config: IcsConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(system_comparison, hia_scorecard) from the marts, controlled once."""
    rows = published_headlines(marts, config)
    comparison = build_system_comparison(marts, config, headlines=rows)
    system = rows.filter(pl.col("org_code") == config.icb_code)
    return comparison, build_hia_scorecard(comparison, system)


__all__ = [
    "HIA_SCORECARD_COLUMNS",
    "SYSTEM_COMPARISON_COLUMNS",
    "build_hia_scorecard",
    "build_published_tables",
    "build_system_comparison",
]
