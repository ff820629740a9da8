"""Which landing files are new, settled and not yet ingested: the file-drop sensor's logic.

The Dagster sensor (``assets/sensors.py``) calls ``plan_ingest`` on every tick
with the state it kept from the last tick and stores the new state as its
cursor. A file is ingested once per distinct version (path, size and
modification time):

- a version seen for the first time is *settling*: a trust's upload may still
  be writing it, so nothing runs yet;
- a version unchanged since the previous tick is *settled* and its partition
  is requested, once; files that arrive by atomic rename (written under a
  dot-name, then renamed) are ignored while hidden and settle like any other;
- a version older than the partition's raw Parquet was ingested already (by
  ``edi run``, a backfill or an earlier sensor) and is only remembered, so a
  sensor switched on beside existing data does not re-run it;
- files the ICS does not expect (an unknown trust or year, a stray file name)
  are reported once each, with the reason, and never ingested.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edi_platform.config import IcsConfig
from edi_platform.landing import LandingFile, scan_landing
from edi_platform.paths import DataPaths

Version = tuple[int, int]  # (size in bytes, modification time in ns)


@dataclass
class WatchState:
    """What the sensor remembers between ticks (its cursor, as JSON)."""

    settling: dict[str, Version] = field(default_factory=dict)
    ingested: dict[str, Version] = field(default_factory=dict)
    reported: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "settling": {k: list(v) for k, v in self.settling.items()},
            "ingested": {k: list(v) for k, v in self.ingested.items()},
            "reported": sorted(self.reported),
        }

    @classmethod
    def from_json(cls, data: dict | None) -> WatchState:
        data = data or {}
        return cls(
            settling={k: tuple(v) for k, v in (data.get("settling") or {}).items()},
            ingested={k: tuple(v) for k, v in (data.get("ingested") or {}).items()},
            reported=list(data.get("reported") or []),
        )


@dataclass(frozen=True)
class PartitionRequest:
    """Ingest these extracts of one trust-year: their files are new and settled."""

    org_code: str
    reporting_year: str
    extracts: tuple[str, ...]
    versions: tuple[tuple[str, int, int], ...]  # (path, size, mtime_ns) of each file

    @property
    def run_key(self) -> str:
        """Unique per set of file versions: Dagster never launches the same key twice."""
        files = ";".join(f"{path}:{size}:{mtime}" for path, size, mtime in self.versions)
        return f"{self.org_code}|{self.reporting_year}|{files}"


@dataclass
class IngestPlan:
    requests: list[PartitionRequest]
    settling: list[str]  # paths waiting for a second look
    newly_skipped: list[tuple[str, str]]  # (path, reason), reported the first time only
    state: WatchState


def _version(file: LandingFile) -> Version | None:
    try:
        stat = file.path.stat()
    except FileNotFoundError:  # removed between the scan and now
        return None
    return (stat.st_size, stat.st_mtime_ns)


def _already_ingested(paths: DataPaths, file: LandingFile, version: Version) -> bool:
    raw = paths.raw_partition(file.extract, file.reporting_year, file.org_code) / "part-0.parquet"
    try:
        return raw.stat().st_mtime_ns >= version[1]
    except FileNotFoundError:
        return False


def plan_ingest(config: IcsConfig, paths: DataPaths, state: WatchState) -> IngestPlan:
    """Compare the landing zone with ``state``: what to ingest now, and the next state."""
    scan = scan_landing(paths, config)
    present: dict[str, Version] = {}
    settled: dict[tuple[str, str], list[tuple[LandingFile, Version]]] = {}
    ingested = dict(state.ingested)
    settling: dict[str, Version] = {}
    for file in scan.files:
        version = _version(file)
        if version is None:
            continue
        key = str(file.path)
        present[key] = version
        if ingested.get(key) == version:
            continue
        if _already_ingested(paths, file, version):
            ingested[key] = version
        elif state.settling.get(key) == version:
            settled.setdefault((file.org_code, file.reporting_year), []).append((file, version))
        else:
            settling[key] = version

    requests = []
    for (org_code, year), files in sorted(settled.items()):
        files.sort(key=lambda item: item[0].extract)
        requests.append(
            PartitionRequest(
                org_code=org_code,
                reporting_year=year,
                extracts=tuple(f.extract for f, _ in files),
                versions=tuple((str(f.path), v[0], v[1]) for f, v in files),
            )
        )
        for file, version in files:
            ingested[str(file.path)] = version

    skipped = {str(s.path): s.reason for s in scan.skipped}
    newly_skipped = [(p, r) for p, r in sorted(skipped.items()) if p not in state.reported]
    next_state = WatchState(
        settling=settling,
        # forget files that have gone, so a file sent again later is ingested again
        ingested={k: v for k, v in ingested.items() if k in present},
        reported=sorted(skipped),
    )
    return IngestPlan(requests, sorted(settling), newly_skipped, next_state)
