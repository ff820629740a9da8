"""The benchmark's workloads: synthetic ICSs of known size, written as ICS configurations.

Sizes are set by the generator's ``scale`` (a multiplier of each trust's headcount): at
scale 1 the ten-trust ICS below has about 83,000 staff, so 1.45 gives the ~120,000 staff
and ~400,000 applications of a large ICS. The national year has England's rough mix of
210 trusts, scaled to the issue's "about 1.5 million staff" (England's NHS trusts): at
scale 1 that mix has about 1.76 million. The sizes actually generated are counted from
the raw zone and reported with every result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

ICS_SCALE = 1.45
HISTORY_YEARS = tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(2014, 2024))
LATEST_YEAR = HISTORY_YEARS[-1]
GROWTH = (2, 4, 8)  # 1x is the ICS year itself
NATIONAL_SCALE = 0.85  # 1.76 million staff at scale 1 -> about 1.5 million

# An ICS: mostly acute trusts, as most are.
ICS_MIX = {"acute": 6, "mental_health": 2, "community": 1, "ambulance": 1}
# England: about 210 NHS trusts (specialist trusts counted as acute).
NATIONAL_MIX = {"acute": 130, "mental_health": 50, "community": 20, "ambulance": 10}


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    mix: dict[str, int]
    years: tuple[str, ...]
    scale: float

    def write_config(self, folder: Path) -> Path:
        """The ICS configuration the platform runs this workload with."""
        folder.mkdir(parents=True, exist_ok=True)
        trusts = []
        for trust_type, count in self.mix.items():
            for _ in range(count):
                code = _org_code(len(trusts))
                trusts.append({"org_code": code, "name": f"Bench trust {code}", "type": trust_type})
        config = {
            "icb_code": "QBN",
            "icb_name": f"Benchmark: {self.description}",
            "reporting_years": list(self.years),
            "trusts": trusts,
        }
        path = folder / "ics.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return path


def _org_code(n: int) -> str:
    """R00, R01, ... RZZ: three-character codes the configuration accepts."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "R" + digits[n // 36] + digits[n % 36]


def ics_year(multiple: int = 1) -> Workload:
    name = "ics_year" if multiple == 1 else f"ics_year_x{multiple}"
    return Workload(
        name=name,
        description=f"one ICS year, 10 trusts, {multiple}x size",
        mix=ICS_MIX,
        years=(LATEST_YEAR,),
        scale=ICS_SCALE * multiple,
    )


WORKLOADS = {
    w.name: w
    for w in (
        ics_year(),
        *(ics_year(m) for m in GROWTH),
        Workload("ics_history", "10 trusts x 10 years", ICS_MIX, HISTORY_YEARS, ICS_SCALE),
        Workload(
            "national_year", "210 trusts, one year", NATIONAL_MIX, (LATEST_YEAR,), NATIONAL_SCALE
        ),
    )
}
WORKLOAD_NAMES = tuple(WORKLOADS)
