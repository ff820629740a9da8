"""Baseline (b): a plain pandas script, the way an analyst computes a few metrics by hand.

    .venv-bench/bin/python edi_platform/bench/pandas_baseline.py LANDING_FOLDER   (make bench-env)

For every trust-year folder it reads the trust's files as they came (CSV or XLSX, UTF-8 or
Windows-1252, ESR-style headers, codes with or without descriptions, Yes/No or TRUE/FALSE,
£ amounts) and computes WRES 2, the sex mean and median hourly pay gap and incidents per
1,000 WTE, with the definitions of the contract (metrics.md) but none of the platform's
validation, pseudonymisation, lineage or tests. It prints one JSON line per trust-year.
It does not import the platform: only the NHS code lists (the dbt seeds) an analyst would
also keep beside such a script.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pandas as pd

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
TRUE_WORDS = {"y", "yes", "true", "1"}


def main(landing: Path) -> None:
    lookups = _lookups()
    for folder in sorted(p for p in landing.glob("*/*") if p.is_dir()):
        esr = _read(folder, "esr_staff")
        recruitment = _read(folder, "recruitment")
        incidents = _read(folder, "incidents")
        result = {"trust": folder.name, "year": folder.parent.name}
        if recruitment is not None:
            result["wres_2"] = _wres_2(recruitment, lookups)
        if esr is not None:
            result.update(_sex_pay_gap(esr))
            if incidents is not None:
                result["incidents_per_1000_wte"] = _incidents_per_wte(esr, incidents, lookups)
        print(json.dumps(result))


def _lookups() -> dict[str, dict[str, str]]:
    ethnic = pd.read_csv(SEEDS / "ethnic_categories.csv", dtype=str)
    groups = pd.read_csv(SEEDS / "staff_groups.csv", dtype=str)
    return {
        # a code, "A White - British" or "White - British" -> White / BME / Unknown
        "ethnic": {
            **dict(zip(ethnic.ethnic_category_code, ethnic.wres_group, strict=True)),
            **dict(zip(ethnic.description, ethnic.wres_group, strict=True)),
        },
        "staff_group": {
            **dict(zip(groups.staff_group_code, groups.staff_group_code, strict=True)),
            **dict(zip(groups.staff_group_name, groups.staff_group_code, strict=True)),
        },
    }


def _read(folder: Path, extract: str) -> pd.DataFrame | None:
    for path in folder.glob(f"{extract}.*"):
        if path.suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str)
        else:
            data = path.read_bytes()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        frame.columns = [c.strip().lower().replace(" ", "_").replace("-", "_") for c in frame]
        return frame
    return None


def _flag(column: pd.Series) -> pd.Series:
    return column.astype(str).str.strip().str.lower().isin(TRUE_WORDS)


def _number(column: pd.Series) -> pd.Series:
    cleaned = column.astype(str).str.replace("£", "", regex=False).str.replace(",", "")
    return pd.to_numeric(cleaned, errors="coerce")


def _code(column: pd.Series, lookup: dict[str, str]) -> pd.Series:
    text = column.astype(str).str.strip()
    # "A White - British": the code is the first word
    return text.map(lookup).fillna(text.str.split(" ", n=1).str[0].map(lookup))


def _wres_2(recruitment: pd.DataFrame, lookups: dict) -> float | None:
    group = _code(recruitment.ethnic_origin, lookups["ethnic"])
    shortlisted = recruitment[_flag(recruitment.shortlisted)]
    appointed = _flag(shortlisted.appointed)
    rates = appointed.groupby(group.loc[shortlisted.index]).mean()
    if rates.get("BME", 0) == 0 or "White" not in rates:
        return None
    return float(rates["White"] / rates["BME"])


def _sex_pay_gap(esr: pd.DataFrame) -> dict[str, float | None]:
    esr = esr.assign(
        pay=_number(esr.ordinary_pay_period),
        days=_number(esr.pay_period_days),
        hours=_number(esr.weekly_contracted_hours),
        primary=_flag(esr.primary_assignment),
        full_pay=_flag(esr.full_pay_relevant),
        ned=esr.assignment_category.str.strip() == "Non-Executive Director",
    )
    esr["weekly_pay"] = esr.pay * 7 / esr.days
    people = esr.groupby("employee_number").agg(
        weekly_pay=("weekly_pay", "sum"),
        hours=("hours", "sum"),
        only_ned=("ned", "all"),
        fpre=("full_pay", "all"),
    )
    people["sex"] = esr[esr.primary].set_index("employee_number").sex
    people = people[~people.only_ned & people.fpre & (people.hours > 0)]
    people["hourly"] = people.weekly_pay / people.hours
    male, female = (people.hourly[people.sex == s] for s in ("Male", "Female"))
    if male.empty or female.empty:
        return {"sex_mean_gap_pct": None, "sex_median_gap_pct": None}
    return {
        "sex_mean_gap_pct": float((male.mean() - female.mean()) / male.mean() * 100),
        "sex_median_gap_pct": float((male.median() - female.median()) / male.median() * 100),
    }


def _incidents_per_wte(esr: pd.DataFrame, incidents: pd.DataFrame, lookups: dict) -> float:
    primary = esr[_flag(esr.primary_assignment)].set_index("employee_number")
    category = primary.assignment_category.str.strip()
    staff_group = _code(primary.staff_group, lookups["staff_group"])
    workforce = primary.index[
        ~category.isin(["Bank", "Non-Executive Director"]) & (staff_group != "02")
    ]
    wte = _number(esr.fte[esr.employee_number.isin(workforce)]).sum()
    return float(len(incidents) * 1000 / wte)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
