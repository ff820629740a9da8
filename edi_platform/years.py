"""Reporting years: NHS financial years written ``YYYY-YY``.

``2023-24`` runs from 1 April 2023 to 31 March 2024; its workforce snapshot is
31 March 2024 and its staff survey ran in autumn 2023.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class ReportingYear:
    label: str

    def __post_init__(self) -> None:
        match = _YEAR_PATTERN.match(self.label)
        if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise ValueError(
                f"reporting year {self.label!r} is not a financial year written YYYY-YY, e.g. 2023-24"
            )

    @property
    def first_calendar_year(self) -> int:
        return int(self.label[:4])

    @property
    def start(self) -> date:
        return date(self.first_calendar_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.first_calendar_year + 1, 3, 31)

    @property
    def snapshot_date(self) -> date:
        """The 31 March workforce snapshot (also the pay gap snapshot)."""
        return self.end

    @property
    def survey_year(self) -> int:
        """Calendar year of the staff survey fieldwork that belongs to this year."""
        return self.first_calendar_year

    def __str__(self) -> str:
        return self.label


def parse_year_range(text: str) -> list[str]:
    """``2018-19:2023-24`` -> every reporting year from the first to the last."""
    first, _, last = text.partition(":")
    start = ReportingYear(first.strip())
    stop = ReportingYear((last or first).strip())
    if stop < start:
        raise ValueError(f"year range {text!r} runs backwards")
    return [
        f"{y}-{(y + 1) % 100:02d}"
        for y in range(start.first_calendar_year, stop.first_calendar_year + 1)
    ]


def reporting_year_of(day: date) -> str:
    """The reporting year a calendar day falls in: 1 April to 31 March."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def last_ended_reporting_year(day: date) -> str:
    """The latest reporting year whose 31 March snapshot is before ``day``."""
    first = (day.year if day.month >= 4 else day.year - 1) - 1
    return f"{first}-{(first + 1) % 100:02d}"
