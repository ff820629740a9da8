"""Charts for the published report: funnel plots, interval plots and trends.

Rendered with matplotlib (Agg backend) to inline SVG, so the report works
offline: glyphs are embedded as paths (``svg.fonttype = "path"``), no font or
script is referenced, and the XML prolog, metadata block, comments and
namespace URLs are stripped before the SVG goes into the HTML page. Element
ids are prefixed per chart (``id_prefix``) so several charts can share a page.

Readable in print and for colour-blind readers: the Okabe-Ito palette, and
nothing is encoded by colour alone - funnel limits differ by line style
(dashed 95%, dotted 99.8%), trusts by marker shape, and each trust point is
labelled with its org code. Output is deterministic (fixed hash salt, no date).

API
---
``funnel_plot(rows, ics_value, kind, *, title="", unit="", fmt="svg", id_prefix="c")``
    one headline metric in one year: trusts (``rows``: a polars frame of
    ``system_comparison`` rows) as points against their size, the ICS value
    as a horizontal line and the 95% / 99.8% limits drawn with
    ``funnel.control_limits``. Suppressed rows and rows without a funnel
    position are not plotted. Returns an SVG string (``fmt="svg"``) or PNG
    bytes (``fmt="png"``).
``interval_plot(rows, ics_value, *, title="", unit="", ...)``
    for metrics with no funnel (pay gaps, board-minus-workforce differences):
    each trust's value with its 95% interval, and the ICS value.
``trend_plot(rows, *, title="", unit="", ...)``
    values across reporting years per trust and the ICS (from ``ics_value``).
``funnel_size(rows, kind, multiplier)``
    the x coordinate each trust is drawn at (denominator, exposure, or
    precision 1 / standard error for ratios and differences).

Systems of more than ``NAMED_TRUSTS`` trusts (a region, or all of England) cannot
have a colour, marker, legend entry and label per trust: their charts draw every
trust alike in one call, name only the trusts outside the 99.8% limits (funnels),
rank trusts by value (intervals) and draw trusts as thin grey lines under the ICS
line (trends). The report's tables still name every trust. Drawing 210 trusts one
by one took minutes per report (docs/performance.md).
"""

from __future__ import annotations

import io
import re
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
from scipy import stats  # noqa: E402

from edi_platform.publish.funnel import control_limits  # noqa: E402

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
TIGHT_PAD_INCHES = 0.1  # matplotlib's own padding around a tight bounding box
# The most trusts a chart names one by one; an ICS has up to about fifteen.
NAMED_TRUSTS = 15
MANY_COLOUR = "#0072B2"
ICS_COLOUR = "#000000"
LIMIT_COLOUR = "#555555"
Z_975 = float(stats.norm.ppf(0.975))

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

_RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "edi-platform",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "path.simplify": True,
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


def _finish(fig, fmt: str, id_prefix: str) -> str | bytes:
    buffer = io.BytesIO()
    if fmt == "png":
        fig.savefig(buffer, format="png", metadata={"Software": None}, bbox_inches="tight")
        plt.close(fig)
        return buffer.getvalue()
    # The tight bounding box measured with Agg's text metrics: asking the SVG backend
    # for it ("tight") lays every glyph out as a path twice, a third of a report's time.
    bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(TIGHT_PAD_INCHES)
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches=bbox)
    plt.close(fig)
    return clean_svg(buffer.getvalue().decode("utf-8"), id_prefix)


def _titled(fig, ax, title: str, fmt: str, id_prefix: str) -> str | bytes:
    """The title, the legend beside the plot (when anything is named), then the chart."""
    if title:
        ax.set_title(_text(title, 70), loc="left")
    if ax.get_legend_handles_labels()[0]:  # nothing to name when every value is hidden
        ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _finish(fig, fmt, id_prefix)


def clean_svg(svg: str, id_prefix: str = "c") -> str:
    """An SVG document made safe and self-contained for inlining in HTML."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{id_prefix}-\1"', svg)
    svg = svg.replace("url(#", f"url(#{id_prefix}-")
    svg = svg.replace('xlink:href="#', f'xlink:href="#{id_prefix}-')
    svg = re.sub(r">\s+<", "><", svg)
    return svg.strip()


def _text(value, width: int | None = None) -> str:
    """Input text for a chart label: no mathtext (a ``$`` is drawn as a dollar);
    wrapped to ``width`` characters so long titles do not shrink the chart."""
    text = str(value).replace("$", r"\$")
    return "\n".join(textwrap.wrap(text, width)) if width else text


def _empty_note(ax, rows: pl.DataFrame) -> None:
    if rows.height == 0:
        ax.text(
            0.5,
            0.5,
            "No trust values to show (suppressed or not available)",
            transform=ax.transAxes,
            ha="center",
            va="center",
        )


def _axis_label(unit: str) -> str:
    return f"Value ({UNIT_LABEL.get(unit, unit)})" if unit else "Value"


def funnel_plot(
    rows: pl.DataFrame,
    ics_value: float,
    kind: str,
    *,
    title: str = "",
    unit: str = "",
    fmt: str = "svg",
    id_prefix: str = "c",
) -> str | bytes:
    """A funnel plot of one headline metric in one year (see module docstring)."""
    multiplier = multiplier_for(unit) if kind in ("proportion", "rate") else 1.0
    style = _styles(rows)
    rows = _plotted(rows)
    if "position" in rows.columns:
        rows = rows.filter(pl.col("position").fill_null("not_applicable") != "not_applicable")
    x = funnel_size(rows, kind, multiplier) if rows.height else np.array([])
    y = rows["value"].cast(pl.Float64).to_numpy() if rows.height else np.array([])
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        finite = np.isfinite(x)
        if finite.any() and ics_value is not None and np.isfinite(ics_value):
            low, high = float(np.nanmin(x[finite])), float(np.nanmax(x[finite]))
            grid = np.linspace(max(low * 0.5, 1e-9), high * 1.15, 200)
            tau2 = _tau2(rows, kind, ics_value, multiplier) if kind != "ratio" else 0.0
            if kind in ("ratio", "difference"):
                limits = control_limits(kind, ics_value, 1.0 / grid)
            else:
                limits = control_limits(kind, ics_value, grid, tau2=tau2, multiplier=multiplier)
            ax.plot(grid, limits["upper_95"], "--", color=LIMIT_COLOUR, lw=1, label="95% limits")
            ax.plot(grid, limits["lower_95"], "--", color=LIMIT_COLOUR, lw=1)
            ax.plot(
                grid, limits["upper_998"], ":", color=LIMIT_COLOUR, lw=1.3, label="99.8% limits"
            )
            ax.plot(grid, limits["lower_998"], ":", color=LIMIT_COLOUR, lw=1.3)
        if ics_value is not None and np.isfinite(ics_value):
            ax.axhline(ics_value, color=ICS_COLOUR, lw=1.2, label="ICS value")
        if len(style) > NAMED_TRUSTS:
            _many_funnel_points(ax, rows, x, y)
            return _funnel_finish(fig, ax, kind, unit, title, rows, fmt, id_prefix)
        for k, (code, xi, yi) in enumerate(zip(rows["org_code"].to_list(), x, y, strict=True)):
            if not (np.isfinite(xi) and np.isfinite(yi)):
                continue
            colour, marker = style[code]
            ax.plot(
                [xi],
                [yi],
                marker=marker,
                ls="none",
                ms=8,
                color=colour,
                mec="black",
                label=_text(code),
            )
            # labels alternate above and below so neighbouring trusts stay legible
            offset = (6, 4 if k % 2 == 0 else -11)
            ax.annotate(_text(code), (xi, yi), xytext=offset, textcoords="offset points")
        return _funnel_finish(fig, ax, kind, unit, title, rows, fmt, id_prefix)


def _many_funnel_points(ax, rows: pl.DataFrame, x: np.ndarray, y: np.ndarray) -> None:
    """Every trust alike, in one call; only those outside the 99.8% limits named."""
    shown = np.isfinite(x) & np.isfinite(y)
    ax.scatter(
        x[shown],
        y[shown],
        s=18,
        color=MANY_COLOUR,
        edgecolors="black",
        linewidths=0.4,
        label=f"Trusts ({int(shown.sum())})",
    )
    outside = shown & rows["position"].fill_null("").str.ends_with("99.8").to_numpy()
    codes = np.array(rows["org_code"].to_list(), dtype=object)
    for code, xi, yi in zip(codes[outside], x[outside], y[outside], strict=True):
        ax.annotate(_text(code), (xi, yi), xytext=(4, 3), textcoords="offset points", fontsize=6)


def _funnel_finish(
    fig, ax, kind: str, unit: str, title: str, rows: pl.DataFrame, fmt: str, id_prefix: str
) -> str | bytes:
    """Scale, labels, title and legend of a funnel plot, then the SVG (or PNG)."""
    if kind == "ratio":
        ax.set_yscale("log")
        plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
        ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 1.5, 2.0, 3.0, 5.0)))
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    _empty_note(ax, rows)
    ax.set_xlabel(
        {
            "proportion": "Staff in the group (denominator)",
            "rate": "Exposure (denominator, e.g. WTE)",
        }.get(kind, "Precision (1 / standard error)")
    )
    ax.set_ylabel(_axis_label(unit))
    return _titled(fig, ax, title, fmt, id_prefix)


def interval_plot(
    rows: pl.DataFrame,
    ics_value: float | None,
    *,
    title: str = "",
    unit: str = "",
    fmt: str = "svg",
    id_prefix: str = "c",
) -> str | bytes:
    """Each trust's value with its 95% interval, for metrics with no funnel."""
    style = _styles(rows)
    rows = _plotted(rows)
    if len(style) > NAMED_TRUSTS:
        return _many_intervals(rows, ics_value, title, unit, fmt, id_prefix)
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(6.4, 0.6 + 0.45 * max(rows.height, 2)))
        codes = rows["org_code"].to_list()
        for i, code in enumerate(codes):
            colour, marker = style[code]
            value = rows["value"][i]
            low, high = rows["ci_lower"][i], rows["ci_upper"][i]
            if low is not None and high is not None:
                ax.plot([low, high], [i, i], color=colour, lw=2)
            ax.plot([value], [i], marker=marker, ms=8, color=colour, mec="black", ls="none")
        ax.set_yticks(range(len(codes)), [_text(c) for c in codes])
        ax.set_ylim(-0.8, max(len(codes), 2) - 0.2)
        if ics_value is not None and np.isfinite(ics_value):
            ax.axvline(ics_value, color=ICS_COLOUR, lw=1.2, ls="--", label="ICS value")
            ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
        _empty_note(ax, rows)
        ax.set_xlabel(_axis_label(unit) + " with 95% interval")
        ax.set_ylabel("Trust")
        if title:
            ax.set_title(_text(title, 70), loc="left")
        return _finish(fig, fmt, id_prefix)


def _many_intervals(
    rows: pl.DataFrame, ics_value: float | None, title: str, unit: str, fmt: str, id_prefix: str
) -> str | bytes:
    """Trusts ranked by value, each with its interval, drawn alike and unnamed."""
    rows = rows.sort("value")
    rank = np.arange(rows.height)
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        low, high = rows["ci_lower"].to_numpy(), rows["ci_upper"].to_numpy()
        has_interval = ~(rows["ci_lower"].is_null() | rows["ci_upper"].is_null()).to_numpy()
        ax.hlines(
            rank[has_interval],
            low[has_interval],
            high[has_interval],
            color=MANY_COLOUR,
            lw=0.6,
            alpha=0.6,
        )
        ax.scatter(
            rows["value"].to_numpy(), rank, s=8, color=MANY_COLOUR, label=f"Trusts ({rows.height})"
        )
        if ics_value is not None and np.isfinite(ics_value):
            ax.axvline(ics_value, color=ICS_COLOUR, lw=1.2, ls="--", label="ICS value")
        _empty_note(ax, rows)
        ax.set_yticks([])
        ax.set_xlabel(_axis_label(unit) + " with 95% interval")
        ax.set_ylabel("Trusts, ranked by value")
        return _titled(fig, ax, title, fmt, id_prefix)


def trend_plot(
    rows: pl.DataFrame,
    *,
    title: str = "",
    unit: str = "",
    fmt: str = "svg",
    id_prefix: str = "c",
) -> str | bytes:
    """Values over reporting years per trust, and the ICS value (``ics_value``)."""
    years = sorted(rows["reporting_year"].unique().to_list())
    position = {year: i for i, year in enumerate(years)}
    style = _styles(rows)
    plotted = _plotted(rows)
    many = len(style) > NAMED_TRUSTS
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        if many:
            _many_trend_lines(ax, plotted, position)
        for code in [] if many else sorted(plotted["org_code"].unique().to_list()):
            trust = plotted.filter(pl.col("org_code") == code).sort("reporting_year")
            colour, marker = style[code]
            xs = [position[y] for y in trust["reporting_year"].to_list()]
            ax.plot(
                xs,
                trust["value"].to_list(),
                marker=marker,
                color=colour,
                mec="black",
                label=_text(code),
            )
        ics = (
            rows.filter(pl.col("ics_value").is_not_null())
            .group_by("reporting_year")
            .agg(pl.col("ics_value").first())
            .sort("reporting_year")
        )
        if ics.height:
            xs = [position[y] for y in ics["reporting_year"].to_list()]
            ax.plot(xs, ics["ics_value"].to_list(), color=ICS_COLOUR, lw=2.2, ls="--", label="ICS")
        _empty_note(
            ax, rows.filter(pl.col("ics_value").is_not_null()) if not plotted.height else plotted
        )
        ax.set_xticks(range(len(years)), years)
        ax.set_xlim(-0.3, max(len(years) - 1, 1) + 0.3)
        ax.set_xlabel("Reporting year")
        ax.set_ylabel(_axis_label(unit))
        return _titled(fig, ax, title, fmt, id_prefix)


def _many_trend_lines(ax, plotted: pl.DataFrame, position: dict[str, int]) -> None:
    """Every trust's line in one collection, thin and grey, under the ICS line."""
    from matplotlib.collections import LineCollection

    lines = [
        [(position[year], value) for year, value in zip(years, values, strict=True)]
        for years, values in plotted.sort("reporting_year")
        .group_by("org_code", maintain_order=True)
        .agg("reporting_year", "value")
        .select("reporting_year", "value")
        .iter_rows()
    ]
    ax.add_collection(
        LineCollection(lines, colors="#999999", linewidths=0.6, label=f"Trusts ({len(lines)})")
    )
    ax.autoscale_view()
