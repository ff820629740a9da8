"""The HTML report: charts for every headline, escaping, suppression, offline,
determinism; and a browser test with Debian's headless Chromium."""

from __future__ import annotations

import base64
import html
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import browser
import fixtures_publish as fx
import polars as pl
import pytest
from browser import CHROMIUM

from edi_platform.publish import charts, report


def _without_svg(page: str) -> str:
    return re.sub(r"<svg\b.*?</svg>", "", page, flags=re.S)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("published")
    # leak=True: suppressed rows still carry their true values; the report must hide them
    comparison, hia = fx.system_comparison(leak=True), fx.hia_scorecard(leak=True)
    return {year: report.render_report(comparison, hia, fx.CONFIG, year, out) for year in fx.YEARS}


@pytest.fixture(scope="module")
def pages(reports) -> dict[str, str]:
    return {year: path.read_text(encoding="utf-8") for year, path in reports.items()}


def test_written_where_the_contract_says(reports, tmp_path_factory):
    for year, path in reports.items():
        assert path.name == "report.html" and path.parent.name == year
        assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_every_headline_has_a_funnel_or_interval_chart_and_a_trend(pages):
    comparison = fx.system_comparison()
    for year, page in pages.items():
        keys = comparison.filter(pl.col("reporting_year") == year).select(
            "metric_id", "breakdown", "group"
        )
        blocks = re.findall(r'<div class="metric" id="m-.*?</table>', page, flags=re.S)
        assert len(blocks) == keys.unique().height == len(fx.METRICS)
        for block in blocks:
            figures = re.findall(r'<figure class="chart" data-chart="(\w+)"><svg', block)
            assert len(figures) == 2 and figures[1] == "trend", block[:200]
        kinds = re.findall(r'data-chart="(\w+)"', page)
        # proportion, ratio and rate metrics have funnels; the pay gap has none
        assert kinds.count("funnel") == 3 and kinds.count("interval") == 1


def test_input_text_is_escaped(pages):
    for page in pages.values():
        assert "<script>alert" not in page
        assert html.escape(fx.MALICIOUS_NAME, quote=False) in page
        assert len(re.findall(r"<script\b", page)) == 1  # the report's own static script
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_no_suppressed_value_is_shown(pages):
    for page in pages.values():
        text = _without_svg(page)
        for secret in fx.secret_strings():
            assert secret not in text, secret
        assert "— (suppressed)" in text
    # charts draw glyphs as paths: the SVGs hold no text a value could hide in
    for page in pages.values():
        assert "<text" not in page


def test_suppressed_values_are_not_plotted():
    rows = fx.system_comparison(leak=True).filter(
        (pl.col("reporting_year") == "2023-24") & (pl.col("metric_id") == "wres_2")
    )
    assert rows.filter(pl.col("suppressed"))["value"].to_list() == [87.6543]
    visible = charts._plotted(rows)
    assert visible["org_code"].to_list() == ["RXA", "RXB"]


def test_offline_no_external_resources(pages):
    for page in pages.values():
        assert "http://" not in page and "https://" not in page
        assert not re.search(r"\b(src|href)\s*=\s*[\"'](?!#)", _without_svg(page))
        assert "<link" not in page and "@import" not in page
        assert not re.search(r"url\((?!#)", page)
        assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_summary_lists_trusts_in_config_order_not_ranked(pages):
    page = pages["2023-24"]
    summary = page[page.index('id="summary"') : page.index('id="family-')]
    positions = [summary.index(f"({t.org_code})") for t in fx.CONFIG.trusts]
    assert positions == sorted(positions)
    # RXB sits below the 99.8% limit on a higher-is-better metric: worse than the system
    assert "1 (1 beyond 99.8%)" in summary


def test_side_follows_the_direction():
    assert report.side("above_95", "higher_is_better", 2, 1) == "better"
    assert report.side("above_95", "lower_is_better", 2, 1) == "worse"
    assert report.side("below_99.8", "towards_parity", 1.1, 1.5) == "better"
    assert report.side("above_95", "towards_parity", 2.0, 1.5) == "worse"
    assert report.side("above_95", "towards_zero", 12.0, 8.0) == "worse"
    assert report.side("within", "higher_is_better", 2, 1) == ""


def test_format_value_never_turns_missing_into_zero():
    assert report.format_value(None, "percent") == "—"
    assert report.format_value(12.345, "percent") == "12.3%"
    assert report.format_value(1.2345, "ratio") == "1.23"


def test_deterministic(pages):
    again = report.build_report(
        fx.system_comparison(leak=True), fx.hia_scorecard(leak=True), fx.CONFIG, "2023-24"
    )
    assert again == pages["2023-24"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) absent")
def test_browser_renders_every_chart_and_hides_suppressed_values(reports, tmp_path):
    url = reports["2023-24"].resolve().as_uri()
    dom = browser.rendered_dom(url, tmp_path / "profile-dom")
    assert 'data-rendered="yes"' in dom, "the report's load handler did not run"
    sizes = browser.chart_sizes(dom)
    assert len(sizes) == 2 * len(fx.METRICS)
    assert all(width > 100 and height > 100 for width, height in sizes), sizes

    visible = browser.visible_text(dom)
    assert fx.MALICIOUS_NAME in visible  # shown as text, not run
    for secret in fx.secret_strings():
        assert secret not in visible, secret

    png = browser.screenshot(url, tmp_path / "report.png", tmp_path / "profile-shot")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 50_000  # a rendered page, not a blank one
    shutil.rmtree(tmp_path / "profile-dom", ignore_errors=True)
    shutil.rmtree(tmp_path / "profile-shot", ignore_errors=True)


def test_the_asset_page_preview_is_an_svg_image_and_charts_survive_all_suppressed():
    from assets.publish import _chart_preview

    preview = _chart_preview(fx.system_comparison())
    found = re.fullmatch(r"!\[[^\]]*\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", preview)
    assert found, preview[:200]
    image = base64.b64decode(found.group(1)).decode("utf-8")
    # an image file (unlike SVG inline in HTML) needs its namespace, and must be XML
    assert image.startswith('<svg xmlns="http://www.w3.org/2000/svg" ')
    assert ElementTree.fromstring(image).tag == "{http://www.w3.org/2000/svg}svg"
    assert "<text" not in image

    rows = fx.system_comparison().filter(
        (pl.col("reporting_year") == "2023-24") & (pl.col("metric_id") == "wdes_2")
    )
    hidden = rows.with_columns(pl.lit(True).alias("suppressed"))
    svg = charts.interval_plot(hidden, 1.31, title="$x$ <b>", unit="ratio")
    assert svg.startswith("<svg") and "<b>" not in svg and "<!--" not in svg
