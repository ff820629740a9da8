"""Text that no spreadsheet runs as a formula (CSV or formula injection).

Excel, LibreOffice and Google Sheets run a cell whose text starts with ``=``,
``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)`` can send data away,
``@SUM(...)`` and ``-2+3`` compute), whether the cell came from a CSV field,
quoted or not, or was typed. Some importers also drop a leading tab, carriage
return or space and then evaluate what follows. So, following OWASP's advice,
such text gets a leading apostrophe: ``'=HYPERLINK(...)``. The apostrophe stays
visible, so nobody mistakes the text for a formula, and the text stays inert
when the sheet is saved again as CSV, imported by another program or re-typed.

Only text is changed: numbers stay numbers (a pay gap of -3.2 is the number
-3.2, not the text ``'-3.2``).
"""

from __future__ import annotations

import re

import polars as pl

# A tab or carriage return first, or a formula character after whitespace that an
# importer may strip. One pattern for Python (``re``) and polars (Rust regex) alike.
RISKY = r"^(?:[\t\r]|[ \t\r\n]*[=+\-@])"
_RISKY = re.compile(RISKY)


def needs_quoting(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula."""
    return _RISKY.match(text) is not None


def safe_text(value) -> str:
    """``value`` as text that no spreadsheet will run (None is empty text)."""
    text = "" if value is None else str(value)
    return "'" + text if needs_quoting(text) else text


def defuse_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell that a spreadsheet would run gets a leading apostrophe."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(RISKY))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )
