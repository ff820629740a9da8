"""End to end on a small generated ICS whose trust codes the sample never uses."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dbt_support
import duckdb
import outputs
import polars as pl
import pytest
from browser import ARTIFACTS, CHROMIUM
from dagster import AssetKey, AssetSelection, DagsterInstance, materialize
from ics_run import RAW_CONFIG, SCALE
from playwright.sync_api import sync_playwright
from polars.testing import assert_frame_equal

from assets.automation import AUTOMATION_SENSOR
from assets.dbt import dbt_resource, warehouse_assets
from assets.ingest import ingest_assets
from assets.landing import landing_specs
from assets.partitions import trust_year_partitions
from edi_platform.cli import main as edi
from edi_platform.config import parse_config
from edi_platform.generator import generate_ics
from edi_platform.ingest import IngestError, ingest_partition
from edi_platform.landing import scan_landing
from edi_platform.paths import EXTRACTS, DataPaths

pytestmark = pytest.mark.slow

CONFIG = parse_config(RAW_CONFIG)


@pytest.fixture
def landed(data_root) -> DataPaths:
    paths = DataPaths(data_root)
    generate_ics(CONFIG, paths.landing, seed=7, scale=SCALE)
    return paths


def _ingest(paths: DataPaths, partition: str, raise_on_error: bool = True):
    partitions_def = trust_year_partitions(CONFIG)
    return materialize(
        [*landing_specs(partitions_def), *ingest_assets(CONFIG, paths, partitions_def)],
        partition_key=partition,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=raise_on_error,
    )


def _raw_bytes(paths: DataPaths, org: str, year: str) -> dict[str, bytes]:
    return {
        extract: (paths.raw_partition(extract, year, org) / "part-0.parquet").read_bytes()
        for extract in EXTRACTS
    }


def test_one_partition_from_landing_to_staging(landed, dbt_manifest):
    result = _ingest(landed, "R1X|2023-24")
    assert result.success
    loaded = {
        e.asset_key.path[-1]: e.materialization.metadata["dagster/row_count"].value
        for e in result.get_asset_materialization_events()
    }
    assert set(loaded) == set(EXTRACTS)
    for extract in EXTRACTS:
        raw = pl.read_parquet(landed.raw_partition(extract, "2023-24", "R1X") / "part-0.parquet")
        assert raw.height == loaded[extract]
        assert set(raw["org_code"]) == {"R1X"}

    built = materialize(
        [warehouse_assets(CONFIG, landed)],
        selection=AssetSelection.groups("reference", "staging"),  # seeds: the tests use them
        resources={"dbt": dbt_resource()},
        instance=DagsterInstance.ephemeral(),
    )
    assert built.success
    with duckdb.connect(str(landed.warehouse), read_only=True) as con:
        staged = con.execute("select count(*) from staging.stg_esr__assignments").fetchone()[0]
        orgs = con.execute("select distinct org_code from staging.stg_esr__assignments").fetchall()
    assert staged == loaded["esr_staff"]
    assert orgs == [("R1X",)]


def test_re_running_a_partition_gives_identical_output(landed):
    _ingest(landed, "R2Y|2022-23")
    first = _raw_bytes(landed, "R2Y", "2022-23")
    _ingest(landed, "R2Y|2022-23")
    assert _raw_bytes(landed, "R2Y", "2022-23") == first


def test_a_broken_file_fails_its_partition_and_keeps_the_last_good_output(landed):
    _ingest(landed, "R1X|2022-23")
    good = _raw_bytes(landed, "R1X", "2022-23")

    staff = landed.landing_dir("2022-23", "R1X") / "esr_staff.csv"
    frame = pl.read_csv(staff, infer_schema=False)
    frame.drop(frame.columns[-1]).write_csv(staff)  # a required column goes missing
    result = _ingest(landed, "R1X|2022-23", raise_on_error=False)

    assert not result.success
    failed = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failed] == ["raw__esr_staff"]
    message = failed[0].step_failure_data.user_failure_data.description
    assert "esr_staff.csv" in message and frame.columns[-1] in message
    assert _raw_bytes(landed, "R1X", "2022-23") == good


def test_a_broken_trust_fails_alone_and_the_rest_loads_and_publishes(cli_run):
    paths, output = cli_run.paths, cli_run.out
    assert cli_run.exit_code == 1  # finished, with a failure to report
    assert "Ingesting 4 partition(s) with 2 worker(s)" in output
    assert "[4/4]" in output and "1 partition(s) failed" in cli_run.err
    assert "R9Q is not a member trust of QAB" in output
    assert "recruitment.csv" in output
    # The other extracts of the broken partition and every other partition still loaded.
    assert (paths.raw_partition("esr_staff", "2023-24", "R2Y") / "part-0.parquet").exists()
    assert not (paths.raw_partition("recruitment", "2023-24", "R2Y") / "part-0.parquet").exists()
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        partitions = con.execute(
            "select count(distinct org_code || reporting_year) from staging.stg_esr__assignments"
        ).fetchone()[0]
    assert partitions == 4
    assert cli_run.job_names == {"ingest", "build_warehouse", "publish"}
    # the published layer still builds from the partitions that did load
    assert "published: " in output and "lock" not in (output + cli_run.err).lower()
    for year in RAW_CONFIG["reporting_years"]:
        assert (paths.published / year / "system_comparison.parquet").exists()
        assert (paths.published / year / "report.html").exists()


def test_an_analyst_session_open_all_along_never_blocks_the_run(cli_run):
    analyst = cli_run.analyst
    # the run succeeded around it (see above); the session still reads the (empty)
    # database it opened before the run ...
    assert analyst.ask("select count(*) from duckdb_tables()") == "0"
    # ... and once it reconnects it sees the new marts and published tables
    assert analyst.ask("reconnect") == "open"
    rows = int(analyst.ask("select count(*) from marts.wres_indicators"))
    assert int(analyst.ask("select count(*) from publish.system_comparison")) > 0
    with duckdb.connect(str(cli_run.paths.warehouse), read_only=True) as warehouse:
        assert rows == warehouse.execute("select count(*) from marts.wres_indicators").fetchone()[0]
    assert rows > 0


def _marts(warehouse: Path) -> dict[str, pl.DataFrame]:
    return {n: f for n, f in outputs.warehouse_tables(warehouse).items() if n.startswith("marts.")}


def test_parallel_ingest_gives_the_raw_files_and_marts_of_a_serial_run(cli_run, tmp_path):
    serial = DataPaths(tmp_path / "serial")
    shutil.copytree(cli_run.paths.landing, serial.landing)
    key = cli_run.key.encode()
    for file in scan_landing(serial, CONFIG).files:  # one at a time, in this process
        try:
            ingest_partition(
                file.extract, file.org_code, file.reporting_year,
                source=file.path, paths=serial, key=key, settings=CONFIG.ingest,
            )  # fmt: skip
        except IngestError:
            assert file.extract == "recruitment" and file.org_code == "R2Y"
    parallel_raw = sorted(
        p.relative_to(cli_run.paths.raw) for p in cli_run.paths.raw.rglob("*.parquet")
    )
    assert parallel_raw == sorted(p.relative_to(serial.raw) for p in serial.raw.rglob("*.parquet"))
    for relative in parallel_raw:
        assert (cli_run.paths.raw / relative).read_bytes() == (serial.raw / relative).read_bytes()

    built = dbt_support.run_dbt(
        ["build", "--select", "+marts", "--exclude-resource-type", "test", "unit_test"],
        serial.root,
        tmp_path,
        icb_code=CONFIG.icb_code,
    )
    assert built.returncode == 0, built.output[-3000:]
    expected, actual = _marts(serial.warehouse), _marts(cli_run.paths.warehouse)
    assert set(actual) == set(expected) and len(actual) >= 5
    for name, frame in expected.items():
        assert_frame_equal(  # both sorted by every column (tests/outputs.py)
            actual[name],
            frame,
            check_exact=False,
            rel_tol=1e-9,
        )


def test_a_production_run_without_a_key_refuses_to_start(data_root, monkeypatch, capsys):
    monkeypatch.delenv("EDI_MODE")
    assert edi(["run"]) == 2
    assert "EDI_PSEUDONYMISATION_KEY" in capsys.readouterr().err


def test_the_warehouse_says_which_extract_has_never_been_ingested(landed, dbt_manifest):
    _ingest(landed, "R1X|2023-24")
    for extract in ("incidents", "staff_survey"):
        for file in landed.raw_files(extract):
            file.unlink()
    result = materialize(
        [warehouse_assets(CONFIG, landed)],
        resources={"dbt": dbt_resource()},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "No staff_survey, incidents data has been ingested" in (
        failure.step_failure_data.user_failure_data.description
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not answer within {seconds:.0f} s")


def _runs(paths: DataPaths) -> list:
    home = paths.root / "dagster_home"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAGSTER_HOME", str(home))
        with DagsterInstance.get() as instance:
            return list(instance.get_runs())


def _wait_for_runs(paths: DataPaths, done, seconds: float) -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        runs = _runs(paths)
        if done(runs):
            return runs
        time.sleep(2)
    raise AssertionError(
        f"runs after {seconds:.0f} s: {[(r.job_name, r.tags) for r in _runs(paths)]}"
    )


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) absent")
def test_the_ui_shows_the_lineage_and_a_dropped_file_runs_its_partition_once(cli_run, tmp_path):
    """`edi dev` on a free local port over the data of the run above: the asset graph
    has every layer, the run's materialisations are there, and a changed extract
    dropped into landing starts one ingest run of its partition, then a refresh."""
    paths, port = cli_run.paths, _free_port()
    env = {
        **os.environ,
        "EDI_ICS_CONFIG": str(cli_run.config_file),
        "EDI_DATA_DIR": str(paths.root),
        "DAGSTER_HOME": str(paths.root / "dagster_home"),
        "EDI_PSEUDONYMISATION_KEY": cli_run.key,
        "EDI_SENSOR_INTERVAL_SECONDS": "5",
    }
    log = (tmp_path / "dagster-dev.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("edi")), "dev", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/server_info", 240)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{url}/asset-groups")
            page.wait_for_selector("text=publish", timeout=120_000)
            skip = page.get_by_role("button", name="Skip")  # Dagster's newsletter prompt
            if skip.count():
                skip.first.click()
                page.get_by_text("Join the Dagster community").wait_for(state="hidden")
            text = page.inner_text("body")
            for group in ("landing", "ingest", "staging", "intermediate", "marts", "publish"):
                assert group in text, group
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "dagster-asset-lineage.png"))

            page.goto(f"{url}/assets/raw/esr_staff")
            page.wait_for_selector("text=Latest materialization", timeout=60_000)
            # the latest materialisation is one of the run's: the page names its partition,
            # or, when that run failed on another extract, the run (by its short id)
            # (the page fills in as its queries return: poll its text, not one element)
            shown = "|".join([r"R(1X|2Y)\|202[23]-2[34]"] + [r.run_id[:8] for r in _runs(paths)])
            deadline = time.monotonic() + 120
            while not re.search(shown, page.inner_text("body")):
                assert time.monotonic() < deadline, page.inner_text("body")[:2000]
                page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "dagster-raw-esr_staff.png"))
            browser.close()

        # A trust resubmits its incidents: one line fewer.
        before = len(_runs(paths))
        incidents = paths.landing_dir("2023-24", "R1X") / "incidents.csv"
        lines = incidents.read_text().splitlines(keepends=True)
        staged = incidents.with_name(".incidents.csv.upload")  # written, then renamed
        staged.write_text("".join(lines[:-1]))
        staged.replace(incidents)

        runs = _wait_for_runs(
            paths,
            lambda runs: any(r.tags.get("dagster/sensor_name") == AUTOMATION_SENSOR for r in runs),
            240,
        )
        new = runs[: len(runs) - before]
        # (the sensor also retries R2Y's broken file once: it never loaded, so to the
        # sensor it is a file not yet ingested)
        ingest = [
            r for r in new
            if r.job_name == "ingest" and r.tags["dagster/partition"] == "R1X|2023-24"
        ]  # fmt: skip
        assert len(ingest) == 1
        assert ingest[0].asset_selection == {AssetKey(["raw", "incidents"])}
        refresh = [r for r in new if r.tags.get("dagster/sensor_name") == AUTOMATION_SENSOR]
        assert len(refresh) == 1
        refreshed = refresh[0].asset_selection
        assert AssetKey(["marts", "violence_aggression"]) in refreshed
        assert AssetKey(["publish", "system_comparison"]) in refreshed
        assert AssetKey(["marts", "pay_gaps"]) not in refreshed  # it does not read incidents
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
