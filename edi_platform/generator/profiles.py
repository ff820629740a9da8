"""What each type of trust looks like: size, staff mix, incidents, survey base rates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrustProfile:
    headcount: tuple[int, int]  # 2023-24 headcount range at scale 1 (board excluded)
    bme_share: tuple[float, float]  # BME share of staff of known ethnicity
    staff_groups: dict[str, float]  # share of posts by staff group code
    female_share_overrides: dict[str, float]  # by staff group, where the type differs
    incident_categories: dict[str, float]
    perpetrators: dict[str, float]
    survey_public_pct: dict[
        str, float
    ]  # per cent reporting items whose level depends on the setting


PROFILES: dict[str, TrustProfile] = {
    "acute": TrustProfile(
        headcount=(6_000, 15_000),
        bme_share=(0.15, 0.40),
        staff_groups={
            "01": 12,
            "02": 1,
            "03": 30,
            "04": 7,
            "05": 4,
            "06": 2.5,
            "07": 17,
            "08": 20,
            "09": 6,
            "10": 0.5,
        },
        female_share_overrides={},
        incident_categories={
            "Verbal abuse": 45,
            "Physical assault": 30,
            "Threatening behaviour": 18,
            "Sexual": 3,
            "Other": 4,
        },
        perpetrators={"Patient": 78, "Relative or public": 16, "Staff": 6},
        survey_public_pct={"hba_public": 27, "physical_public": 14, "sexual_public": 9},
    ),
    "mental_health": TrustProfile(
        headcount=(3_000, 7_000),
        bme_share=(0.15, 0.40),
        staff_groups={
            "01": 6,
            "02": 1,
            "03": 28,
            "04": 6,
            "05": 10,
            "06": 0.3,
            "07": 24,
            "08": 20,
            "09": 4,
            "10": 0.7,
        },
        female_share_overrides={},
        incident_categories={
            "Physical assault": 45,
            "Verbal abuse": 30,
            "Threatening behaviour": 17,
            "Sexual": 5,
            "Other": 3,
        },
        perpetrators={"Patient": 90, "Relative or public": 6, "Staff": 4},
        survey_public_pct={"hba_public": 30, "physical_public": 25, "sexual_public": 12},
    ),
    "community": TrustProfile(
        headcount=(2_000, 5_000),
        bme_share=(0.15, 0.40),
        staff_groups={
            "01": 3,
            "02": 1,
            "03": 30,
            "04": 17,
            "05": 5,
            "06": 1,
            "07": 18,
            "08": 21,
            "09": 3.5,
            "10": 0.5,
        },
        female_share_overrides={},
        incident_categories={
            "Verbal abuse": 55,
            "Threatening behaviour": 25,
            "Physical assault": 12,
            "Sexual": 3,
            "Other": 5,
        },
        perpetrators={"Patient": 70, "Relative or public": 24, "Staff": 6},
        survey_public_pct={"hba_public": 20, "physical_public": 6, "sexual_public": 5},
    ),
    "ambulance": TrustProfile(
        headcount=(2_000, 5_000),
        # Ambulance services are far less diverse than hospitals.
        bme_share=(0.08, 0.18),
        staff_groups={
            "01": 0.3,
            "02": 1,
            "03": 18,
            "04": 12,
            "05": 0.5,
            "06": 0.2,
            "07": 28,
            "08": 20,
            "09": 5,
            "10": 15,
        },
        female_share_overrides={"03": 0.60, "04": 0.50, "07": 0.50, "10": 0.45},
        incident_categories={
            "Verbal abuse": 45,
            "Physical assault": 25,
            "Threatening behaviour": 22,
            "Sexual": 3,
            "Other": 5,
        },
        perpetrators={"Patient": 75, "Relative or public": 22, "Staff": 3},
        survey_public_pct={"hba_public": 38, "physical_public": 30, "sexual_public": 14},
    ),
}
