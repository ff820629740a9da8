"""What a generation run wrote: one record per file, with its variations and planted faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from edi_platform.generator.invalid_rows import PlantedInvalidRow


@dataclass(frozen=True)
class GeneratedFile:
    path: Path
    extract: str
    org_code: str
    reporting_year: str
    rows: int  # data rows, header and trailing blank lines not counted
    file_format: str  # csv | xlsx
    variations: tuple[str, ...]  # how the file differs from the plain form
    invalid_rows: tuple[PlantedInvalidRow, ...]


@dataclass
class GenerationSummary:
    seed: int
    scale: float
    years: tuple[str, ...]
    files: list[GeneratedFile] = field(default_factory=list)

    def file(self, org_code: str, reporting_year: str, extract: str) -> GeneratedFile:
        for record in self.files:
            if (record.org_code, record.reporting_year, record.extract) == (
                org_code,
                reporting_year,
                extract,
            ):
                return record
        raise KeyError(f"no {extract} file was generated for {org_code} {reporting_year}")

    def rows_by_extract(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for record in self.files:
            totals[record.extract] = totals.get(record.extract, 0) + record.rows
        return totals

    def invalid_rows(self) -> list[tuple[GeneratedFile, PlantedInvalidRow]]:
        return [(record, row) for record in self.files for row in record.invalid_rows]
