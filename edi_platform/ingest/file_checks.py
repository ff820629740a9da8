"""Values that must be the same on every row because they name the partition.

A row for another trust or another survey year means the file was sent to
the wrong place: the whole file is refused, naming the first such row.
"""

from __future__ import annotations

import polars as pl

from edi_platform.ingest.errors import FileFault
from edi_platform.ingest.read import SOURCE_ROW
from edi_platform.years import ReportingYear


def check_partition_values(
    typed: pl.DataFrame, extract: str, org_code: str, year: ReportingYear, file: str
) -> None:
    other_org = typed.filter(pl.col("org_code").is_not_null() & (pl.col("org_code") != org_code))
    if not other_org.is_empty():
        row = other_org.row(0, named=True)
        raise FileFault(
            file,
            "org_mismatch",
            f"org_code is {row['org_code']} but the file was sent for {org_code}",
            row=row[SOURCE_ROW],
            column="org_code",
        )
    if extract != "staff_survey":
        return
    other_year = typed.filter(
        pl.col("survey_year").is_not_null() & (pl.col("survey_year") != year.survey_year)
    )
    if not other_year.is_empty():
        row = other_year.row(0, named=True)
        raise FileFault(
            file,
            "wrong_survey_year",
            f"survey_year is {row['survey_year']} but reporting year {year} takes the "
            f"{year.survey_year} survey",
            row=row[SOURCE_ROW],
            column="survey_year",
        )
