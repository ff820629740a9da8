"""Run the benchmark: generate each workload, time the platform on it, and the baselines.

Every timed command is a separate process measured from outside (measure.py): the
platform as an operator runs it (``edi run``), so start-up, Dagster's bookkeeping, dbt
and publishing are all counted. Each run starts from an empty warehouse and raw zone;
generated landing files are kept between benchmark runs when the workload is unchanged
(generation is timed when it happens, but is not the platform's work).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

import polars as pl

from edi_platform.bench.code_load import measure_code_load
from edi_platform.bench.measure import Measurement, measure
from edi_platform.bench.summary import markdown, print_summary, targets
from edi_platform.bench.workloads import WORKLOADS, Workload
from edi_platform.paths import REPO_ROOT

SEED = 2024
RESUBMISSION_SEED = 2025
BASELINE_WORKLOADS = ("ics_year", "national_year")


def run_bench(names: tuple[str, ...], work_dir: Path, output: Path) -> int:
    work_dir = work_dir.resolve()
    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    began = time.perf_counter()
    results["workloads"] = {}
    for name in names:
        workload = WORKLOADS[name]
        print(f"== {name}: {workload.description}", flush=True)
        results["workloads"][name] = bench_workload(workload, work_dir / name)
        _save(results, output)
    if "ics_year" in names:
        print("== code location load", flush=True)
        results["code_load"] = measure_code_load(work_dir / "ics_year")
    results["total_wall_s"] = round(time.perf_counter() - began, 1)
    results["targets"] = targets(results)
    _save(results, output)
    output.with_suffix(".md").write_text(markdown(results), encoding="utf-8")
    print_summary(results)
    print(f"results: {output} and {output.with_suffix('.md')}")
    failed = [
        name
        for name, result in results["workloads"].items()
        for run in (result["platform"], result.get("resubmission") or {})
        if run.get("returncode", 0) != 0
    ]
    if failed:
        print(f"edi bench: the platform failed on {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def bench_workload(workload: Workload, folder: Path) -> dict:
    config = workload.write_config(folder)
    data = folder / "data"
    result: dict = {"description": workload.description, "scale": workload.scale}
    generated = _generate(workload, config, data, folder)
    if generated:
        result["generation"] = generated.as_dict()
    _clear_outputs(data)
    result["platform"] = _edi(config, data, ["run"], folder / "logs" / "run")
    result["size"] = _size(data)
    if workload.name in BASELINE_WORKLOADS:
        result["floor"] = _baseline("floor", data, folder / "logs")
        result["pandas"] = _baseline("pandas_baseline", data, folder / "logs")
    if workload.name == "ics_year":
        result["resubmission"] = _resubmit(workload, config, data, folder / "logs")
    return result


def _generate(workload: Workload, config: Path, data: Path, folder: Path) -> Measurement | None:
    stamp, logs = folder / "generated.json", folder / "logs"
    wanted = json.dumps({"seed": SEED, "workload": workload.__dict__}, sort_keys=True)
    if stamp.exists() and stamp.read_text() == wanted:
        print("   landing files already generated for this workload", flush=True)
        return None
    shutil.rmtree(data / "landing", ignore_errors=True)
    logs.mkdir(parents=True, exist_ok=True)
    command = [*_edi_command(config, data), "generate", "--seed", str(SEED)]
    command += ["--scale", str(workload.scale), "--workers", str(os.cpu_count() or 1)]
    measured = measure(command, env=_env(), log=logs / "generate.log")
    if measured.returncode:
        raise RuntimeError(f"generation failed: see {logs / 'generate.log'}")
    stamp.write_text(wanted)
    print(f"   generated in {measured.wall_s:.0f} s", flush=True)
    return measured


def _resubmit(workload: Workload, config: Path, data: Path, logs: Path) -> dict:
    """One trust sends all four extracts again (new contents): re-ingest it and refresh."""
    from edi_platform.config import load_config
    from edi_platform.generator.ics import generate_trust

    ics = load_config(config)
    trust = ics.trusts[0].org_code
    # The trust's first files are put back afterwards, so the landing zone still matches
    # its generation stamp and the next benchmark need not generate the workload again.
    folders = [data / "landing" / year / trust for year in workload.years]
    kept = data.parent / "before_resubmission"
    shutil.rmtree(kept, ignore_errors=True)
    for folder in folders:
        shutil.copytree(folder, kept / folder.parent.name)
    try:
        generate_trust(ics, 0, data / "landing", RESUBMISSION_SEED, workload.years, workload.scale)
        resubmitted = _edi(config, data, ["run", "--trusts", trust], logs / "resubmission")
    finally:
        for folder in folders:
            shutil.rmtree(folder)
            shutil.copytree(kept / folder.parent.name, folder)
        shutil.rmtree(kept)
    resubmitted["trust"] = trust
    return resubmitted


def _edi(config: Path, data: Path, arguments: list[str], log_stem: Path) -> dict:
    log_stem.parent.mkdir(parents=True, exist_ok=True)
    timings = log_stem.with_suffix(".timings.json")
    timings.unlink(missing_ok=True)
    command = [*_edi_command(config, data), *arguments, "--timings", str(timings)]
    print(f"   {' '.join(arguments)} ...", flush=True)
    measured = measure(command, env=_env(), log=log_stem.with_suffix(".log"))
    result = {**measured.as_dict(), "returncode": measured.returncode}
    if timings.exists():
        result.update(json.loads(timings.read_text()))
    print(f"   {measured.wall_s:.0f} s wall, {measured.peak_mb:,.0f} MB peak", flush=True)
    return result


def _baseline(module: str, data: Path, logs: Path) -> dict:
    log = logs / f"{module}.log"
    script = Path(__file__).with_name(f"{module}.py")
    python = pandas_python() if module == "pandas_baseline" else sys.executable
    command = [str(python), str(script), str(data / "landing")]
    measured = measure(command, env=_env(), log=log)
    if measured.returncode:
        raise RuntimeError(f"baseline {module} failed: see {log}")
    print(f"   baseline {module}: {measured.wall_s:.1f} s", flush=True)
    return measured.as_dict()


def pandas_python() -> Path:
    """The Python of the pandas baseline's own environment (`make bench-env`): pandas is
    kept out of the platform's, where pandera would import it at every code load."""
    python = Path(os.environ.get("EDI_BENCH_PANDAS_PYTHON") or REPO_ROOT / ".venv-bench/bin/python")
    if not python.exists():
        raise RuntimeError(f"{python} not found: run `make bench` (it creates .venv-bench)")
    return python


def _edi_command(config: Path, data: Path) -> list[str]:
    edi = Path(sys.executable).with_name("edi")
    return [str(edi), "--config", str(config), "--data-dir", str(data)]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # Synthetic data: the published demo key. Each workload keeps its own Dagster instance.
    env["EDI_MODE"] = "demo"
    env.pop("EDI_PSEUDONYMISATION_KEY", None)
    env.pop("DAGSTER_HOME", None)
    return env


def _clear_outputs(data: Path) -> None:
    """Everything but landing: each timed run is a first run."""
    if not data.exists():
        return
    for entry in data.iterdir():
        if entry.name == "landing":
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _size(data: Path) -> dict[str, int]:
    """What the workload held, counted from the raw zone after ingest."""

    def scan(extract: str) -> pl.LazyFrame:
        return pl.scan_parquet(data / "raw" / extract / "**" / "*.parquet", hive_partitioning=False)

    staff = scan("esr_staff").select(
        pl.struct("org_code", "reporting_year", "person_id").n_unique().alias("staff_years"),
        pl.len().alias("assignments"),
    )
    return {
        **staff.collect().row(0, named=True),
        "applications": scan("recruitment").select(pl.len()).collect().item(),
        "survey_rows": scan("staff_survey").select(pl.len()).collect().item(),
        "incidents": scan("incidents").select(pl.len()).collect().item(),
    }


def machine() -> dict:
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(memory_kb / 2**20, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def _save(results: dict, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2), encoding="utf-8")
