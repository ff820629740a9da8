"""Which trusts have not sent a year's extracts by the date they were due.

A reporting year's extracts are due on ``freshness.extracts_due`` (MM-DD, in
the calendar year the reporting year ends; default 31 May, two months after
the 31 March snapshot). The year checked is the latest configured year that
is already due; earlier years are history and a backfill's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from edi_platform.config import IcsConfig
from edi_platform.landing import find_landing_file
from edi_platform.paths import EXTRACTS, DataPaths
from edi_platform.years import ReportingYear


@dataclass(frozen=True)
class Overdue:
    org_code: str
    reporting_year: str
    extract: str
    due: date


def due_date(config: IcsConfig, reporting_year: str) -> date:
    month, day = (int(part) for part in config.freshness.extracts_due.split("-"))
    return date(ReportingYear(reporting_year).end.year, month, day)


def year_to_check(config: IcsConfig, today: date) -> str | None:
    """The latest configured reporting year whose extracts are due by ``today``."""
    due = [y for y in config.reporting_years if due_date(config, y) < today]
    return max(due) if due else None


def overdue_extracts(config: IcsConfig, paths: DataPaths, today: date) -> list[Overdue]:
    """Every (trust, extract) of the year to check that has not arrived in landing."""
    year = year_to_check(config, today)
    if year is None:
        return []
    due = due_date(config, year)
    return [
        Overdue(org_code, year, extract, due)
        for extract in EXTRACTS
        for org_code in config.org_codes
        if find_landing_file(paths, year, org_code, extract) is None
    ]
