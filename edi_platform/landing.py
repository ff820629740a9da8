"""The landing zone: what trusts have sent, and what the platform will not ingest.

Files land at ``landing/<reporting_year>/<org_code>/<extract>.<csv|xlsx>``.
A year or trust folder the ICS configuration does not name, or a file that is
not one of the four extracts, is reported with the reason and never ingested.
Nor is a path that leads out of the landing folder (a symbolic link, or
``..`` in a path handed to ingest): trusts write to their folders, and that
must not let anyone make the platform read a file elsewhere on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from edi_platform.config import IcsConfig
from edi_platform.paths import EXTRACTS, DataPaths

ALLOWED_SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class LandingFile:
    reporting_year: str
    org_code: str
    extract: str
    path: Path


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


@dataclass
class LandingScan:
    files: list[LandingFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def partitions(self) -> list[tuple[str, str]]:
        """(org_code, reporting_year) pairs with at least one file, in a stable order."""
        return sorted({(f.org_code, f.reporting_year) for f in self.files})

    def extracts_for(self, org_code: str, reporting_year: str) -> list[str]:
        return [
            f.extract
            for f in self.files
            if f.org_code == org_code and f.reporting_year == reporting_year
        ]


def leaves_landing(path: Path, paths: DataPaths) -> bool:
    """True when the path, once ``..`` and symbolic links are followed, is outside landing/."""
    return not path.resolve().is_relative_to(paths.landing.resolve())


def in_partition_folder(path: Path, paths: DataPaths, reporting_year: str, org_code: str) -> bool:
    """True when the path, followed as above, is directly in landing/<year>/<org>/."""
    folder = paths.landing_dir(reporting_year, org_code)
    return not leaves_landing(path, paths) and path.resolve().parent == folder.resolve()


class AmbiguousLandingFile(ValueError):
    """Both a CSV and an XLSX were sent for the same extract."""


def find_landing_file(
    paths: DataPaths, reporting_year: str, org_code: str, extract: str
) -> Path | None:
    """The landing file of one extract of one partition, or None when it has not arrived."""
    folder = paths.landing_dir(reporting_year, org_code)
    if not folder.is_dir():
        return None
    found = [
        p
        for p in folder.iterdir()
        if p.is_file() and p.stem.lower() == extract and p.suffix.lower() in ALLOWED_SUFFIXES
    ]
    if len(found) > 1:
        names = ", ".join(sorted(p.name for p in found))
        raise AmbiguousLandingFile(
            f"{folder}: more than one file for {extract} ({names}); remove all but one"
        )
    return found[0] if found else None


def scan_landing(paths: DataPaths, config: IcsConfig) -> LandingScan:
    scan = LandingScan()
    if not paths.landing.is_dir():
        return scan
    years = set(config.reporting_years)
    orgs = set(config.org_codes)
    for year_dir in sorted(paths.landing.iterdir()):
        if year_dir.name.startswith("."):
            continue
        if not year_dir.is_dir():
            scan.skipped.append(Skipped(year_dir, "not inside a <year>/<org>/ folder"))
            continue
        if year_dir.name not in years:
            scan.skipped.append(
                Skipped(
                    year_dir,
                    f"reporting year {year_dir.name} is not configured for {config.icb_code}",
                )
            )
            continue
        for org_dir in sorted(year_dir.iterdir()):
            if org_dir.name.startswith("."):
                continue
            if not org_dir.is_dir():
                scan.skipped.append(Skipped(org_dir, "not inside an <org> folder"))
                continue
            if org_dir.name not in orgs:
                scan.skipped.append(
                    Skipped(org_dir, f"{org_dir.name} is not a member trust of {config.icb_code}")
                )
                continue
            _scan_partition(scan, year_dir.name, org_dir, paths)
    return scan


def _scan_partition(scan: LandingScan, year: str, org_dir: Path, paths: DataPaths) -> None:
    by_extract: dict[str, list[Path]] = {}
    for path in sorted(org_dir.iterdir()):
        if path.name.startswith("."):
            continue  # editors' and copy tools' temporary files
        extract = path.stem.lower()
        if leaves_landing(path, paths):
            scan.skipped.append(Skipped(path, "a link that leads outside the landing folder"))
        elif not path.is_file() or extract not in EXTRACTS:
            scan.skipped.append(Skipped(path, f"not one of the extracts {', '.join(EXTRACTS)}"))
        elif path.suffix.lower() not in ALLOWED_SUFFIXES:
            scan.skipped.append(Skipped(path, "only .csv and .xlsx files are read"))
        else:
            by_extract.setdefault(extract, []).append(path)
    for extract, found in sorted(by_extract.items()):
        if len(found) > 1:
            for path in found:
                scan.skipped.append(
                    Skipped(path, f"more than one file was sent for {extract}; remove all but one")
                )
            continue
        scan.files.append(LandingFile(year, org_dir.name, extract, found[0]))
