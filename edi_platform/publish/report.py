"""The HTML report: one self-contained page per reporting year.

``render_report(system_comparison, hia_scorecard, config, year, out_dir) -> Path``
    writes ``<out_dir>/<year>/report.html`` (atomically) and returns its path;
    ``out_dir`` is normally ``data/published``.
``build_report(system_comparison, hia_scorecard, config, year) -> str``
    the page itself.
``render_reports(system_comparison, hia_scorecard, config, years, out_dir)``
    every year's page, skipping a year
    whose page on disk was made from the same inputs by the same code (its
    ``<meta name="edi-inputs">`` fingerprint): a resubmission for the latest
    year re-renders one page, not all of them. Returns [(path, rendered)].

What a board member reads: how to read it; a summary of where each trust sits
(counts of headline metrics outside the funnel limits on the better and the
worse side, by the metric's direction; trusts in code order, never ranked by
point estimate); for every headline metric a funnel plot (or an interval plot
where there is no funnel), a trend over the years and a table; the HIA
scorecard; notes on suppression, directions and each metric.

Safety and self-containment: the page is rendered by jinja2 with autoescape
on, so every input string (a trust name holding ``<script>``) is text. Charts
are SVG written by ``charts`` (text as glyph outlines; no comment, metadata or
namespace URL) and inlined. Nothing external is referenced; a Content-Security-Policy
allows no source at all except inline styles, data: images and the one static
script of this module (by its sha256 hash), which records each chart's rendered
size in ``data-width`` / ``data-height`` attributes for the browser test.
Suppressed rows are shown as "—" and never plotted, whatever their value
column holds. Output is deterministic for the same input.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import jinja2
import numpy as np
import polars as pl
from markupsafe import Markup

from edi_platform.config import IcsConfig
from edi_platform.publish import charts, svg
from edi_platform.temporary_files import atomic_write

FAMILIES = ("WRES", "WDES", "Pay gaps", "Violence")
FAMILY_NOTES = {
    "WRES": "Workforce Race Equality Standard: how the experience of Black and minority "
    "ethnic (BME) staff compares with that of white staff.",
    "WDES": "Workforce Disability Equality Standard: how the experience of disabled staff "
    "compares with that of non-disabled staff.",
    "Pay gaps": "Hourly pay gaps: how much less, as a percentage, one group is paid on average "
    "than the comparison group (by sex, ethnicity and disability). Zero means no gap.",
    "Violence": "Violence, aggression and sexual safety: incidents reported per 1,000 staff "
    "(whole-time equivalent) and staff survey measures.",
}
DIRECTION_TEXT = {
    "higher_is_better": "Higher is better.",
    "lower_is_better": "Lower is better.",
    "towards_parity": "Nearer to 1 (parity between the groups) is better.",
    "towards_zero": "Nearer to zero (no gap) is better.",
}
DIRECTION_SHORT = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
    "towards_parity": "towards parity (1)",
    "towards_zero": "towards zero",
}
POSITION_TEXT = {
    "within": "Within the expected range",
    "above_95": "Above the system (outside 95% limits)",
    "above_99.8": "Well above the system (outside 99.8% limits)",
    "below_95": "Below the system (outside 95% limits)",
    "below_99.8": "Well below the system (outside 99.8% limits)",
    "not_applicable": "Not on a funnel",
}
JUDGEMENT_TEXT = {
    "improved": "Improved",
    "worsened": "Worsened",
    "held": "Held (no change beyond chance)",
    "changed": "Changed (no better side)",
    "not_comparable": "Not comparable",
}
SUPPRESSED = "— (suppressed)"
DASH = "—"

_SCRIPT = (
    "window.addEventListener('load',function(){"
    "document.querySelectorAll('figure.chart svg').forEach(function(s){"
    "var r=s.getBoundingClientRect();"
    "s.setAttribute('data-width',Math.round(r.width));"
    "s.setAttribute('data-height',Math.round(r.height));});"
    "document.body.setAttribute('data-rendered','yes');});"
)
_SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
TEMPLATE = Path(__file__).with_name("report_template.html")


def format_value(value, unit: str | None) -> str:
    """A number for display in its unit; None is a dash (never zero)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return DASH
    value = float(value)
    if unit == "percent":
        return f"{value:,.1f}%"
    if unit == "percentage_points":
        return f"{value:+,.1f} pp"
    if unit in ("per_1000_wte", "per_1000_staff"):
        return f"{value:,.1f}"
    if unit == "proportion":
        return f"{value:.3f}"
    return f"{value:,.2f}"


def _interval(row: dict, unit: str | None) -> str:
    if row.get("suppressed"):
        return SUPPRESSED
    text = format_value(row.get("value"), unit)
    low, high = row.get("ci_lower"), row.get("ci_upper")
    if text != DASH and low is not None and high is not None:
        text += f" ({format_value(low, unit)} to {format_value(high, unit)})"
    return text


def side(position: str | None, direction: str | None, value, ics_value) -> str:
    """'better', 'worse', 'unclear' (outside, no better side) or '' (not outside)."""
    if not position or not position.startswith(("above", "below")):
        return ""
    above = position.startswith("above")
    if direction == "higher_is_better":
        return "better" if above else "worse"
    if direction == "lower_is_better":
        return "worse" if above else "better"
    if value is None or ics_value is None:
        return "unclear"
    if direction == "towards_parity" and value > 0 and ics_value > 0:
        distance, system = abs(np.log(value)), abs(np.log(ics_value))
    elif direction == "towards_zero":
        distance, system = abs(value), abs(ics_value)
    else:
        return "unclear"
    if distance < system:
        return "better"
    if distance > system:
        return "worse"
    return "unclear"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _visible(frame: pl.DataFrame) -> pl.DataFrame:
    """Suppressed rows lose their values here, whatever the input held."""
    hide = pl.col("suppressed").fill_null(True)
    return frame.with_columns(
        [
            pl.when(hide).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("value", "ci_lower", "ci_upper", "numerator", "denominator", "z_score")
            if c in frame.columns
        ]
    )


def _metric_keys(frame: pl.DataFrame) -> list[tuple]:
    keys = frame.select("family", "metric_id", "breakdown", "group").unique()
    order = {f: i for i, f in enumerate(FAMILIES)}
    return sorted(
        keys.iter_rows(),
        key=lambda k: (order.get(k[0], 99), k[0] or "", k[1] or "", k[2] or "", k[3] or ""),
    )


def _summary(year_rows: pl.DataFrame, config: IcsConfig) -> list[dict]:
    out = []
    for trust in config.trusts:
        rows = year_rows.filter(pl.col("org_code") == trust.org_code).to_dicts()
        counts = dict.fromkeys(
            ("placed", "within", "better", "worse", "better_998", "worse_998", "unclear"), 0
        )
        suppressed = not_placed = 0
        for r in rows:
            if r["suppressed"]:
                suppressed += 1
                continue
            position = r.get("position") or "not_applicable"
            if position == "not_applicable":
                not_placed += 1
                continue
            counts["placed"] += 1
            judged = side(position, r.get("direction"), r.get("value"), r.get("ics_value"))
            if not judged:
                counts["within"] += 1
            else:
                counts[judged] += 1
                if judged != "unclear" and position.endswith("99.8"):
                    counts[f"{judged}_998"] += 1
        name = trust.name
        if not rows:
            sentence = f"{name}: no published metrics for this year."
        else:
            sentence = (
                f"{name}: of {counts['placed']} metrics compared on a funnel, "
                f"{counts['within']} are within the range expected by chance, "
                f"{counts['better']} better than the system and {counts['worse']} worse"
                + (
                    f"; {counts['unclear']} outside with no better side"
                    if counts["unclear"]
                    else ""
                )
                + f". {suppressed} suppressed; {not_placed} shown without a funnel."
            )
        out.append(
            {
                "org_code": trust.org_code,
                "org_name": name,
                **counts,
                "suppressed": suppressed,
                "not_placed": not_placed,
                "sentence": sentence,
            }
        )
    return out


def _metric_section(
    key: tuple, year_rows: pl.DataFrame, history: pl.DataFrame, config: IcsConfig, index: int
) -> dict:
    family, metric_id, breakdown, group = key

    def match(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(
            (pl.col("metric_id") == metric_id)
            & pl.col("breakdown").eq_missing(breakdown)
            & pl.col("group").eq_missing(group)
        )

    rows = match(year_rows)
    trend_rows = match(history)
    first = rows.row(0, named=True)
    unit, direction = first.get("unit"), first.get("direction")
    ics_values = rows["ics_value"].drop_nulls()
    ics_value = float(ics_values[0]) if len(ics_values) else None
    kinds = rows["funnel_kind"].drop_nulls()
    kind = kinds[0] if len(kinds) else None
    placed = rows.filter(
        ~pl.col("suppressed") & (pl.col("position").fill_null("not_applicable") != "not_applicable")
    )
    title = f"{first['headline']} ({group})" if group else str(first["headline"])
    if kind and placed.height and ics_value is not None:
        chart = charts.funnel_plot(
            rows, ics_value, kind, title=title, unit=unit or "", id_prefix=f"f{index}"
        )
        chart_kind = "funnel"
        caption = (
            "Funnel plot: each trust against its size; dashed lines are 95% limits and dotted "
            "lines 99.8% limits around the system value (solid line). Suppressed trusts are "
            "not shown."
        )
    else:
        chart = charts.interval_plot(
            rows, ics_value, title=title, unit=unit or "", id_prefix=f"i{index}"
        )
        chart_kind = "interval"
        caption = (
            "Each trust's value with its 95% interval (bars); the dashed line is the system "
            "value. There is no funnel for this metric. Suppressed trusts are not shown."
        )
    trend = charts.trend_plot(trend_rows, title=title, unit=unit or "", id_prefix=f"t{index}")
    order = {t.org_code: i for i, t in enumerate(config.trusts)}
    table = []
    for r in sorted(rows.to_dicts(), key=lambda r: (order.get(r["org_code"], 999), r["org_code"])):
        position = r.get("position") or "not_applicable"
        judged = "" if r["suppressed"] else side(position, direction, r["value"], ics_value)
        position_text = DASH if r["suppressed"] else POSITION_TEXT.get(position, position)
        if judged in ("better", "worse"):
            position_text += f": {judged} than the system"
        judgement = r.get("change_judgement") or "not_comparable"
        table.append(
            {
                "org_code": r["org_code"],
                "org_name": r["org_name"],
                "value_text": _interval(r, unit),
                "position_text": position_text,
                "side": judged,
                "last_text": format_value(r.get("last_value"), unit),
                "change_text": JUDGEMENT_TEXT.get(judgement, judgement),
            }
        )
    return {
        "anchor": f"m-{index}-{_slug(str(metric_id))}",
        "headline": first["headline"],
        "breakdown": breakdown if breakdown is not None else DASH,
        "group": group if group is not None else DASH,
        "unit_label": charts.UNIT_LABEL.get(unit or "", unit or DASH),
        "direction_text": DIRECTION_TEXT.get(direction, ""),
        "ics_text": format_value(ics_value, unit),
        "chart": Markup(chart),
        "chart_kind": chart_kind,
        "chart_caption": caption,
        "trend": Markup(trend),
        "rows": table,
    }


def _hia_sections(hia: pl.DataFrame, units: dict, config: IcsConfig) -> list[dict]:
    order = {config.icb_code: -1, **{t.org_code: i for i, t in enumerate(config.trusts)}}
    out = []
    for code in sorted(hia["hia"].unique().to_list(), key=str):
        part = hia.filter(pl.col("hia") == code)
        rows = sorted(
            part.to_dicts(),
            key=lambda r: (
                order.get(r["org_code"], 999),
                r["org_code"],
                r["metric_id"] or "",
                r.get("breakdown") or "",
                r.get("group") or "",
            ),
        )
        titles = part["hia_title"].drop_nulls()
        out.append(
            {
                "hia": code,
                "title": titles[0] if len(titles) else "",
                "rows": [
                    {
                        "org_code": r["org_code"],
                        "org_name": r["org_name"],
                        "headline": r["headline"],
                        "group": r.get("group") or DASH,
                        "value_text": _interval(r, units.get(r["metric_id"])),
                        "last_text": format_value(r.get("last_value"), units.get(r["metric_id"])),
                        "judgement_text": JUDGEMENT_TEXT.get(
                            r.get("judgement") or "not_comparable", r.get("judgement")
                        ),
                    }
                    for r in rows
                ],
            }
        )
    return out


def build_report(
    system_comparison: pl.DataFrame,
    hia_scorecard: pl.DataFrame,
    config: IcsConfig,
    year: str,
) -> str:
    """The report page for one reporting year (see module docstring)."""
    comparison = _visible(system_comparison)
    history = comparison.filter(pl.col("reporting_year") <= year)
    year_rows = comparison.filter(pl.col("reporting_year") == year)
    hia = _visible(hia_scorecard).filter(pl.col("reporting_year") == year)
    units = dict(
        comparison.select("metric_id", "unit").unique(subset="metric_id", keep="first").iter_rows()
    )
    keys = _metric_keys(year_rows)
    family_order = sorted({k[0] for k in keys}, key=lambda f: (FAMILIES + (f,)).index(f))
    ordered = [key for family in family_order for key in keys if key[0] == family]
    sections = [
        _metric_section(key, year_rows, history, config, index) for index, key in enumerate(ordered)
    ]
    families = [
        {
            "name": family,
            "slug": _slug(family),
            "note": FAMILY_NOTES.get(family, ""),
            "metrics": [m for key, m in zip(ordered, sections, strict=True) if key[0] == family],
        }
        for family in family_order
    ]
    glossary = [
        {
            "family": r["family"],
            "headline": r["headline"],
            "metric_id": r["metric_id"],
            "unit": charts.UNIT_LABEL.get(r["unit"] or "", r["unit"]),
            "direction": DIRECTION_SHORT.get(r["direction"], r["direction"]),
        }
        for r in year_rows.select("family", "metric_id", "headline", "unit", "direction")
        .unique(subset=["metric_id"], keep="first")
        .sort("family", "metric_id")
        .to_dicts()
    ]
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        icb_name=config.icb_name,
        icb_code=config.icb_code,
        year=year,
        years=[y for y in sorted(comparison["reporting_year"].unique().to_list()) if y <= year],
        trusts=config.trusts,
        summary=_summary(year_rows, config),
        families=families,
        hias=_hia_sections(hia, units, config),
        glossary=glossary,
        min_count=config.disclosure.min_count,
        min_survey=config.disclosure.min_survey_responses,
        script=Markup(_SCRIPT),
        script_hash=_SCRIPT_HASH,
        fingerprint=input_fingerprint(system_comparison, hia_scorecard, config, year),
    )


def input_fingerprint(
    system_comparison: pl.DataFrame, hia_scorecard: pl.DataFrame, config: IcsConfig, year: str
) -> str:
    """A hash of everything one year's page is made from: its rows, the ICS and this code."""
    digest = hashlib.sha256()
    for frame in (
        _visible(system_comparison).filter(pl.col("reporting_year") <= year),
        _visible(hia_scorecard).filter(pl.col("reporting_year") == year),
    ):
        digest.update(frame.sort(frame.columns, nulls_last=True).write_csv().encode())
    digest.update(repr((config.icb_code, config.icb_name, config.trusts)).encode())
    digest.update(repr(config.disclosure).encode())
    for source in (Path(__file__), TEMPLATE, Path(charts.__file__), Path(svg.__file__)):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _fingerprint_on_disk(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8") as page:
            head = page.read(4096)
    except FileNotFoundError:
        return None
    found = re.search(r'<meta name="edi-inputs" content="([0-9a-f]+)">', head)
    return found.group(1) if found else None


def render_reports(
    system_comparison: pl.DataFrame,
    hia_scorecard: pl.DataFrame,
    config: IcsConfig,
    years: list[str],
    out_dir: str | Path,
) -> list[tuple[Path, bool]]:
    """Write every year's page that is out of date; [(path, rendered)] in year order."""
    paths = {year: Path(out_dir) / year / "report.html" for year in years}
    stale = [
        year
        for year in years
        if _fingerprint_on_disk(paths[year])
        != input_fingerprint(system_comparison, hia_scorecard, config, year)
    ]
    # One process: a page takes about a second of CPU now that its charts are written as
    # SVG directly; a pool of processes cost more to start than it saved.
    for year in stale:
        render_report(system_comparison, hia_scorecard, config, year, out_dir)
    return [(paths[year], year in stale) for year in years]


def write_atomic(path: Path, data: bytes) -> None:
    with atomic_write(path) as temporary:
        temporary.write_bytes(data)


def render_report(
    system_comparison: pl.DataFrame,
    hia_scorecard: pl.DataFrame,
    config: IcsConfig,
    year: str,
    out_dir: str | Path,
) -> Path:
    """Write ``<out_dir>/<year>/report.html`` and return its path."""
    html = build_report(system_comparison, hia_scorecard, config, year)
    path = Path(out_dir) / year / "report.html"
    write_atomic(path, html.encode("utf-8"))
    return path
