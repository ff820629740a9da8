"""The landing files, drawn as external assets so lineage starts where trusts' files arrive."""

from __future__ import annotations

from dagster import AssetKey, AssetSpec, PartitionsDefinition

from assets.ownership import OWNERS
from edi_platform.paths import EXTRACTS

LANDING_DESCRIPTIONS = {
    "esr_staff": "ESR staff in post at 31 March, one row per assignment, with pay and HR events.",
    "recruitment": "Applications for posts advertised during the year, with shortlisting and appointment.",
    "staff_survey": "NHS Staff Survey results for the trust: response counts by question and group.",
    "incidents": "Violence and aggression incidents against staff from the trust's incident system.",
}


def landing_key(extract: str) -> AssetKey:
    return AssetKey(["landing", extract])


def landing_specs(partitions_def: PartitionsDefinition) -> list[AssetSpec]:
    return [
        AssetSpec(
            key=landing_key(extract),
            description=(
                f"{LANDING_DESCRIPTIONS[extract]} Sent by each trust as "
                f"landing/<year>/<org>/{extract}.csv or .xlsx (see docs/extracts.md)."
            ),
            group_name="landing",
            partitions_def=partitions_def,
            kinds={"csv", "xlsx"},
            owners=OWNERS,
        )
        for extract in EXTRACTS
    ]
