"""The benchmark's own parts (edi_platform/bench): workloads, measuring, baselines, verdicts.

The benchmark's figures are not asserted here (timings belong in `make bench`); what is
tested is that it measures what it says: CPU and memory of a whole process tree, the
baselines' metrics on a hand-worked trust, and the targets' arithmetic.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from edi_platform.bench import run as bench_run
from edi_platform.bench.measure import measure
from edi_platform.bench.run import pandas_python
from edi_platform.bench.summary import growth, targets
from edi_platform.bench.workloads import (
    GROWTH,
    HISTORY_YEARS,
    ICS_SCALE,
    LATEST_YEAR,
    WORKLOADS,
)
from edi_platform.config import load_config


def test_workloads_are_valid_configurations_of_the_sizes_the_issue_names(tmp_path):
    sizes = {}
    for name, workload in WORKLOADS.items():
        config = load_config(workload.write_config(tmp_path / name))
        assert len(set(config.org_codes)) == len(config.trusts)
        sizes[name] = (len(config.trusts), config.reporting_years, workload.scale)
    assert sizes["ics_year"] == (10, (LATEST_YEAR,), ICS_SCALE)
    assert sizes["national_year"][:2] == (210, (LATEST_YEAR,))
    assert sizes["ics_history"] == (10, HISTORY_YEARS, ICS_SCALE)
    assert len(HISTORY_YEARS) == 10
    for multiple in GROWTH:
        assert sizes[f"ics_year_x{multiple}"] == (10, (LATEST_YEAR,), ICS_SCALE * multiple)


def test_measure_counts_cpu_and_memory_of_grandchildren(tmp_path):
    # A child that starts a grandchild holding 300 MB while both burn CPU.
    script = tmp_path / "work.py"
    script.write_text(
        textwrap.dedent(
            """
            import subprocess, sys, time
            def burn(seconds):
                end = time.process_time() + seconds
                while time.process_time() < end:
                    pass
            if sys.argv[1:] == ["grandchild"]:
                block = bytearray(300 * 2**20)
                block[:: 4096] = b"x" * len(block[:: 4096])  # touch every page
                burn(0.6)
                time.sleep(0.5)
            else:
                grandchild = subprocess.Popen([sys.executable, __file__, "grandchild"])
                burn(0.6)
                grandchild.wait()
                sys.exit(3)
            """
        )
    )
    measured = measure([sys.executable, str(script)])
    assert measured.returncode == 3
    assert measured.cpu_s >= 1.1  # both processes' CPU, the grandchild's included
    assert measured.peak_mb >= 300  # the grandchild's memory, seen while it ran
    assert measured.wall_s >= 0.6


# A hand-worked trust for the baselines. Pay (hourly = pay x 7 / days / weekly hours):
#   E1 Male   3100/31 days, 37.5 h -> 700 a week -> 18.6667 an hour
#   E2 Male   6200/31 days, 37.5 h -> 1400 a week -> 37.3333 an hour
#   E3 Female 1550/31 days, 18.75 h -> 350 a week -> 18.6667 an hour
#   E4 Female 3100/31 days, 37.5 h -> 18.6667 an hour
#   E5 Male, Non-Executive Director only: not a relevant employee, not workforce
# Male mean = median = 28; female mean = median = 18.6667;
# gap = (28 - 18.6667) / 28 x 100 = 33.333 % for both.
# Workforce WTE = 1 + 1 + 0.5 + 1 = 3.5 (E5 excluded); 7 incidents -> 7000 / 3.5 = 2000.
# Recruitment: White 4 shortlisted, 2 appointed (0.5); BME 5 shortlisted, 1 appointed (0.2);
# WRES 2 = 0.5 / 0.2 = 2.5. Unknown ethnicity and those not shortlisted do not count.
ESR = """\
Org Code,Employee Number,Assignment Number,Primary Assignment,Assignment Category,Staff Group,Pay Band,Ethnic Origin,Disability,Sex,Date Of Birth,Religious Belief,Sexual Orientation,FTE,Weekly Contracted Hours,Ordinary Pay Period,Pay Period Days,Full Pay Relevant,Bonus Pay 12m,Board Member,Board Voting,Board Executive,Entered Disciplinary,Entered Capability,Nonmandatory Training
RZZ,1,1,Yes,Permanent,01 Medical and Dental,Band 6,A White - British,No,Male,1980-01-01,,,1.0,37.5,"£3,100.00",31,Yes,0,No,No,No,No,No,No
RZZ,2,2,Yes,Permanent,01 Medical and Dental,Band 7,H Asian or Asian British - Indian,No,Male,1980-01-01,,,1.0,37.5,"£6,200.00",31,Yes,0,No,No,No,No,No,No
RZZ,3,3,Yes,Permanent,05 Nursing and Midwifery Registered,Band 6,A White - British,No,Female,1980-01-01,,,0.5,18.75,£1550.00,31,Yes,0,No,No,No,No,No,No
RZZ,4,4,Yes,Fixed Term Temp,05 Nursing and Midwifery Registered,Band 6,M Black or Black British - Caribbean,No,Female,1980-01-01,,,1.0,37.5,"£3,100.00",31,Yes,0,No,No,No,No,No,No
RZZ,5,5,Yes,Non-Executive Director,09 Additional Professional Scientific and Technical,Board,A White - British,No,Male,1960-01-01,,,0.1,3.75,£500.00,31,Yes,0,Yes,Yes,No,No,No,No
"""
RECRUITMENT_ROWS = (
    [("A", "Y", "Y")] * 2
    + [("B", "Y", "N")] * 2  # White: 4 shortlisted, 2 appointed
    + [("H", "Y", "Y")]
    + [("N", "Y", "N")] * 4  # BME: 5 shortlisted, 1 appointed
    + [("Z", "Y", "Y")]
    + [("A", "N", "N")] * 3  # unknown; not shortlisted
)
INCIDENTS = (
    "org_code,incident_id,incident_date,category,perpetrator,harm_level,staff_group,reported_to_police,victim_employee_number,description\n"
    + "".join(f"RZZ,{i},2023-06-01,Verbal abuse,Patient,No harm,05,N,,\n" for i in range(7))
)


@pytest.fixture
def hand_worked_landing(tmp_path):
    folder = tmp_path / "landing" / "2023-24" / "RZZ"
    folder.mkdir(parents=True)
    (folder / "esr_staff.csv").write_bytes(ESR.encode("cp1252"))
    recruitment = "org_code,application_id,vacancy_id,pay_band,ethnic_origin,disability,sex,shortlisted,appointed\n"
    recruitment += "".join(
        f"RZZ,A{i},V1,Band 5,{code},No,Female,{s},{a}\n"
        for i, (code, s, a) in enumerate(RECRUITMENT_ROWS)
    )
    (folder / "recruitment.csv").write_text(recruitment, encoding="utf-8-sig")
    (folder / "incidents.csv").write_text(INCIDENTS)
    return tmp_path / "landing"


def _module(name: str, landing) -> list[dict]:
    """Run a baseline as `edi bench` does: the pandas one in its own environment."""
    python = pandas_python() if name == "pandas_baseline" else sys.executable
    script = Path(bench_run.__file__).with_name(f"{name}.py")
    out = subprocess.run(
        [str(python), str(script), str(landing)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_pandas_baseline_computes_the_hand_worked_metrics(hand_worked_landing):
    (result,) = _module("pandas_baseline", hand_worked_landing)
    assert result["trust"] == "RZZ"
    assert result["wres_2"] == pytest.approx(2.5)
    assert result["sex_mean_gap_pct"] == pytest.approx(100 / 3)
    assert result["sex_median_gap_pct"] == pytest.approx(100 / 3)
    assert result["incidents_per_1000_wte"] == pytest.approx(2000)


def test_floor_reads_every_csv_row_once(hand_worked_landing):
    (result,) = _module("floor", hand_worked_landing)
    assert result == {
        "csv_files": 3,
        "csv_rows": 5 + len(RECRUITMENT_ROWS) + 7,
        "workbooks_not_read": 0,
    }


def _run(wall, cpu=None, peak=1000.0):
    return {"wall_s": wall, "cpu_s": cpu or wall, "peak_mb": peak}


def test_targets_arithmetic():
    results = {
        "workloads": {
            "ics_year": {
                "platform": _run(100),
                "resubmission": _run(30),
                "size": {"staff_years": 10},
            },
            "ics_history": {"platform": _run(250), "size": {"staff_years": 100}},
            "national_year": {
                "platform": _run(400, peak=5000),
                "floor": _run(50),
                "pandas": _run(500),
                "size": {"staff_years": 150},
            },
        },
        "code_load": {"definitions_validate": _run(9.0), "code_server_ready_s": 12.0},
    }
    verdicts = {t["target"]: (t["value"], t["met"]) for t in targets(results)}
    assert verdicts == {
        "national year end to end / DuckDB floor": (8.0, True),  # 400 / 50 < 10
        "national year end to end / pandas script": (0.8, True),  # 400 / 500 < 1
        "national year peak memory": (5000.0, False),  # over 4096 MB
        "one-trust resubmission / full ICS year": (0.3, False),  # 30 / 100 >= 0.2
        "ICS history (10 years) / one ICS year": (2.5, True),  # 250 / 100 < 3
        "dagster definitions validate": (9.0, True),
        "code server ready for the UI": (12.0, False),
    }


def test_a_failed_run_gives_no_verdict_on_its_targets():
    failed = {**_run(40, peak=900), "returncode": 1}  # fast because it stopped early
    results = {
        "workloads": {
            "ics_year": {"platform": _run(100), "resubmission": _run(15)},
            "national_year": {"platform": failed, "floor": _run(50), "pandas": _run(500)},
        },
    }
    verdicts = {t["target"]: (t["value"], t["met"]) for t in targets(results)}
    assert verdicts == {
        "national year end to end / DuckDB floor": (None, False),
        "national year end to end / pandas script": (None, False),
        "national year peak memory": (None, False),
        "one-trust resubmission / full ICS year": (0.15, True),
    }


def test_growth_slope_is_one_for_linear_cost():
    results = {
        "workloads": {
            "ics_year": {"platform": _run(100), "size": {"staff_years": 1}},
            "ics_year_x2": {"platform": _run(200), "size": {"staff_years": 2}},
            "ics_year_x4": {"platform": _run(800), "size": {"staff_years": 4}},
        }
    }
    rows = {row["size"]: row for row in growth(results)}
    assert rows[1]["slope"] is None
    assert rows[2]["slope"] == pytest.approx(1.0)  # twice the work, twice the time
    assert rows[4]["slope"] == pytest.approx(1.5)  # 8 times the time for 4 times the work
    assert rows[4]["wall_ratio"] == pytest.approx(8.0)


def test_a_run_writes_each_stages_wall_and_cpu_seconds(cli_run):
    timings = json.loads(cli_run.timings.read_text())
    assert set(timings["stages"]) == {"ingest", "dbt_build", "publish"}
    for stage, seconds in timings["stages"].items():
        assert seconds["wall_s"] > 0 and seconds["cpu_s"] > 0, stage
    # inside ingest, added up over the run's partitions
    assert set(timings["ingest_stages"]) == {"read", "pseudonymise", "validate", "write"}
    assert all(seconds > 0 for seconds in timings["ingest_stages"].values())
    assert timings["partitions_ok"] > 0


def test_run_refuses_a_trust_the_ics_does_not_have(tmp_path, capsys):
    from edi_platform.cli import main

    config = WORKLOADS["ics_year"].write_config(tmp_path)
    data = tmp_path / "data"
    code = main(["--config", str(config), "--data-dir", str(data), "run", "--trusts", "R00,XYZ"])
    assert code == 2
    assert "XYZ not a trust of QBN" in capsys.readouterr().err
    assert not (data / "warehouse.duckdb").exists()


def test_a_resubmission_is_timed_on_new_files_and_the_first_ones_are_put_back(
    tmp_path, monkeypatch
):
    """The resubmitted trust's files differ while `edi run --trusts` runs; afterwards the
    landing zone is byte for byte as generated, so its generation stamp still holds."""
    from edi_platform.bench.workloads import ICS_MIX, Workload
    from edi_platform.generator.ics import generate_trust

    workload = Workload("tiny", "one small ICS year", ICS_MIX, (LATEST_YEAR,), 0.02)
    config = workload.write_config(tmp_path)
    data = tmp_path / "data"
    generate_trust(load_config(config), 0, data / "landing", 1, workload.years, workload.scale)
    trust_folder = data / "landing" / LATEST_YEAR / "R00"

    def contents() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(trust_folder.iterdir())}

    generated, seen = contents(), []

    def timed_run(config_path, data_dir, arguments, log_stem):
        seen.append((arguments, contents()))
        return {"wall_s": 1.0, "returncode": 0}

    monkeypatch.setattr(bench_run, "_edi", timed_run)
    result = bench_run._resubmit(workload, config, data, tmp_path / "logs")
    [(arguments, during)] = seen
    assert arguments == ["run", "--trusts", "R00"] and result["trust"] == "R00"
    assert during.keys() == generated.keys() and during != generated  # new contents
    assert contents() == generated
    assert not (tmp_path / "before_resubmission").exists()
