"""End to end on a small generated ICS whose trust codes the sample never uses."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
import yaml
from dagster import AssetSelection, DagsterInstance, materialize

from assets.dbt import dbt_resource, warehouse_assets
from assets.ingest import ingest_assets
from assets.landing import landing_specs
from assets.partitions import trust_year_partitions
from edi_platform.cli import main as edi
from edi_platform.config import parse_config
from edi_platform.generator import generate_ics
from edi_platform.paths import EXTRACTS, DataPaths

pytestmark = pytest.mark.slow

RAW_CONFIG = {
    "icb_code": "QAB",
    "icb_name": "Test ICB",
    "reporting_years": ["2022-23", "2023-24"],
    "trusts": [
        {"org_code": "R1X", "name": "First Test Trust", "type": "acute"},
        {"org_code": "R2Y", "name": "Second Test Trust", "type": "mental_health"},
    ],
}
CONFIG = parse_config(RAW_CONFIG)
SCALE = 0.03


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


def test_edi_generate_and_run_on_another_ics_isolate_a_broken_trust(
    data_root, tmp_path, dbt_manifest, capsys
):
    """The command line end to end: another ICS's configuration, one broken file, one
    folder of a trust the ICS does not have. Everything else loads and publishes."""
    config_file = tmp_path / "other-ics.yaml"
    config_file.write_text(yaml.safe_dump(RAW_CONFIG))
    args = ["--config", str(config_file), "--data-dir", str(data_root)]
    assert edi([*args, "generate", "--scale", str(SCALE)]) == 0
    paths = DataPaths(data_root)
    (paths.landing_dir("2023-24", "R2Y") / "recruitment.csv").write_bytes(b"\x00\x01garbage\xff")
    (paths.landing / "2023-24" / "R9Q").mkdir()  # a trust this ICS does not have

    assert edi([*args, "run"]) == 1  # finished, with a failure to report
    captured = capsys.readouterr()
    output = captured.out
    assert "[4/4]" in output and "1 partition(s) failed" in captured.err
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
    runs = DagsterInstance.get().get_runs()
    assert {r.job_name for r in runs} == {"ingest", "build_warehouse", "publish"}
    # the published layer still builds from the partitions that did load
    assert "published: " in output
    for year in RAW_CONFIG["reporting_years"]:
        assert (paths.published / year / "system_comparison.parquet").exists()
        assert (paths.published / year / "report.html").exists()


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
