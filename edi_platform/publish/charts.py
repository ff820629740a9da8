"""Charts for the published report: funnel plots, interval plots and trends.

Each chart is built as a small scene of marks in data units (``svg.Scene``:
lines, points, rules across the plot, labels) and written as inline SVG by
``svg.render``, without a plotting library, so the report works offline: text is
drawn as glyph outlines (no ``<text>`` element, no font or script referenced),
and there is no XML prolog, metadata, comment or namespace URL. Element ids are
prefixed per chart (``id_prefix``) so several charts can share a page. The
layout follows the matplotlib charts these replaced (same sizes, 9 pt text).

Readable in print and for colour-blind readers: the Okabe-Ito palette, and
nothing is encoded by colour alone - funnel limits differ by line style
(dashed 95%, dotted 99.8%), trusts by marker shape, and each trust point is
labelled with its org code. Output is deterministic (no date, no random id).

API
---
``funnel_plot(rows, ics_value, kind, *, title="", unit="", fmt="svg", id_prefix="c")``
    one headline metric in one year: trusts (``rows``: a polars frame of
    ``system_comparison`` rows) as points against their size, the ICS value
    as a horizontal line and the 95% / 99.8% limits drawn with
    ``funnel.control_limits``. Suppressed rows and rows without a funnel
    position are not plotted. Returns an SVG string (``fmt`` is "svg": there is
    no PNG any more; to show a chart as an image, use the SVG as a data URI).
``interval_plot(rows, ics_value, *, title="", unit="", ...)``
    for metrics with no funnel (pay gaps, board-minus-workforce differences):
    each trust's value with its 95% interval, and the ICS value.
``trend_plot(rows, *, title="", unit="", ...)``
    values across reporting years per trust and the ICS (from ``ics_value``).
``funnel_scene``, ``interval_scene``, ``trend_scene``
    the same charts as scenes, before rendering: what the tests inspect (which
    trusts are named, legend entries, where points go).
``funnel_size(rows, kind, multiplier)``
    the x coordinate each trust is drawn at (denominator, exposure, or
    precision 1 / standard error for ratios and differences).

Systems of more than ``NAMED_TRUSTS`` trusts (a region, or all of England) cannot
have a colour, marker, legend entry and label per trust: their charts draw every
trust alike, name only the trusts outside the 99.8% limits (funnels), rank trusts
by value (intervals) and draw trusts as thin grey lines under the ICS line
(trends). The report's tables still name every trust. Drawing 210 trusts one by
one took minutes per report (docs/performance.md).
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import polars as pl
from scipy import stats

from edi_platform.publish.funnel import control_limits
from edi_platform.publish.svg import Axis, Label, Lines, Marker, Points, Rule, Scene, Stroke, render

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
# The most trusts a chart names one by one; an ICS has up to about fifteen.
NAMED_TRUSTS = 15
MANY_COLOUR = "#0072B2"
MANY_LINE_COLOUR = "#999999"
ICS_COLOUR = "#000000"
LIMIT_COLOUR = "#555555"
Z_975 = float(stats.norm.ppf(0.975))
EMPTY_NOTE = "No trust values to show (suppressed or not available)"
TITLE_WIDTH = 70  # characters a title line holds, so long titles do not widen the chart
FIGURE = (6.4, 4.0)  # inches, as the matplotlib figures were
TREND_FIGURE = (6.4, 3.6)

UNIT_MULTIPLIER = {"percent": 100.0, "per_1000_wte": 1000.0, "per_1000_staff": 1000.0}
UNIT_LABEL = {
    "percent": "%",
    "proportion": "proportion",
    "ratio": "relative likelihood (1 = parity)",
    "percentage_points": "percentage points",
    "per_1000_wte": "per 1,000 WTE",
    "per_1000_staff": "per 1,000 staff",
    "score": "score",
}
FUNNEL_X_LABEL = {
    "proportion": "Staff in the group (denominator)",
    "rate": "Exposure (denominator, e.g. WTE)",
}


def multiplier_for(unit: str | None) -> float:
    return UNIT_MULTIPLIER.get(unit or "", 1.0)


def _style(index: int) -> tuple[str, str]:
    return OKABE_ITO[index % 7], MARKERS[index % len(MARKERS)]


def _styles(rows: pl.DataFrame) -> dict[str, tuple[str, str]]:
    """Colour and marker per trust, by code order among all rows (suppressed too),
    so a trust looks the same in every chart of a metric."""
    codes = sorted(rows["org_code"].unique().to_list()) if rows.height else []
    return {code: _style(i) for i, code in enumerate(codes)}


def _plotted(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows that may be drawn: never suppressed ones, never null values."""
    keep = ~pl.col("suppressed").fill_null(True) & pl.col("value").is_not_null()
    return rows.filter(keep).sort("org_code")


def funnel_size(rows: pl.DataFrame, kind: str, multiplier: float = 1.0) -> np.ndarray:
    """The x coordinate of each row: its denominator (proportions), exposure
    (rates) or precision 1 / s (ratios on the log scale, differences).

    s is read back from the row's own 95% limit, so the point and the limits
    drawn at that precision agree with the published position (including any
    over-dispersion widening, which is already in the row's limits).
    """
    if kind in ("proportion", "rate"):
        return rows["denominator"].cast(pl.Float64).to_numpy()
    target = rows["ics_value"].cast(pl.Float64).to_numpy()
    upper = rows["upper_95"].cast(pl.Float64).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.log(upper / target) / Z_975 if kind == "ratio" else (upper - target) / Z_975
        return np.where(s > 0, 1.0 / s, np.nan)


def _tau2(rows: pl.DataFrame, kind: str, target: float, multiplier: float) -> float:
    """τ² for proportions and rates from the rows' widened 95% limits."""
    if rows.height == 0 or not bool(rows["overdispersion_adjusted"].fill_null(False).any()):
        return 0.0
    centre = target / multiplier
    n = rows["denominator"].cast(pl.Float64).to_numpy()
    half = (rows["upper_95"].cast(pl.Float64).to_numpy() / multiplier - centre) / Z_975
    with np.errstate(divide="ignore", invalid="ignore"):
        se2 = centre * (1.0 - centre) / n if kind == "proportion" else centre / n
        tau2 = half**2 - se2
    tau2 = tau2[np.isfinite(tau2)]
    return float(max(0.0, np.median(tau2))) if tau2.size else 0.0


def _svg(scene: Scene, fmt: str, id_prefix: str) -> str:
    if fmt != "svg":
        raise ValueError(f"charts are drawn as SVG only, not {fmt!r}")
    return render(scene, id_prefix)


def _title(title) -> str:
    """Input text for a title, wrapped to ``TITLE_WIDTH`` characters. It is drawn as
    glyph outlines, so markup or a ``$`` in it is just those characters."""
    return "\n".join(textwrap.wrap(str(title), TITLE_WIDTH)) if title else ""


def _axis_label(unit: str) -> str:
    return f"Value ({UNIT_LABEL.get(unit, unit)})" if unit else "Value"


def _finite(value) -> bool:
    return value is not None and math.isfinite(value)


def _note(shown: pl.DataFrame) -> str:
    return EMPTY_NOTE if shown.height == 0 else ""


# --- funnel plots ---------------------------------------------------------------------


def funnel_plot(
    rows: pl.DataFrame,
    ics_value: float,
    kind: str,
    *,
    title: str = "",
    unit: str = "",
    fmt: str = "svg",
    id_prefix: str = "c",
) -> str:
    """A funnel plot of one headline metric in one year (see module docstring)."""
    return _svg(funnel_scene(rows, ics_value, kind, title=title, unit=unit), fmt, id_prefix)


def funnel_scene(
    rows: pl.DataFrame, ics_value: float, kind: str, *, title: str = "", unit: str = ""
) -> Scene:
    multiplier = multiplier_for(unit) if kind in ("proportion", "rate") else 1.0
    style = _styles(rows)
    rows = _plotted(rows)
    if "position" in rows.columns:
        rows = rows.filter(pl.col("position").fill_null("not_applicable") != "not_applicable")
    x = funnel_size(rows, kind, multiplier) if rows.height else np.array([])
    y = rows["value"].cast(pl.Float64).to_numpy() if rows.height else np.array([])
    scene = Scene(
        FIGURE,
        Axis(FUNNEL_X_LABEL.get(kind, "Precision (1 / standard error)")),
        Axis(_axis_label(unit), log=kind == "ratio"),
        _title(title),
        note=_note(rows),
    )
    finite = np.isfinite(x)
    if finite.any() and _finite(ics_value):
        scene.marks += _limit_lines(rows, x[finite], kind, ics_value, multiplier)
    if _finite(ics_value):
        scene.marks.append(Rule("y", ics_value, Stroke(ICS_COLOUR, 1.2), label="ICS value"))
    if len(style) > NAMED_TRUSTS:
        scene.marks += _many_funnel_points(rows, x, y)
    else:
        scene.marks += _named_funnel_points(rows, x, y, style)
    return scene


def _limit_lines(
    rows: pl.DataFrame, x: np.ndarray, kind: str, ics_value: float, multiplier: float
) -> list[Lines]:
    """The 95% (dashed) and 99.8% (dotted) limits, from half the smallest trust's size
    to beyond the largest, widened by the rows' over-dispersion τ² as published."""
    low, high = float(x.min()), float(x.max())
    grid = np.linspace(max(low * 0.5, 1e-9), high * 1.15, 200)
    if kind in ("ratio", "difference"):
        limits = control_limits(kind, ics_value, 1.0 / grid)
    else:
        tau2 = _tau2(rows, kind, ics_value, multiplier)
        limits = control_limits(kind, ics_value, grid, tau2=tau2, multiplier=multiplier)
    xs = grid.tolist()

    def runs(*names: str) -> list[list[tuple[float, float]]]:
        return [list(zip(xs, limits[name].to_list(), strict=True)) for name in names]

    dashed, dotted = Stroke(LIMIT_COLOUR, 1.0, "dashed"), Stroke(LIMIT_COLOUR, 1.3, "dotted")
    return [
        Lines(runs("upper_95", "lower_95"), dashed, label="95% limits"),
        Lines(runs("upper_998", "lower_998"), dotted, label="99.8% limits"),
    ]


def _named_funnel_points(
    rows: pl.DataFrame, x: np.ndarray, y: np.ndarray, style: dict[str, tuple[str, str]]
) -> list:
    """Each trust in its colour and marker, in the legend and labelled with its code."""
    marks, labels = [], []
    for k, (code, xi, yi) in enumerate(zip(rows["org_code"].to_list(), x, y, strict=True)):
        if not (np.isfinite(xi) and np.isfinite(yi)):
            continue
        colour, shape = style[code]
        point = Marker(shape, 8.0, colour)
        marks.append(Points([(float(xi), float(yi))], point, label=str(code)))
        # labels alternate above and below so neighbouring trusts stay legible
        labels.append(Label(float(xi), float(yi), str(code), (6.0, 4.0 if k % 2 == 0 else -11.0)))
    return marks + labels


def _many_funnel_points(rows: pl.DataFrame, x: np.ndarray, y: np.ndarray) -> list:
    """Every trust alike; only those outside the 99.8% limits named."""
    shown = np.isfinite(x) & np.isfinite(y)
    dot = Marker("o", math.sqrt(18.0), MANY_COLOUR, "#000000", 0.4)  # matplotlib's s=18
    xy = list(zip(x[shown].tolist(), y[shown].tolist(), strict=True))
    points = Points(xy, dot, label=f"Trusts ({len(xy)})")
    outside = shown & rows["position"].fill_null("").str.ends_with("99.8").to_numpy()
    codes = np.array(rows["org_code"].to_list(), dtype=object)
    labels = [
        Label(float(xi), float(yi), str(code), (4.0, 3.0), size=6.0)
        for code, xi, yi in zip(codes[outside], x[outside], y[outside], strict=True)
    ]
    return [points, *labels]


# --- interval plots -------------------------------------------------------------------


def interval_plot(
    rows: pl.DataFrame,
    ics_value: float | None,
    *,
    title: str = "",
    unit: str = "",
    fmt: str = "svg",
    id_prefix: str = "c",
) -> str:
    """Each trust's value with its 95% interval, for metrics with no funnel."""
    return _svg(interval_scene(rows, ics_value, title=title, unit=unit), fmt, id_prefix)


def interval_scene(
    rows: pl.DataFrame, ics_value: float | None, *, title: str = "", unit: str = ""
) -> Scene:
    style = _styles(rows)
    rows = _plotted(rows)
    many = len(style) > NAMED_TRUSTS
    scene = _many_intervals(rows) if many else _named_intervals(rows, style)
    if _finite(ics_value):
        dashed = Stroke(ICS_COLOUR, 1.2, "dashed")
        scene.marks.append(Rule("x", ics_value, dashed, label="ICS value"))
    scene.x = Axis(_axis_label(unit) + " with 95% interval")
    scene.title, scene.note = _title(title), _note(rows)
    return scene


def _named_intervals(rows: pl.DataFrame, style: dict[str, tuple[str, str]]) -> Scene:
    """One row per trust, first code at the bottom, 0.45 inch a trust."""
    codes = rows["org_code"].to_list()
    rows_drawn = max(len(codes), 2)
    scene = Scene(
        (FIGURE[0], 0.6 + 0.45 * rows_drawn),
        Axis(""),
        Axis("Trust", limits=(-0.8, rows_drawn - 0.2), ticks=tuple(enumerate(map(str, codes)))),
    )
    for i, (code, value, low, high) in enumerate(
        rows.select("org_code", "value", "ci_lower", "ci_upper").iter_rows()
    ):
        colour, shape = style[code]
        if low is not None and high is not None:
            scene.marks.append(Lines([[(low, i), (high, i)]], Stroke(colour, 2.0)))
        scene.marks.append(Points([(value, i)], Marker(shape, 8.0, colour)))
    return scene


def _many_intervals(rows: pl.DataFrame) -> Scene:
    """Trusts ranked by value (lowest at the bottom), each with its interval, drawn
    alike and unnamed, in a chart of fixed height."""
    rows = rows.sort("value", maintain_order=True)
    scene = Scene(FIGURE, Axis(""), Axis("Trusts, ranked by value", ticks=()))
    bars = [
        [(low, rank), (high, rank)]
        for rank, (low, high) in enumerate(rows.select("ci_lower", "ci_upper").iter_rows())
        if low is not None and high is not None
    ]
    scene.marks.append(Lines(bars, Stroke(MANY_COLOUR, 0.6, opacity=0.6)))
    dots = [(value, rank) for rank, value in enumerate(rows["value"].to_list())]
    dot = Marker("o", math.sqrt(8.0), MANY_COLOUR, None)  # matplotlib's s=8, no edge
    scene.marks.append(Points(dots, dot, label=f"Trusts ({rows.height})"))
    return scene


# --- trends ---------------------------------------------------------------------------


def trend_plot(
    rows: pl.DataFrame,
    *,
    title: str = "",
    unit: str = "",
    fmt: str = "svg",
    id_prefix: str = "c",
) -> str:
    """Values over reporting years per trust, and the ICS value (``ics_value``)."""
    return _svg(trend_scene(rows, title=title, unit=unit), fmt, id_prefix)


def trend_scene(rows: pl.DataFrame, *, title: str = "", unit: str = "") -> Scene:
    years = sorted(rows["reporting_year"].unique().to_list())
    position = {year: i for i, year in enumerate(years)}
    style = _styles(rows)
    plotted = _plotted(rows).sort("org_code", "reporting_year")
    ics = (
        rows.filter(pl.col("ics_value").is_not_null())
        .group_by("reporting_year")
        .agg(pl.col("ics_value").first())
        .sort("reporting_year")
    )
    x_axis = Axis(
        "Reporting year",
        limits=(-0.3, max(len(years) - 1, 1) + 0.3),
        ticks=tuple((i, str(year)) for i, year in enumerate(years)),
    )
    scene = Scene(TREND_FIGURE, x_axis, Axis(_axis_label(unit)), _title(title))
    trusts = [
        (code, [(position[year], value) for year, value in zip(seen, values, strict=True)])
        for code, seen, values in plotted.group_by("org_code", maintain_order=True)
        .agg("reporting_year", "value")
        .iter_rows()
    ]
    if len(style) > NAMED_TRUSTS:
        # every trust's line thin and grey, under the ICS line
        runs = [line for _, line in trusts]
        thin = Stroke(MANY_LINE_COLOUR, 0.6)
        scene.marks.append(Lines(runs, thin, label=f"Trusts ({len(runs)})"))
    else:
        for code, line in trusts:
            colour, shape = style[code]
            marker = Marker(shape, 6.0, colour)
            scene.marks.append(Lines([line], Stroke(colour, 1.5), marker, label=str(code)))
    if ics.height:
        line = [(position[y], v) for y, v in ics.select("reporting_year", "ics_value").iter_rows()]
        scene.marks.append(Lines([line], Stroke(ICS_COLOUR, 2.2, "dashed"), label="ICS"))
    scene.note = _note(plotted if plotted.height else ics)
    return scene
