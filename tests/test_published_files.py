"""Every published file, read back, on a generated ICS built as `make run` builds it.

The fixture generates three trusts for two years, ingests them, builds the
marts with dbt and materialises the publish assets (tables, board packs,
reports). Then each file under published/<year>/ is opened as its reader
would open it: CSV and Parquet with polars, the board pack from its XML, the
report as text and in Debian's headless Chromium. None may hold a
record-derived count from 1 to 9, a survey cell of fewer than 11 responses,
a suppressed value, or text that a spreadsheet would run as a formula.

The suppressed values to look for are the true ones: the same marts
published again with disclosure control switched off.
"""

from __future__ import annotations

import dataclasses
import html
import re
import shutil

import browser
import dbt_support
import duckdb
import polars as pl
import pytest
from browser import ARTIFACTS, CHROMIUM
from dagster import DagsterInstance, materialize
from xlsx_cells import read_cells, table

from assets.publish import publish_assets, report_assets
from edi_platform.config import DisclosureSettings, parse_config
from edi_platform.paths import DataPaths
from edi_platform.publish.report import SUPPRESSED, format_value
from edi_platform.publish.system_comparison import MARTS, build_published_tables

pytestmark = pytest.mark.slow

CONFIG = parse_config(
    {
        "icb_code": "QPB",
        "icb_name": "Publish test ICB",
        "reporting_years": ["2022-23", "2023-24"],
        "trusts": [
            {"org_code": "R1P", "name": "Acute", "type": "acute"},
            {"org_code": "R2P", "name": "=Mental health", "type": "mental_health"},
            {"org_code": "R3P", "name": "Community <b>care</b>", "type": "community"},
        ],
    }
)
YEARS = CONFIG.reporting_years
SURVEY_PREFIXES = ("wres_5", "wres_6", "wres_7", "wres_8", "wdes_4", "wdes_5", "wdes_6",
                   "wdes_7", "wdes_8", "wdes_9", "va_survey")  # fmt: skip
SURVEY = "^(" + "|".join(SURVEY_PREFIXES) + ")"
FILES = {"system_comparison.csv", "system_comparison.parquet", "hia_scorecard.csv",
         "hia_scorecard.parquet", "board_pack.xlsx", "report.html"}  # fmt: skip
FAMILY_SHEETS = ("WRES", "WDES", "Pay gaps", "Violence")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> DataPaths:
    work = tmp_path_factory.mktemp("publish")
    paths = DataPaths(work / "data")
    dbt_support.generate_and_ingest(CONFIG, paths, seed=11, scale=0.05)
    run = dbt_support.run_dbt(
        # build (not run): the reference seeds come with it; the data tests run elsewhere
        ["build", "--select", *(f"+{mart}" for mart in MARTS),
         "--exclude-resource-type", "test", "unit_test"],
        paths.root,
        work,
        icb_code=CONFIG.icb_code,
    )  # fmt: skip
    assert run.returncode == 0, run.output[-3000:]
    result = materialize(
        [publish_assets(CONFIG, paths), report_assets(CONFIG, paths)],
        instance=DagsterInstance.ephemeral(),
    )
    assert result.success
    return paths


@pytest.fixture(scope="module")
def comparison(published) -> pl.DataFrame:
    return pl.concat(
        [pl.read_parquet(published.published / y / "system_comparison.parquet") for y in YEARS]
    )


@pytest.fixture(scope="module")
def true_values(published) -> pl.DataFrame:
    """The headline values as they would be with disclosure control switched off."""
    open_config = dataclasses.replace(
        CONFIG, disclosure=DisclosureSettings(min_count=1, min_survey_responses=0)
    )
    with duckdb.connect(str(published.warehouse), read_only=True) as connection:
        uncontrolled, _ = build_published_tables(connection, open_config)
    assert not uncontrolled["suppressed"].any()
    return uncontrolled


@pytest.fixture(scope="module")
def hidden(comparison, true_values) -> list[dict]:
    """Each suppressed published row with its true value and unit."""
    keys = ["org_code", "reporting_year", "metric_id", "breakdown", "group"]
    rows = comparison.filter(pl.col("suppressed")).select(*keys, "headline", "unit")
    truth = true_values.select(*keys, pl.col("value").alias("true_value"))
    joined = rows.join(truth, on=keys, how="left", nulls_equal=True)
    # the generated ICS is small: some rows must be suppressed, or this proves nothing
    assert joined.height >= 5 and joined["true_value"].null_count() < joined.height
    return joined.to_dicts()


def test_each_year_has_exactly_the_published_files(published):
    for year in YEARS:
        names = {p.name for p in (published.published / year).iterdir()}
        assert names == FILES, year  # and no temporary file left behind
    assert {p.name for p in published.published.iterdir()} == set(YEARS)


def _check_counts(frame: pl.DataFrame, where: str) -> None:
    """No record count of 1-9 and no survey cell under 11 responses among shown rows."""
    shown = frame.filter(~pl.col("suppressed"))
    survey = pl.col("metric_id").str.contains(SURVEY)
    for column in ("numerator", "denominator"):
        if column in frame.columns:
            counts = shown.filter(~survey)[column].drop_nulls()
            assert not counts.is_between(1, 9).any(), (where, column)
    if "denominator" in frame.columns:
        responses = shown.filter(survey)["denominator"].drop_nulls()
        assert not (responses < 11).any(), where


def test_tables_are_disclosure_controlled(published):
    for year in YEARS:
        for name in ("system_comparison", "hia_scorecard"):
            for path in (published.published / year).glob(f"{name}.*"):
                frame = (
                    pl.read_csv(path, infer_schema_length=None)
                    if path.suffix == ".csv"
                    else pl.read_parquet(path)
                )
                assert frame.height > 0 and set(frame["reporting_year"]) == {year}, path
                hidden = frame.filter(pl.col("suppressed"))
                # null plus flag, never zero
                for column in ("value", "ci_lower", "ci_upper", "numerator", "denominator"):
                    if column in frame.columns:
                        assert hidden[column].null_count() == hidden.height, (path, column)
                _check_counts(frame, str(path))
                for column, dtype in frame.schema.items():
                    if dtype == pl.String:
                        starts = frame[column].drop_nulls().str.contains(r"^[=+\-@\t\r]")
                        assert not starts.any(), (path, column)
    # the warehouse's publish schema holds the same rows as the files
    with duckdb.connect(str(published.warehouse), read_only=True) as connection:
        rows = connection.execute("select count(*) from publish.system_comparison").fetchone()[0]
    files = [published.published / y / "system_comparison.parquet" for y in YEARS]
    assert rows == sum(pl.read_parquet(f).height for f in files)


def _sheet_frame(cells: dict) -> tuple[pl.DataFrame, list[dict]]:
    headers, rows = table(cells)
    records = [{h: value for h, (_, value) in row.items()} for row in rows]
    return pl.DataFrame(records, infer_schema_length=None), rows


def test_board_packs_hold_no_small_count_no_suppressed_value_and_no_formula(published, comparison):
    for year in YEARS:
        cells = read_cells(published.published / year / "board_pack.xlsx")
        assert list(cells) == [*FAMILY_SHEETS, "HIA scorecard", "Notes"]
        year_rows = comparison.filter(pl.col("reporting_year") == year)
        packed = 0
        for sheet in FAMILY_SHEETS:
            frame, rows = _sheet_frame(cells[sheet])
            if not rows:
                continue
            packed += frame.height
            for row in rows:
                shown = row["Suppressed"][1] == "No"
                for column in ("Value", "Numerator", "Denominator", "z-score", "Change"):
                    kind = row[column][0]
                    # numbers are numeric cells; a suppressed row's are blank, never zero
                    assert kind in (("n", "blank") if shown else ("blank",)), (sheet, column)
            renamed = frame.select(
                pl.col("Metric").alias("metric_id"),
                pl.col("Numerator").cast(pl.Float64).alias("numerator"),
                pl.col("Denominator").cast(pl.Float64).alias("denominator"),
                (pl.col("Suppressed") == "Yes").alias("suppressed"),
            )
            _check_counts(renamed, f"{year} {sheet}")
        assert packed == year_rows.height  # every published row, and only those
        for sheet, sheet_cells in cells.items():
            for kind, value in sheet_cells.values():
                assert kind != "f", sheet
                if kind == "s":
                    assert not value.startswith(("=", "+", "-", "@")), (sheet, value)
        # the pack shows the published table's values and nothing else (a search for the
        # hidden true values would trip over chance: 2 of 9 and 4 of 18 are both 22.2%)
        keys = ["org_code", "metric_id", "breakdown", "group"]
        for sheet in FAMILY_SHEETS:
            frame, _ = _sheet_frame(cells[sheet])
            if frame.is_empty():
                continue
            shown = frame.select(
                pl.col("Organisation code").alias("org_code"), pl.col("Metric").alias("metric_id"),
                pl.col("Breakdown").alias("breakdown"), pl.col("Group").str.strip_prefix("'").alias("group"),
                pl.col("Value").cast(pl.Float64).alias("shown"),
            )  # fmt: skip
            both = shown.join(year_rows, on=keys, how="left", nulls_equal=True)
            assert both["suppressed"].null_count() == 0, sheet  # every pack row is published
            differ = both.filter(~pl.col("shown").eq_missing(pl.col("value")))
            close = (differ["shown"] - differ["value"]).abs() < 1e-9
            assert close.all(), differ.filter(~close)


def _metric_rows(page: str) -> dict[tuple[str, str, str], dict[str, list[str]]]:
    """{(headline, breakdown, group): {org_code: [cell texts]}} from the report's metric tables."""
    out = {}
    for block in re.findall(r'<div class="metric" id="m-.*?</table>', page, flags=re.S):
        headline = html.unescape(re.search(r"<h3>(.*?)</h3>", block).group(1))
        note = html.unescape(re.search(r"Breakdown: (.*?); group: (.*?)\. Unit", block).group(0))
        breakdown, group = re.search(r"Breakdown: (.*?); group: (.*?)\. Unit", note).groups()
        rows = {}
        for tr in re.findall(r"<tr><td>.*?</tr>", block, flags=re.S):
            cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
            code = re.search(r"\((\w+)\)$", cells[0]).group(1)
            rows[code] = cells
        out[(headline, breakdown, group)] = rows
    return out


def test_reports_show_every_suppressed_row_as_suppressed_and_never_its_value(published, hidden):
    pages = {
        y: (published.published / y / "report.html").read_text(encoding="utf-8") for y in YEARS
    }
    tables = {year: _metric_rows(page) for year, page in pages.items()}
    for row in hidden:
        year, org = row["reporting_year"], row["org_code"]
        cells = tables[year][(row["headline"], row["breakdown"], row["group"])][org]
        assert cells[1] == SUPPRESSED, (row, cells)
        truth = format_value(row["true_value"], row["unit"])
        if row["true_value"] is not None:
            assert truth.strip("%") not in " ".join(cells), (row, cells)
        # next year's report does not show it as "last year" either
        later = [y for y in YEARS if y > year]
        if later:
            next_cells = tables[later[0]][(row["headline"], row["breakdown"], row["group"])]
            assert next_cells[org][3] == "—", (row, next_cells[org])
    for page in pages.values():
        # input text is escaped, and a trust name starting with "=" is shown as given
        assert "<b>care</b>" not in page and "Community &lt;b&gt;care&lt;/b&gt;" in page


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) absent")
def test_the_generated_report_renders_in_a_browser(published, hidden, tmp_path):
    year = YEARS[-1]
    report = published.published / year / "report.html"
    url = report.resolve().as_uri()
    dom = browser.rendered_dom(url, tmp_path / "profile-dom")
    assert 'data-rendered="yes"' in dom, "the report's load handler did not run"
    sizes = browser.chart_sizes(dom)
    metrics = len(_metric_rows(report.read_text(encoding="utf-8")))
    assert len(sizes) == 2 * metrics and metrics >= 30  # a funnel or interval plot and a trend
    assert all(width > 100 and height > 100 for width, height in sizes), sizes
    visible = browser.visible_text(dom)
    assert visible.count(SUPPRESSED) >= len([h for h in hidden if h["reporting_year"] == year])

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = browser.screenshot(url, ARTIFACTS / f"report-{year}.png", tmp_path / "profile-shot")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    shutil.rmtree(tmp_path / "profile-dom", ignore_errors=True)
    shutil.rmtree(tmp_path / "profile-shot", ignore_errors=True)


def test_the_catalogue_names_each_ratio_in_the_marts_order(published):
    from edi_platform.publish.headlines import HEADLINES

    with duckdb.connect(str(published.warehouse), read_only=True) as connection:
        for headline in (h for h in HEADLINES if h.ratio_groups):
            rows = pl.from_arrow(
                connection.sql(
                    f"select * from marts.{headline.mart} where metric_id = $metric "
                    "and org_code = $org",
                    params={"metric": headline.metric_id, "org": CONFIG.icb_code},
                ).to_arrow_table()
            )
            by_group = {
                group: rows.filter(pl.col("group") == group).sort("reporting_year")["value"]
                for group in (*headline.ratio_groups, "relative_likelihood")
            }
            first, second = headline.ratio_groups
            ratio = (by_group[first] / by_group[second]).to_list()
            assert ratio == pytest.approx(by_group["relative_likelihood"].to_list()), headline
