"""The benchmark's verdicts (targets from issue 9) and the short table it prints."""

from __future__ import annotations

import math

from edi_platform.bench.workloads import GROWTH

MEMORY_LIMIT_MB = 4096


def targets(results: dict) -> list[dict]:
    """Each target: the measured ratio or figure, the limit, and whether it was met."""
    runs = results["workloads"]
    found = []

    def target(name: str, value: float | None, limit: float, unit: str, *measured) -> None:
        # A run that failed did not do the job: its time is no verdict on the target.
        if any(m.get("returncode", 0) != 0 for m in measured):
            found.append(
                {"target": name, "value": None, "limit": limit, "unit": unit, "met": False}
            )
        elif value is not None:
            found.append(
                {
                    "target": name,
                    "value": round(value, 3),
                    "limit": limit,
                    "unit": unit,
                    "met": value < limit,
                }
            )

    national, ics, history = (runs.get(n) for n in ("national_year", "ics_year", "ics_history"))
    if national and "floor" in national:
        platform = national["platform"]
        target(
            "national year end to end / DuckDB floor",
            platform["wall_s"] / national["floor"]["wall_s"], 10, "x", platform,
        )  # fmt: skip
        target(
            "national year end to end / pandas script",
            platform["wall_s"] / national["pandas"]["wall_s"], 1, "x", platform,
        )  # fmt: skip
    if national:
        platform = national["platform"]
        target("national year peak memory", platform["peak_mb"], MEMORY_LIMIT_MB, "MB", platform)
    if ics and "resubmission" in ics:
        target(
            "one-trust resubmission / full ICS year",
            ics["resubmission"]["wall_s"] / ics["platform"]["wall_s"],
            0.2,
            "x",
            ics["platform"],
            ics["resubmission"],
        )
    if ics and history:
        target(
            "ICS history (10 years) / one ICS year",
            history["platform"]["wall_s"] / ics["platform"]["wall_s"],
            3,
            "x",
            ics["platform"],
            history["platform"],
        )
    load = results.get("code_load")
    if load:
        target("dagster definitions validate", load["definitions_validate"]["wall_s"], 10, "s")
        target("code server ready for the UI", load["code_server_ready_s"], 10, "s")
    return found


def growth(results: dict) -> list[dict]:
    """Time and memory of the ICS year at 1x, 2x, 4x, 8x, relative to 1x."""
    runs = results["workloads"]
    base = runs.get("ics_year")
    if not base:
        return []
    rows = []
    for multiple in (1, *GROWTH):
        run = runs.get("ics_year" if multiple == 1 else f"ics_year_x{multiple}")
        if not run:
            continue
        platform = run["platform"]
        rows.append(
            {
                "size": multiple,
                "staff": run["size"]["staff_years"],
                "wall_s": platform["wall_s"],
                "wall_ratio": platform["wall_s"] / base["platform"]["wall_s"],
                "cpu_ratio": platform["cpu_s"] / base["platform"]["cpu_s"],
                "peak_ratio": platform["peak_mb"] / base["platform"]["peak_mb"],
                # log-log slope from 1x: 1 is linear, below 1 is fixed costs amortising
                "slope": (
                    math.log(platform["wall_s"] / base["platform"]["wall_s"]) / math.log(multiple)
                    if multiple > 1
                    else None
                ),
            }
        )
    return rows


def print_summary(results: dict) -> None:
    header = (
        f"{'workload':<15}{'staff-yrs':>10}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}"
        f"{'ingest':>8}{'dbt':>7}{'publish':>8}{'floor':>7}{'pandas':>8}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for name, run in results["workloads"].items():
        platform, stages = run["platform"], run["platform"].get("stages", {})
        print(
            f"{name:<15}{run['size']['staff_years']:>10,}{platform['wall_s']:>8.0f}"
            f"{platform['cpu_s']:>8.0f}{platform['peak_mb']:>9,.0f}"
            + "".join(
                f"{stages.get(stage, {}).get('wall_s', float('nan')):>{width}.0f}"
                for stage, width in (("ingest", 8), ("dbt_build", 7), ("publish", 8))
            )
            + f"{run.get('floor', {}).get('wall_s', float('nan')):>7.1f}"
            + f"{run.get('pandas', {}).get('wall_s', float('nan')):>8.1f}"
        )
        if "resubmission" in run:
            resub = run["resubmission"]
            print(
                f"{'  resubmission':<25}{resub['wall_s']:>8.0f}{resub['cpu_s']:>8.0f}"
                f"{resub['peak_mb']:>9,.0f}"
            )
    rows = growth(results)
    if len(rows) > 1:
        print("\ngrowth of the ICS year: size  staff  wall s  wall/1x  CPU/1x  peak/1x  slope")
        for row in rows:
            slope = f"{row['slope']:.2f}" if row["slope"] is not None else "-"
            print(
                f"{'':22}{row['size']:>4}x {row['staff']:>8,} {row['wall_s']:>6.0f} "
                f"{row['wall_ratio']:>8.2f} {row['cpu_ratio']:>7.2f} {row['peak_ratio']:>8.2f}"
                f" {slope:>6}"
            )
    print("\ntargets:")
    for found in results.get("targets", []):
        if found["value"] is None:
            print(f"  {found['target']:<45} {'-':>9} {found['unit']:<2} (limit "
                  f"{found['limit']}) NOT MEASURED: the run failed")  # fmt: skip
            continue
        verdict = "met" if found["met"] else "MISSED"
        print(
            f"  {found['target']:<45} {found['value']:>9.2f} {found['unit']:<2} "
            f"(limit {found['limit']}) {verdict}"
        )
    print(f"\nbenchmark wall time: {results.get('total_wall_s', 0):.0f} s")


def markdown(results: dict) -> str:
    """The same figures as the printed summary, as Markdown (for docs/performance.md)."""
    lines = [
        "| workload | staff-years | applications | wall s | CPU s | peak MB | ingest s | "
        "dbt build s | publish s | floor s | pandas s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, run in results["workloads"].items():
        for label, measured in (
            (name, run["platform"]),
            (f"{name}: one-trust resubmission", run.get("resubmission")),
        ):
            if not measured:
                continue
            stages = measured.get("stages", {})
            base = label == name
            lines.append(
                f"| {label} | {run['size']['staff_years']:,} | {run['size']['applications']:,} | "
                f"{measured['wall_s']:.0f} | {measured['cpu_s']:.0f} | {measured['peak_mb']:,.0f} | "
                + " | ".join(
                    f"{stages[s]['wall_s']:.0f}" if s in stages else "-"
                    for s in ("ingest", "dbt_build", "publish")
                )
                + f" | {_baseline(run, 'floor', base)} | {_baseline(run, 'pandas', base)} |"
            )
    rows = growth(results)
    if len(rows) > 1:
        lines += [
            "",
            "| size | staff-years | wall s | wall / 1x | CPU / 1x | peak memory / 1x | slope |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows:
            slope = f"{row['slope']:.2f}" if row["slope"] is not None else "-"
            lines.append(
                f"| {row['size']}x | {row['staff']:,} | {row['wall_s']:.0f} | "
                f"{row['wall_ratio']:.2f} | {row['cpu_ratio']:.2f} | {row['peak_ratio']:.2f} | "
                f"{slope} |"
            )
    lines += ["", "| target | measured | limit | verdict |", "|---|---:|---:|---|"]
    for found in results.get("targets", []):
        if found["value"] is None:
            lines.append(f"| {found['target']} | - | {found['limit']} {found['unit']} | "
                         "**not measured: the run failed** |")  # fmt: skip
            continue
        verdict = "met" if found["met"] else "**missed**"
        lines.append(
            f"| {found['target']} | {found['value']:.2f} {found['unit']} | "
            f"{found['limit']} {found['unit']} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def _baseline(run: dict, name: str, shown: bool) -> str:
    return f"{run[name]['wall_s']:.1f}" if shown and name in run else "-"
