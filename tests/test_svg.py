"""The charts' SVG: nice ticks, glyphs as paths, ids per chart, determinism, and
marks where a hand calculation puts them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import fixtures_publish as fx
import polars as pl
import pytest

from edi_platform.publish import charts, svg


def _metric(metric_id: str, year: str = "2023-24", leak: bool = False) -> pl.DataFrame:
    comparison = fx.system_comparison(leak=leak)
    return comparison.filter(
        (pl.col("reporting_year") == year) & (pl.col("metric_id") == metric_id)
    )


def _every_chart(prefix: str = "c") -> list[str]:
    proportion, ratio = _metric("wres_2", leak=True), _metric("wdes_2", leak=True)
    return [
        charts.funnel_plot(proportion, 52.0, "proportion", unit="percent", id_prefix=prefix),
        charts.funnel_plot(ratio, 1.31, "ratio", title="A & B <i>", unit="ratio", id_prefix=prefix),
        charts.interval_plot(_metric("pay_gap_median_sex"), 8.2, unit="percent", id_prefix=prefix),
        charts.trend_plot(fx.system_comparison(leak=True), unit="percent", id_prefix=prefix),
    ]


# --- ticks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "labels"),
    [
        (-1.6, 34.0, ["0", "5", "10", "15", "20", "25", "30"]),
        (29.5, 260.5, ["50", "100", "150", "200", "250"]),
        (-17.55, -14.25, ["−17.5", "−17.0", "−16.5", "−16.0", "−15.5", "−15.0", "−14.5"]),
        (0.0, 1.0, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (-0.05, 0.05, ["−0.04", "−0.02", "0.00", "0.02", "0.04"]),  # no "-0.00"
        (0.1, 0.31, ["0.10", "0.15", "0.20", "0.25", "0.30"]),  # no 0.15000000000000002
    ],
)
def test_nice_ticks_are_round_and_without_float_noise(low, high, labels):
    ticks, decimals = svg.nice_ticks(low, high)
    assert [svg.tick_label(t, decimals) for t in ticks] == labels


def test_log_ticks_are_plain_numbers():
    assert [label for _, label in svg.log_ticks(0.5, 3.2)] == ["0.5", "1", "1.5", "2", "3"]
    # a wide range thins to 1, 2, 5; a narrow one has linear ticks
    assert [label for _, label in svg.log_ticks(0.085, 22)] == [
        "0.1", "0.2", "0.5", "1", "2", "5", "10", "20",
    ]  # fmt: skip
    narrow = ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]  # only 1 and 1.5 of 1, 1.5, 2...
    assert [label for _, label in svg.log_ticks(0.95, 1.62)] == narrow


def test_a_ratio_funnel_has_a_log_axis_with_plain_tick_labels():
    scene = charts.funnel_scene(_metric("wdes_2"), 1.31, "ratio", unit="ratio")
    assert scene.y.log
    _, y_ticks = svg.ticks(scene)
    labels = [label for _, label in y_ticks]
    assert "1" in labels and 3 <= len(labels) <= 8
    assert all(re.fullmatch(r"\d+(\.\d+)?", label) for label in labels), labels
    for value, label in y_ticks:
        assert float(label) == pytest.approx(value)


# --- the SVG's guarantees -----------------------------------------------------------


def test_svg_is_inline_ready_well_formed_and_holds_no_text():
    for drawn in _every_chart():
        assert drawn.startswith("<svg ") and drawn.endswith("</svg>")
        assert re.match(r'<svg width="[\d.]+pt" height="[\d.]+pt" viewBox="[-\d. ]+">', drawn)
        ET.fromstring(drawn)  # well-formed: usable as a file too, given a namespace
        for absent in ("<text", "<?xml", "<!--", "<metadata", "http:", "https:", "xmlns"):
            assert absent not in drawn, absent
        assert "<i>" not in drawn and "A &" not in drawn  # the title is glyphs only


def test_ids_are_prefixed_and_every_reference_points_to_one():
    for drawn in _every_chart("f3"):
        ids = re.findall(r'\bid="([^"]*)"', drawn)
        assert ids and all(i.startswith("f3-") for i in ids) and len(set(ids)) == len(ids)
        references = re.findall(r'href="#([^"]*)"|url\(#([^)]*)\)', drawn)
        assert references and {a or b for a, b in references} <= set(ids)
    one, other = _every_chart("t1")[3], _every_chart("t2")[3]
    assert not set(re.findall(r'\bid="([^"]*)"', one)) & set(re.findall(r'\bid="([^"]*)"', other))


def test_deterministic():
    assert _every_chart() == _every_chart()


def test_a_suppressed_value_is_neither_drawn_nor_written():
    secret = 98765.4321
    rows = _metric("wres_2").with_columns(
        value=pl.when(pl.col("org_code") == "RXA").then(secret).otherwise(pl.col("value")),
        suppressed=pl.col("org_code") == "RXA",
    )
    for scene, drawn in (
        (
            charts.funnel_scene(rows, 52.0, "proportion"),
            charts.funnel_plot(rows, 52.0, "proportion"),
        ),
        (charts.interval_scene(rows, 52.0), charts.interval_plot(rows, 52.0)),
        (charts.trend_scene(rows), charts.trend_plot(rows)),
    ):
        assert "RXA" not in scene.legend() + scene.labels()
        plotted = [y for m in scene.marks if isinstance(m, svg.Points) for _, y in m.xy]
        plotted += [
            y for m in scene.marks if isinstance(m, svg.Lines) for r in m.runs for _, y in r
        ]
        plotted += [x for m in scene.marks if isinstance(m, svg.Points) for x, _ in m.xy]
        assert secret not in plotted
        for text in ("98765", "9876.5", "98765.4", "98765.43"):
            assert text not in drawn


def test_empty_charts_say_so():
    hidden = _metric("wres_2").with_columns(suppressed=pl.lit(True))
    assert charts.funnel_scene(hidden, 52.0, "proportion").note.startswith("No trust values")
    assert charts.interval_scene(hidden, None).note.startswith("No trust values")
    assert charts.trend_scene(hidden.with_columns(ics_value=None)).note.startswith("No trust")
    assert charts.trend_scene(hidden).note == ""  # the ICS line is still there
    assert charts.interval_plot(hidden, None).startswith("<svg")


def test_png_is_no_longer_drawn():
    with pytest.raises(ValueError, match="SVG only"):
        charts.funnel_plot(_metric("wres_2"), 52.0, "proportion", fmt="png")


# --- where marks land ---------------------------------------------------------------


def test_a_point_lands_where_a_hand_calculation_puts_it():
    """Three trusts at 10, 20 and 30 in one year, no ICS value.

    Plot area: the 6.4 x 3.6 inch trend figure times matplotlib's subplot fractions,
    6.4 * 72 * 0.775 = 357.12 pt wide and 3.6 * 72 * 0.77 = 199.584 pt high, its top
    left corner at (0, 0). y: the data 10 to 30 plus 5% margins of the range 20 each
    side gives 9 to 31; 20 sits (20 - 9) / 22 = 1/2 of the way up, so y = 99.79.
    x: the one year is at position 0 of the fixed limits -0.3 to 1.3, 0.3 / 1.6 of
    the width: x = 66.96. RXB (the second trust) is drawn with marker 1, a square.
    """
    rows = pl.DataFrame(
        {
            "org_code": ["RXA", "RXB", "RXC"],
            "reporting_year": ["2023-24"] * 3,
            "value": [10.0, 20.0, 30.0],
            "suppressed": [False] * 3,
            "ics_value": [None, None, None],
        },
        schema_overrides={"ics_value": pl.Float64},
    )
    scene = charts.trend_scene(rows)
    assert svg.plot_size(scene) == pytest.approx((357.12, 199.584))
    drawn = charts.trend_plot(rows, id_prefix="t")
    assert '<use href="#t-m1" x="66.96" y="99.79"/>' in drawn
    assert 'id="t-m1" d="M-3 -3L3 -3L3 3L-3 3Z"' in drawn  # a 6 pt square
    # RXA at 10 and RXC at 30: 1/22 of the height above the bottom and below the top
    assert '<use href="#t-m0" x="66.96" y="190.51"/>' in drawn
    assert '<use href="#t-m2" x="66.96" y="9.07"/>' in drawn


def test_glyphs_are_defined_once_and_placed_by_advance():
    drawn = charts.trend_plot(_metric("wres_2"), title="RRR", id_prefix="p")
    assert len(re.findall(r'<path id="p-g\d+"', drawn)) == len(
        set(re.findall(r'<path id="(p-g\d+)"', drawn))
    )
    # "RRR": three uses of one glyph, each 1423 font units (the advance of R) apart
    assert re.search(
        r'<g transform="[^"]*"><use href="#(p-g\d+)"/><use href="#\1" x="1423"/>'
        r'<use href="#\1" x="2846"/></g>',
        drawn,
    )
    assert svg.text_width("R", 2048 / 100) == pytest.approx(14.23)
