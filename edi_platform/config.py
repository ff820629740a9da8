"""The ICS configuration: which trusts and years the platform processes.

Read from ``ics.yaml`` at the repository root, or from the file named by
``EDI_ICS_CONFIG``. Nothing else in the platform names a trust: partitions,
the generator and the system (ICS) rows all come from this file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from edi_platform.paths import REPO_ROOT
from edi_platform.years import ReportingYear

TRUST_TYPES = ("acute", "mental_health", "community", "ambulance")
_ORG_CODE = re.compile(r"^[A-Z0-9]{3}$")


class ConfigError(ValueError):
    """The ICS configuration file is missing or does not follow the contract."""


@dataclass(frozen=True)
class Trust:
    org_code: str
    name: str
    type: str


@dataclass(frozen=True)
class IngestSettings:
    max_rejected_share: float = 0.02
    max_file_mb: float = 200.0


@dataclass(frozen=True)
class DisclosureSettings:
    """Statistical disclosure control of everything published (metrics.md)."""

    min_count: int = 10  # record-derived cells with a count of 1 to min_count - 1 are suppressed
    min_survey_responses: int = 11  # survey cells with fewer responses are suppressed


@dataclass(frozen=True)
class FreshnessSettings:
    """When a reporting year's extracts are due (the freshness checks, assets/freshness.py)."""

    # Month and day, in the calendar year the reporting year ends, by which every
    # extract of that year should have arrived: 31 May gives trusts two months
    # after the 31 March snapshot.
    extracts_due: str = "05-31"


@dataclass(frozen=True)
class IcsConfig:
    icb_code: str
    icb_name: str
    reporting_years: tuple[str, ...]
    trusts: tuple[Trust, ...]
    ingest: IngestSettings = field(default_factory=IngestSettings)
    disclosure: DisclosureSettings = field(default_factory=DisclosureSettings)
    freshness: FreshnessSettings = field(default_factory=FreshnessSettings)
    source: Path | None = None

    @property
    def org_codes(self) -> tuple[str, ...]:
        return tuple(t.org_code for t in self.trusts)

    def trust(self, org_code: str) -> Trust:
        for trust in self.trusts:
            if trust.org_code == org_code:
                return trust
        raise KeyError(f"{org_code} is not a member trust of {self.icb_code}")


def config_path() -> Path:
    return Path(os.environ.get("EDI_ICS_CONFIG") or REPO_ROOT / "ics.yaml").resolve()


def load_config(path: str | Path | None = None) -> IcsConfig:
    path = Path(path) if path else config_path()
    if not path.is_file():
        raise ConfigError(f"ICS configuration {path} not found (set EDI_ICS_CONFIG)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse_config(raw, source=path)


def parse_config(raw: dict, source: Path | None = None) -> IcsConfig:
    where = str(source or "ICS configuration")

    def need(key: str):
        if key not in raw or raw[key] in (None, "", []):
            raise ConfigError(f"{where}: '{key}' is required")
        return raw[key]

    icb_code = str(need("icb_code")).strip().upper()
    if not _ORG_CODE.match(icb_code):
        raise ConfigError(f"{where}: icb_code {icb_code!r} is not a three-character ODS code")
    years = [str(y).strip() for y in need("reporting_years")]
    for year in years:
        try:
            ReportingYear(year)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
    if len(set(years)) != len(years):
        raise ConfigError(f"{where}: reporting_years lists a year twice")

    trusts = []
    for i, entry in enumerate(need("trusts"), start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: trust #{i} must be a mapping with org_code, name, type")
        org = str(entry.get("org_code", "")).strip().upper()
        if not _ORG_CODE.match(org):
            raise ConfigError(
                f"{where}: trust #{i} org_code {org!r} is not a three-character ODS code"
            )
        kind = str(entry.get("type", "")).strip()
        if kind not in TRUST_TYPES:
            raise ConfigError(
                f"{where}: trust {org} type {kind!r} is not one of {', '.join(TRUST_TYPES)}"
            )
        trusts.append(Trust(org_code=org, name=str(entry.get("name") or org).strip(), type=kind))
    codes = [t.org_code for t in trusts]
    if len(set(codes)) != len(codes):
        raise ConfigError(f"{where}: a trust org_code is listed twice")
    if icb_code in codes:
        raise ConfigError(f"{where}: the ICB code {icb_code} is also used as a trust code")

    ingest_raw = raw.get("ingest") or {}
    ingest = IngestSettings(
        max_rejected_share=float(ingest_raw.get("max_rejected_share", 0.02)),
        max_file_mb=float(ingest_raw.get("max_file_mb", 200)),
    )
    if not 0 <= ingest.max_rejected_share <= 1:
        raise ConfigError(f"{where}: ingest.max_rejected_share must be between 0 and 1")
    disclosure_raw = raw.get("disclosure") or {}
    disclosure = DisclosureSettings(
        min_count=int(disclosure_raw.get("min_count", 10)),
        min_survey_responses=int(disclosure_raw.get("min_survey_responses", 11)),
    )
    if disclosure.min_count < 1 or disclosure.min_survey_responses < 1:
        raise ConfigError(f"{where}: disclosure thresholds must be at least 1")
    due = str((raw.get("freshness") or {}).get("extracts_due", "05-31")).strip()
    try:
        datetime.strptime(f"2001-{due}", "%Y-%m-%d")
    except ValueError as exc:
        raise ConfigError(
            f"{where}: freshness.extracts_due {due!r} is not a month and day written MM-DD"
        ) from exc
    return IcsConfig(
        icb_code=icb_code,
        icb_name=str(raw.get("icb_name") or icb_code).strip(),
        reporting_years=tuple(sorted(years)),
        trusts=tuple(trusts),
        ingest=ingest,
        disclosure=disclosure,
        freshness=FreshnessSettings(extracts_due=due),
        source=source,
    )
