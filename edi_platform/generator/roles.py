"""Posts: staff group and pay band mixes, and who tends to hold each kind of post.

A role is a (staff group, pay band) cell. Its weight is the share of a trust's
posts in that cell; the other columns describe the people who hold it (sex,
age on starting, how long they stay). Numbers are rounded from NHS workforce
statistics; they only need to look plausible, not to match a real trust.
"""

from __future__ import annotations

import polars as pl

from edi_platform.generator.profiles import PROFILES
from edi_platform.generator.reference import pay_bands_8c_and_above

MEDICAL_GRADES = ("Consultant", "Non-consultant career grade", "Trainee grade")

BAND_MIX: dict[str, dict[str, float]] = {
    "01": {"Consultant": 45, "Non-consultant career grade": 15, "Trainee grade": 40},
    # Students: apprentice and student posts paid on Band 3/4 equivalents.
    "02": {"Band 3": 70, "Band 4": 30},
    "03": {
        "Band 5": 45,
        "Band 6": 32,
        "Band 7": 15,
        "Band 8a": 5,
        "Band 8b": 2,
        "Band 8c": 0.6,
        "Band 8d": 0.3,
        "Band 9": 0.1,
    },
    "04": {
        "Band 5": 25,
        "Band 6": 40,
        "Band 7": 25,
        "Band 8a": 7,
        "Band 8b": 2.3,
        "Band 8c": 0.5,
        "Band 8d": 0.2,
    },
    "05": {
        "Band 3": 5,
        "Band 4": 10,
        "Band 5": 15,
        "Band 6": 20,
        "Band 7": 25,
        "Band 8a": 13,
        "Band 8b": 7,
        "Band 8c": 3,
        "Band 8d": 1.5,
        "Band 9": 0.5,
    },
    "06": {
        "Band 2": 5,
        "Band 3": 10,
        "Band 4": 10,
        "Band 5": 15,
        "Band 6": 20,
        "Band 7": 22,
        "Band 8a": 10,
        "Band 8b": 5,
        "Band 8c": 2,
        "Band 8d": 1,
    },
    "07": {"Band 2": 25, "Band 3": 50, "Band 4": 20, "Band 5": 4, "Band 6": 1},
    "08": {
        "Band 2": 15,
        "Band 3": 30,
        "Band 4": 22,
        "Band 5": 11,
        "Band 6": 8,
        "Band 7": 6,
        "Band 8a": 4,
        "Band 8b": 2,
        "Band 8c": 1,
        "Band 8d": 0.6,
        "Band 9": 0.4,
        "Other": 1,
    },
    "09": {
        "Band 1": 5,
        "Band 2": 50,
        "Band 3": 20,
        "Band 4": 10,
        "Band 5": 6,
        "Band 6": 4,
        "Band 7": 3,
        "Band 8a": 1.5,
        "Band 8b": 0.5,
        "Other": 2,
    },
    "10": {"Band 3": 30, "Band 4": 40, "Band 5": 20, "Band 6": 9, "Other": 1},
}

FEMALE_SHARE = {
    "01": 0.47,
    "02": 0.80,
    "03": 0.89,
    "04": 0.80,
    "05": 0.75,
    "06": 0.60,
    "07": 0.80,
    "08": 0.78,
    "09": 0.45,
    "10": 0.55,
}
# Consultants are mostly men, trainees mostly women (the medical pay gap's grade mix).
FEMALE_SHARE_MEDICAL = {
    "Consultant": 0.34,
    "Non-consultant career grade": 0.55,
    "Trainee grade": 0.57,
}

# Relative BME representation by staff group (doctors and nurses more diverse
# than the average, allied health professionals less); 8c and above are set
# separately by the planted wres_1 effect.
BME_MULTIPLIER = {
    "01": 1.7,
    "02": 1.0,
    "03": 1.25,
    "04": 0.7,
    "05": 0.9,
    "06": 0.9,
    "07": 1.0,
    "08": 0.75,
    "09": 0.9,
    "10": 0.8,
}

# Assignment category of a post's primary assignment. Bank here means a
# bank-only worker (outside the workforce metrics).
CATEGORY_MIX = {
    "Consultant": {"Permanent": 95, "Locum": 5},
    "Non-consultant career grade": {"Permanent": 85, "Locum": 10, "Fixed Term Temp": 5},
    "Trainee grade": {"Fixed Term Temp": 85, "Permanent": 12, "Locum": 3},
    "student": {"Fixed Term Temp": 100},
    "default": {"Permanent": 88, "Fixed Term Temp": 6, "Bank": 6},
}
# Mean years a holder stays in a post (10-13% of staff leave a year overall).
TENURE_YEARS_BY_CATEGORY = {"Permanent": 12.0, "Fixed Term Temp": 2.5, "Bank": 4.0, "Locum": 1.5}
TENURE_YEARS_BY_BAND = {"Trainee grade": 2.0}

# Age on starting in the post: mean, sd, lowest, highest.
AGE_AT_START = {
    "Consultant": (38, 4, 31, 60),
    "Non-consultant career grade": (36, 7, 26, 60),
    "Trainee grade": (28, 3, 23, 40),
    "student": (25, 7, 18, 50),
    "band_1_4": (35, 11, 17, 62),
    "band_5_6": (31, 8, 21, 60),
    "band_7_8b": (39, 7, 25, 60),
    "band_8c_9": (45, 6, 32, 60),
    "VSM": (49, 5, 38, 60),
    "NED": (57, 6, 40, 70),
}
RETIREMENT_AGE = 67


def _age_key(staff_group: str, band: str) -> str:
    if staff_group == "02":
        return "student"
    if band in MEDICAL_GRADES or band == "VSM":
        return band
    if band in ("Band 1", "Band 2", "Band 3", "Band 4", "Other"):
        return "band_1_4"
    if band in ("Band 5", "Band 6"):
        return "band_5_6"
    if band in ("Band 7", "Band 8a", "Band 8b"):
        return "band_7_8b"
    return "band_8c_9"


def _category_key(staff_group: str, band: str) -> str:
    if band in MEDICAL_GRADES:
        return band
    return "student" if staff_group == "02" else "default"


def role_table(trust_type: str) -> pl.DataFrame:
    """One row per (staff group, pay band) cell a trust of this type has posts in."""
    profile = PROFILES[trust_type]
    total = sum(profile.staff_groups.values())
    rows = []
    for group, group_share in profile.staff_groups.items():
        bands = BAND_MIX[group]
        band_total = sum(bands.values())
        for band, band_share in bands.items():
            if band in FEMALE_SHARE_MEDICAL:
                female = FEMALE_SHARE_MEDICAL[band]
            else:
                female = profile.female_share_overrides.get(group, FEMALE_SHARE[group])
            mean, sd, low, high = AGE_AT_START[_age_key(group, band)]
            rows.append(
                {
                    "staff_group": group,
                    "pay_band": band,
                    "weight": group_share / total * band_share / band_total,
                    "female_share": female,
                    "bme_multiplier": BME_MULTIPLIER[group],
                    "is_8c_plus": band in pay_bands_8c_and_above(),
                    "category_key": _category_key(group, band),
                    "age_mean": float(mean),
                    "age_sd": float(sd),
                    "age_low": float(low),
                    "age_high": float(high),
                }
            )
    return (
        pl.DataFrame(rows).with_row_index("role_id").with_columns(pl.col("role_id").cast(pl.Int64))
    )
