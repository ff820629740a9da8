"""Vectorised parsers: trimmed text in, typed value out, null when the text is not
a value of that type. Blank text is the caller's business (it decides whether
blank is allowed), so every parser may return null for it.
"""

from __future__ import annotations

from datetime import date

import polars as pl

_TRUE = ("y", "yes", "1", "true")
_FALSE = ("n", "no", "0", "false")
FLAG_WORDS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}

# A date, optionally followed by a time of day (XLSX date cells and incident
# systems' date-times arrive like that): only the date is kept.
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = rf"^(\d{{4}}-\d{{1,2}}-\d{{1,2}}){_TIME}$"
_UK_DATE = rf"^(\d{{1,2}}/\d{{1,2}}/\d{{4}}){_TIME}$"

# Digits with optional thousands separators: 1234, 1,234, 12,345,678.
_WHOLE = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_INTEGER = rf"^-?{_WHOLE}(?:\.0+)?$"
_DECIMAL = r"^-?(?:\d+(?:\.\d*)?|\.\d+)$"
_MONEY = rf"^-?{_WHOLE}(?:\.\d+)?$"

AGE_BANDS = (
    "Under 20", "20-24", "25-29", "30-34", "35-39", "40-44",
    "45-49", "50-54", "55-59", "60-64", "65 and over",
)  # fmt: skip
PLAUSIBLE_AGE = (15, 100)


def parse_flag(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().replace_strict(FLAG_WORDS, default=None, return_dtype=pl.Boolean)


def parse_date(text: pl.Expr) -> pl.Expr:
    iso = text.str.extract(_ISO_DATE, 1).str.to_date("%Y-%m-%d", strict=False)
    uk = text.str.extract(_UK_DATE, 1).str.to_date("%d/%m/%Y", strict=False)
    return pl.coalesce(iso, uk)


def parse_integer(text: pl.Expr) -> pl.Expr:
    digits = text.str.replace_all(",", "", literal=True).str.replace(r"\.0+$", "")
    return pl.when(text.str.contains(_INTEGER)).then(digits.cast(pl.Int64, strict=False))


def parse_decimal(text: pl.Expr) -> pl.Expr:
    return pl.when(text.str.contains(_DECIMAL)).then(text.cast(pl.Float64, strict=False))


def parse_money(text: pl.Expr) -> pl.Expr:
    """Pounds: ``2345.67``, ``£2,345.67``, ``-£12.50``; rounded to pence."""
    plain = text.str.replace(r"^(-?)\s*£\s*", "${1}")
    return pl.when(plain.str.contains(_MONEY)).then(
        plain.str.replace_all(",", "", literal=True).cast(pl.Decimal(18, 2), strict=False)
    )


def age_at(born: pl.Expr, on: date) -> pl.Expr:
    """Whole years of age on a date."""
    birthday_to_come = (born.dt.month() > on.month) | (
        (born.dt.month() == on.month) & (born.dt.day() > on.day)
    )
    return pl.lit(on.year) - born.dt.year().cast(pl.Int32) - birthday_to_come.cast(pl.Int32)


def age_band(age: pl.Expr) -> pl.Expr:
    """Five-year bands from 20 to 64, open-ended below and above."""
    index = ((age - 15) // 5).clip(0, len(AGE_BANDS) - 1)
    return index.replace_strict(dict(enumerate(AGE_BANDS)), return_dtype=pl.String)


def plain_spacing(text: pl.Expr) -> pl.Expr:
    """One plain space between words and plain hyphens for dashes (``1–2`` is ``1-2``)."""
    return text.str.replace_all(r"[\u2010-\u2015\u2212]", "-").str.replace_all(r"\s+", " ")
