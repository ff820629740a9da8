"""Where things live. ``EDI_DATA_DIR`` (default ``data/``) is the root of every zone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

EXTRACTS = ("esr_staff", "recruitment", "staff_survey", "incidents")


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def analyst_database(self) -> Path:
        """The analysts' copy of the marts and published tables (edi_platform/analyst.py)."""
        return self.root / "analyst.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published"

    def landing_dir(self, year: str, org_code: str) -> Path:
        return self.landing / year / org_code

    def raw_partition(self, extract: str, year: str, org_code: str) -> Path:
        return self.raw / extract / f"year={year}" / f"org={org_code}"

    def raw_files(self, extract: str) -> list[Path]:
        """Every ingested partition file of one extract (what dbt's source reads)."""
        return sorted((self.raw / extract).glob("year=*/org=*/*.parquet"))

    def quarantine_partition(self, extract: str, year: str, org_code: str) -> Path:
        return self.quarantine / extract / f"year={year}" / f"org={org_code}"


def data_dir() -> Path:
    return Path(os.environ.get("EDI_DATA_DIR") or REPO_ROOT / "data").resolve()


def data_paths(root: str | Path | None = None) -> DataPaths:
    return DataPaths(Path(root).resolve() if root else data_dir())
