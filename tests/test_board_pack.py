"""The Excel board pack, read back from the xlsx XML itself (cell types matter:
a number must be a numeric cell, not text), and with polars/fastexcel."""

from __future__ import annotations

import zipfile
from pathlib import Path

import fixtures_publish as fx
import polars as pl
import pytest
import xlsxwriter
from xlsx_cells import read_cells, table

from edi_platform.publish import board_pack

YEAR = fx.YEARS[1]


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pack") / YEAR / "board_pack.xlsx"
    # leak=True: the suppressed rows still carry their true values; the pack must hide them
    return board_pack.write_board_pack(
        fx.system_comparison(leak=True), fx.hia_scorecard(leak=True), fx.CONFIG, YEAR, path
    )


@pytest.fixture(scope="module")
def cells(pack):
    return read_cells(pack)


def test_sheets(cells):
    assert list(cells) == ["WRES", "WDES", "Pay gaps", "Violence", "HIA scorecard", "Notes"]


def test_numbers_are_numeric_cells_with_a_format(cells, pack):
    for family in ("WRES", "WDES", "Pay gaps", "Violence"):
        _, rows = table(cells[family])
        assert rows, family
        for row in rows:
            if row["Suppressed"][1] == "No":
                assert row["Value"][0] == "n", (family, row["Value"])
                assert row["ICS value"][0] == "n"
    frame = pl.read_excel(pack, sheet_name="WRES")
    assert frame["Value"].dtype == pl.Float64
    with zipfile.ZipFile(pack) as archive:
        styles = archive.read("xl/styles.xml").decode()
    assert 'formatCode="0.0"' in styles and 'formatCode="#,##0"' in styles


def test_suppressed_cells_are_blank_never_zero(cells):
    hidden = ("Value", "95% interval lower", "95% interval upper", "Numerator", "Denominator")
    seen = 0
    for sheet in ("WRES", "WDES", "Pay gaps", "Violence", "HIA scorecard"):
        _, rows = table(cells[sheet])
        for row in rows:
            if row["Suppressed"][1] != "Yes":
                continue
            seen += 1
            for column in hidden:
                if column in row:
                    assert row[column][0] == "blank", (sheet, column, row[column])
    assert seen >= 2  # one suppressed row in WRES (RXC) and its HIA scorecard row


def test_no_suppressed_value_anywhere(cells):
    secrets = list(fx.SECRETS.values())
    for sheet, sheet_cells in cells.items():
        for kind, value in sheet_cells.values():
            if kind == "n":
                assert all(abs(value - s) > 1e-6 for s in secrets), sheet
            elif kind == "s":
                assert not any(s in value for s in fx.secret_strings()), (sheet, value)


def test_no_formula_and_no_text_that_starts_like_one(cells):
    texts = []
    for sheet, sheet_cells in cells.items():
        for kind, value in sheet_cells.values():
            assert kind != "f", sheet
            if kind == "s":
                texts.append(value)
                assert value != "", sheet  # an empty cell is blank, not an empty string
                assert not value.startswith(("=", "+", "-", "@")), (sheet, value)
    assert "'" + fx.FORMULA_GROUP in texts  # sanitised, still readable
    assert any(t.startswith("'@Relative likelihood") for t in texts)
    assert fx.MALICIOUS_NAME in texts  # plain text in a spreadsheet, kept as given


def test_notes_sheet_states_the_thresholds(cells):
    text = " ".join(str(v) for _, v in cells["Notes"].values())
    assert "from 1 to 9" in text and "fewer than 11" in text
    assert "not zero" in text and "higher_is_better" in text


def test_safe_text():
    assert board_pack.safe_text("=1+1") == "'=1+1"
    assert board_pack.safe_text("-2") == "'-2"
    assert board_pack.safe_text("+A1") == "'+A1"
    assert board_pack.safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert board_pack.safe_text("\t=1") == "'\t=1"
    assert board_pack.safe_text("Trust") == "Trust"
    assert board_pack.safe_text(None) == ""


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "board_pack.xlsx"
    path.write_bytes(b"previous")

    def broken_close(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", broken_close)
    with pytest.raises(RuntimeError):
        board_pack.write_board_pack(
            fx.system_comparison(), fx.hia_scorecard(), fx.CONFIG, YEAR, path
        )
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board_pack.xlsx"]
