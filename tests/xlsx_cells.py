"""Read an xlsx back from its XML: each cell's kind matters (a number must be a
numeric cell, not text; no cell may be a formula), which a dataframe reader hides."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _column_index(reference: str) -> int:
    letters = "".join(ch for ch in reference if ch.isalpha())
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def read_cells(path: Path) -> dict[str, dict[tuple[int, int], tuple[str, object]]]:
    """{sheet: {(row, col): (kind, value)}}, kind 'n' number, 's' text, 'f' formula."""
    with zipfile.ZipFile(path) as archive:
        strings = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            for item in root.findall("m:si", NS):
                strings.append("".join(t.text or "" for t in item.iter(f"{{{NS['m']}}}t")))
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        out = {}
        for sheet in workbook.find("m:sheets", NS):
            target = targets[sheet.get(REL)].lstrip("/")
            target = target if target.startswith("xl/") else f"xl/{target}"
            root = ElementTree.fromstring(archive.read(target))
            cells = {}
            for row in root.iter(f"{{{NS['m']}}}row"):
                r = int(row.get("r")) - 1
                for cell in row.findall("m:c", NS):
                    c = _column_index(cell.get("r"))
                    if cell.find("m:f", NS) is not None:
                        cells[(r, c)] = ("f", None)
                        continue
                    v = cell.find("m:v", NS)
                    kind = cell.get("t", "n")
                    if v is None:
                        cells[(r, c)] = ("blank", None)
                    elif kind == "s":
                        cells[(r, c)] = ("s", strings[int(v.text)])
                    elif kind == "n":
                        cells[(r, c)] = ("n", float(v.text))
                    else:
                        cells[(r, c)] = (kind, v.text)
            out[sheet.get("name")] = cells
    return out


def table(cells: dict) -> tuple[list[str], list[dict[str, tuple[str, object]]]]:
    header_row = [cells.get((0, c)) for c in range(60)]
    headers = [h[1] for h in header_row if h]
    last = max(r for r, _ in cells)
    rows = []
    for r in range(1, last + 1):
        rows.append({h: cells.get((r, c), ("blank", None)) for c, h in enumerate(headers)})
    return headers, rows
