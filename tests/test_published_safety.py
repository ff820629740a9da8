"""Published files are safe to open: hostile trust names go through the publish
code to CSV, Parquet, the Excel board pack and the HTML report, and come out
as text that no spreadsheet runs and no browser executes.

Trust names come from the ICS configuration (a person types them); group and
metric labels can come from input. Fast: the small hand-made frames of
fixtures_publish, renamed, rather than a warehouse built with dbt.
"""

from __future__ import annotations

import csv
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import browser
import fixtures_publish as fx
import polars as pl
import pytest
from xlsx_cells import read_cells

from edi_platform.config import parse_config
from edi_platform.publish import board_pack, report
from edi_platform.publish.files import write_table

SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAMES = ('=HYPERLINK("http://x","y")', "@SUM(1+1)", "-2+3")
CONFIG = parse_config(
    {
        "icb_code": fx.CONFIG.icb_code,
        "icb_name": fx.CONFIG.icb_name,
        "reporting_years": list(fx.YEARS),
        "trusts": [
            {"org_code": "RXA", "name": SCRIPT_NAME, "type": "acute"},
            {"org_code": "RXB", "name": FORMULA_NAMES[0], "type": "mental_health"},
            {"org_code": "RXC", "name": FORMULA_NAMES[1], "type": "community"},
            {"org_code": "RXD", "name": FORMULA_NAMES[2], "type": "community"},
        ],
    }
)
YEAR = fx.YEARS[1]
# What a spreadsheet would run: text starting with = + - @, or with a tab or carriage
# return, or one of those characters after leading spaces (stated here on its own,
# not taken from the code under test).
FORMULA = re.compile(r"^(?:[\t\r]|\s*[=+\-@])")


def _named(frame: pl.DataFrame) -> pl.DataFrame:
    """fixtures_publish rows with a fourth trust (a copy of RXC) and this module's names,
    joined on org_code as the published tables take them from the configuration."""
    fourth = frame.filter(pl.col("org_code") == "RXC").with_columns(org_code=pl.lit("RXD"))
    names = {t.org_code: t.name for t in CONFIG.trusts} | {CONFIG.icb_code: CONFIG.icb_name}
    return pl.concat([frame, fourth]).with_columns(
        org_name=pl.col("org_code").replace_strict(names)
    )


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return {
        "system_comparison": _named(fx.system_comparison()),
        "hia_scorecard": _named(fx.hia_scorecard()),
    }


@pytest.fixture(scope="module")
def published(tables, tmp_path_factory) -> Path:
    """One year's files, written by the publish code itself."""
    folder = tmp_path_factory.mktemp("published") / YEAR
    for name, frame in tables.items():
        write_table(frame.filter(pl.col("reporting_year") == YEAR), folder, name)
    comparison, scorecard = tables["system_comparison"], tables["hia_scorecard"]
    board_pack.write_board_pack(comparison, scorecard, CONFIG, YEAR, folder / "board_pack.xlsx")
    report.render_report(comparison, scorecard, CONFIG, YEAR, folder.parent)
    return folder


def test_every_hostile_name_is_a_trust_of_the_configuration(tables):
    names = set(tables["system_comparison"]["org_name"])
    assert {SCRIPT_NAME, *FORMULA_NAMES} <= names


# --- CSV and Parquet ----------------------------------------------------------------------


def test_no_csv_field_is_a_formula_when_read_back(published):
    with (published / "system_comparison.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    names = {row["org_name"] for row in rows}
    assert names == {SCRIPT_NAME, *("'" + n for n in FORMULA_NAMES)}
    groups = {row["group"] for row in rows}
    assert "'" + fx.FORMULA_GROUP in groups  # a label from input, not only trust names
    for row in rows:
        for column, field in row.items():
            if FORMULA.match(field):
                # numbers are the only fields allowed to start with a minus sign
                assert re.fullmatch(r"-\d+(\.\d+)?(e-?\d+)?", field), (column, field)


def test_the_parquet_file_holds_the_same_values_as_the_csv(published):
    parquet = pl.read_parquet(published / "system_comparison.parquet")
    from_csv = pl.read_csv(published / "system_comparison.csv", infer_schema=False)
    assert sorted(parquet["org_name"].unique()) == sorted(from_csv["org_name"].unique())
    assert parquet["value"].dtype == pl.Float64  # numbers stay numbers


# --- the board pack -----------------------------------------------------------------------


def test_no_xlsx_cell_is_a_formula(published):
    with zipfile.ZipFile(published / "board_pack.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 6
        for sheet in sheets:
            xml = archive.read(sheet).decode()
            assert "<f>" not in xml and "<f " not in xml, sheet


def test_hostile_names_are_string_cells_starting_with_an_apostrophe(published):
    cells = read_cells(published / "board_pack.xlsx")
    written = [value for sheet in cells.values() for value in sheet.values()]
    texts = [value for kind, value in written if kind in ("s", "inlineStr")]
    assert not [value for kind, value in written if kind == "f"]
    for name in FORMULA_NAMES:
        assert "'" + name in texts, name
        assert name not in texts, name
    assert SCRIPT_NAME in texts  # harmless in a spreadsheet: kept as given
    assert not [t for t in texts if FORMULA.match(t)]


# --- the HTML report ----------------------------------------------------------------------


class _Page(HTMLParser):
    """The parts of a page a browser would run or show."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []
        self._inside: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._inside.append(tag)
        self.attributes += [value or "" for _, value in attrs]
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag in self._inside:
            while self._inside.pop() != tag:
                pass

    def handle_data(self, data):
        if self._inside and self._inside[-1] == "script":
            self.scripts[-1] += data
        elif not set(self._inside) & {"style", "svg"}:
            self.text.append(data)


@pytest.fixture(scope="module")
def page(published) -> str:
    return (published / "report.html").read_text(encoding="utf-8")


def test_the_report_runs_only_its_own_script(page):
    parsed = _Page()
    parsed.feed(page)
    assert parsed.scripts == [report._SCRIPT]
    assert not [a for a in parsed.attributes if "alert" in a or "HYPERLINK" in a]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_every_hostile_name_is_shown_as_text(page):
    parsed = _Page()
    parsed.feed(page)
    shown = "".join(parsed.text)
    for name in (SCRIPT_NAME, *FORMULA_NAMES):
        assert f"{name} (" in shown, name  # "<name> (<org code>)" in the tables


def test_the_browser_shows_the_script_as_text(published, tmp_path):
    dom = browser.rendered_dom((published / "report.html").resolve().as_uri(), tmp_path / "p")
    assert 'data-rendered="yes"' in dom  # the report's own script did run
    visible = browser.visible_text(dom)
    assert f"{SCRIPT_NAME} (RXA)" in visible
    assert f"{FORMULA_NAMES[0]} (RXB)" in visible
