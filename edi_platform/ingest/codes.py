"""Code lists: the dbt seeds (one source of truth with the warehouse) and the
fixed value lists of the extract contract.

A submitted value is recognised whatever its case, dashes and spacing, as the
code, the code followed by its description, or the description alone
(``A``, ``A White - British``, ``white british``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

import polars as pl

from edi_platform.paths import SEEDS_DIR


def match_key(text: str) -> str:
    """What two spellings of a value must share: letters and digits, lower case, '&' as 'and'."""
    return re.sub(r"[^0-9a-z]", "", text.lower().replace("&", "and"))


def match_key_expr(text: pl.Expr) -> pl.Expr:
    """``match_key`` as a polars expression."""
    return (
        text.str.to_lowercase()
        .str.replace_all("&", "and", literal=True)
        .str.replace_all(r"[^0-9a-z]", "")
    )


@dataclass(frozen=True)
class CodeList:
    name: str
    values: tuple[str, ...]
    """Canonical values, as written to the raw zone."""
    aliases: dict[str, str]
    """match key -> canonical value."""
    describe: str
    """What the column accepts, for the quality report."""
    leading_code: Callable[[pl.Expr], pl.Expr] | None = None
    """Reads a code from the value's first word when the whole value is not recognised."""

    def recognise(self, text: pl.Expr) -> pl.Expr:
        """Canonical value, or null when the (trimmed, non-blank) text is not recognised."""
        exact = match_key_expr(text).replace_strict(
            self.aliases, default=None, return_dtype=pl.String
        )
        if self.leading_code is None:
            return exact
        valid = {v: v for v in self.values}
        from_code = self.leading_code(text).replace_strict(
            valid, default=None, return_dtype=pl.String
        )
        return pl.coalesce(exact, from_code)


def _aliases(name: str, pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for spelling, value in pairs:
        key = match_key(spelling)
        if aliases.setdefault(key, value) != value:
            raise ValueError(
                f"code list {name}: {spelling!r} matches both {aliases[key]!r} and {value!r}"
            )
    return aliases


def _seed(file: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / file).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def coded_list(name: str, codes: dict[str, str], describe: str, leading_code) -> CodeList:
    """A list of codes with descriptions: code, description and 'code description' all match."""
    pairs = []
    for code, description in codes.items():
        pairs += [(code, code), (description, code), (f"{code} {description}", code)]
    return CodeList(name, tuple(codes), _aliases(name, pairs), describe, leading_code)


def value_list(name: str, values: Iterable[str], extra: dict[str, str] | None = None) -> CodeList:
    """A list of plain values (no codes); ``extra`` adds accepted abbreviations."""
    values = tuple(values)
    pairs = [(v, v) for v in values] + list((extra or {}).items())
    return CodeList(name, values, _aliases(name, pairs), "one of: " + ", ".join(values))


@cache
def ethnic_categories() -> CodeList:
    rows = _seed("ethnic_categories.csv")

    # ESR adds a local second character (CA, C3): the first is the national code.
    # 'NK', 'NS' and 'NA' are how systems write "not known/stated/applicable": they
    # must not roll up to N (Black African).
    def leading_code(text: pl.Expr) -> pl.Expr:
        first_word = text.str.extract(r"^([A-Za-z][A-Za-z0-9]?)(?:\s|$)", 1).str.to_uppercase()
        return (
            pl.when(first_word.is_in(["NK", "NS", "NA"]))
            .then(None)
            .otherwise(first_word.str.slice(0, 1))
        )

    return coded_list(
        "ethnic_categories",
        {r["ethnic_category_code"]: r["description"] for r in rows},
        "an NHS ethnic category code A to S or Z, optionally with its description",
        leading_code,
    )


@cache
def staff_groups() -> CodeList:
    rows = _seed("staff_groups.csv")

    # Excel drops the leading zero ('3'); ESR abbreviates descriptions ('05 Add Prof
    # Scientific and Technic'): the leading number is what identifies the group.
    def leading_code(text: pl.Expr) -> pl.Expr:
        return text.str.extract(r"^(\d{1,2})(?:\D|$)", 1).str.zfill(2)

    return coded_list(
        "staff_groups",
        {r["staff_group_code"]: r["staff_group_name"] for r in rows},
        "an NHS staff group code 01 to 10, optionally with its name, or the name alone",
        leading_code,
    )


@cache
def pay_bands() -> CodeList:
    values = [r["pay_band"] for r in _seed("pay_bands.csv")]
    # 'Band 5' may be sent as its band number alone ('5', '8a').
    numbers = {v.removeprefix("Band "): v for v in values if v.startswith("Band ")}
    return value_list("pay_bands", values, numbers)


@cache
def assignment_categories() -> CodeList:
    return value_list(
        "assignment_categories",
        [r["assignment_category"] for r in _seed("assignment_categories.csv")],
    )


DISABILITY = value_list("disability", ["Yes", "No", "Not Declared", "Prefer Not To Answer"])
SEX = value_list("sex", ["Male", "Female"])
INCIDENT_CATEGORIES = value_list(
    "category", ["Physical assault", "Verbal abuse", "Threatening behaviour", "Sexual", "Other"]
)
PERPETRATORS = value_list("perpetrator", ["Patient", "Relative or public", "Staff"])
HARM_LEVELS = value_list("harm_level", ["No harm", "Low", "Moderate", "Severe", "Death"])

SURVEY_GROUPS_BY_BREAKDOWN = {
    "overall": ("all",),
    "ethnicity": ("White", "BME"),
    "disability": ("Disabled", "Non-disabled"),
    "sex": ("Male", "Female"),
}
SURVEY_BREAKDOWNS = value_list("breakdown", SURVEY_GROUPS_BY_BREAKDOWN)
SURVEY_GROUPS = value_list(
    "group", [g for groups in SURVEY_GROUPS_BY_BREAKDOWN.values() for g in groups]
)
