"""The same dbt project on PostgreSQL (issue 10): every mart equal to DuckDB's, and
Dagster's own storage on PostgreSQL.

A throw-away PostgreSQL server (tests/postgres_server.py) serves the whole module.
One small generated ICS (two trusts, two years) is ingested by the library code;
DuckDB builds the marts from its Parquet in place, while PostgreSQL gets it through
the raw loader and then runs the whole `dbt build`: seeds, models, every data test
and every unit test, so the unit tests' exact expectations hold on both engines.
Every row of every mart is then compared: exactly for text, counts and dates, within
1e-9 for floating-point columns (the engines may add floats in another order).

DuckDB's own data and unit tests run in the mart modules (tests/test_wres_wdes.py,
tests/test_pay_gaps.py, tests/test_violence.py); here DuckDB builds seeds and models
only, to keep the module quick.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dbt_support
import duckdb
import polars as pl
import pytest
import yaml
from dagster import AssetKey, DagsterInstance, materialize
from dagster_dbt import DbtProject
from polars.testing import assert_frame_equal
from postgres_server import PostgresServer, postgres_server

import assets.dbt
import edi_platform.postgres_load as postgres_load
from assets.definitions import build_definitions
from assets.ingest import raw_key
from assets.jobs import WAREHOUSE_JOB
from assets.postgres_load import loaded_key, postgres_load_assets
from edi_platform.config import parse_config
from edi_platform.paths import DBT_PROJECT_DIR, EXTRACTS, REPO_ROOT, DataPaths

ICB_CODE = "QPG"
CONFIG = parse_config(
    {
        "icb_code": ICB_CODE,
        "icb_name": "PostgreSQL test ICS",
        "reporting_years": ["2022-23", "2023-24"],
        "trusts": [
            {"org_code": "PGA", "name": "PGA", "type": "acute"},
            {"org_code": "PGM", "name": "PGM", "type": "mental_health"},
        ],
    }
)
SEED = 1010
SCALE = 0.03  # as the shared command-line run (tests/ics_run.py): every mart has rows
WAREHOUSE_DB = "warehouse"
FLOAT_TOLERANCE = 1e-9
# information_schema type names that mean the same column type on the two engines
SAME_TYPE = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "DATE": "date",
    "BOOLEAN": "boolean",
}
DAGSTER_YAML = REPO_ROOT / "docs" / "dagster.postgres.yaml"

pytestmark = pytest.mark.slow


@dataclass
class Ics:
    paths: DataPaths
    work_dir: Path


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with postgres_server() as running:
        yield running


@contextlib.contextmanager
def warehouse_environment(server: PostgresServer, database: str) -> Iterator[None]:
    """EDI_WAREHOUSE=postgres and the libpq variables for ``database``, only inside."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("EDI_WAREHOUSE", "postgres")
        for name, value in server.environment(database).items():
            env.setenv(name, value)
        for name in ("PGPASSWORD", "PGSSLMODE", "PGSERVICE", "PGOPTIONS"):
            env.delenv(name, raising=False)  # a developer's own settings must not leak in
        yield


@pytest.fixture(scope="module")
def ics(tmp_path_factory) -> Ics:
    work_dir = tmp_path_factory.mktemp("postgres")
    paths = DataPaths(work_dir / "data")
    dbt_support.generate_and_ingest(CONFIG, paths, seed=SEED, scale=SCALE)
    return Ics(paths, work_dir)


@pytest.fixture(scope="module")
def duckdb_build(ics: Ics) -> dbt_support.DbtRun:
    run = dbt_support.run_dbt(
        ["build", "--resource-type", "seed", "--resource-type", "model"],
        ics.paths.root,
        ics.work_dir / "duckdb",
        icb_code=ICB_CODE,
    )
    assert run.returncode == 0, run.output[-5000:]
    return run


@pytest.fixture(scope="module")
def postgres_build(server: PostgresServer, ics: Ics) -> dbt_support.DbtRun:
    server.create_database(WAREHOUSE_DB)
    with warehouse_environment(server, WAREHOUSE_DB):
        connection = postgres_load.connect()
        try:
            postgres_load.load_raw_zone(connection, ics.paths)
        finally:
            connection.close()
        return dbt_support.run_dbt(
            ["build"], ics.paths.root, ics.work_dir / "postgres", icb_code=ICB_CODE
        )


def test_postgres_builds_every_seed_and_model_and_passes_every_test(postgres_build):
    assert postgres_build.returncode == 0, postgres_build.output[-5000:]
    assert postgres_build.manifest["metadata"]["adapter_type"] == "postgres"
    results = postgres_build.run_results["results"]
    assert [r["unique_id"] for r in results if r["status"] not in ("success", "pass")] == []
    ran = {r["unique_id"].split(".")[0] for r in results}
    assert ran == {"seed", "model", "test", "unit_test"}
    nodes = postgres_build.manifest["nodes"]
    expected = {uid for uid, node in nodes.items() if node["resource_type"] in ("seed", "model")}
    expected |= set(postgres_build.manifest["unit_tests"])
    assert expected <= {r["unique_id"] for r in results}


def test_every_mart_row_is_the_same_on_duckdb_and_postgres(
    duckdb_build, postgres_build, server, ics
):
    assert postgres_build.returncode == 0, postgres_build.output[-5000:]
    marts = mart_names(duckdb_build.manifest)
    assert {"wres_indicators", "wdes_metrics", "pay_gaps", "violence_aggression"} <= set(marts)
    with duckdb.connect(str(ics.paths.warehouse), read_only=True) as duck:
        pg = server.connect(WAREHOUSE_DB)
        try:
            for name in marts:
                assert column_types(pg, name) == [
                    (column, SAME_TYPE.get(kind, kind)) for column, kind in duck_types(duck, name)
                ], f"marts.{name}: columns or types differ"
                expected = duck.sql(f'select * from marts."{name}"').pl()
                assert expected.height > 0, f"marts.{name} is empty: nothing was compared"
                assert_same_rows(name, expected, read_postgres(pg, name, expected.columns))
        finally:
            pg.close()


def test_the_comparison_fails_when_one_value_differs(duckdb_build, ics):
    """The check above can fail: one float nudged beyond the tolerance, or one count."""
    with duckdb.connect(str(ics.paths.warehouse), read_only=True) as duck:
        mart = duck.sql("select * from marts.wres_indicators").pl()
    row = mart["value"].is_not_null().arg_true()[0]
    nudged = mart.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.col("value") + 1e-7)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    with pytest.raises(AssertionError):
        assert_same_rows("wres_indicators", mart, nudged)
    recounted = mart.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.col("numerator") + 1)
        .otherwise(pl.col("numerator"))
        .alias("numerator")
    )
    with pytest.raises(AssertionError):
        assert_same_rows("wres_indicators", mart, recounted)
    assert_same_rows("wres_indicators", mart, mart.reverse())  # row order does not matter


def test_the_loader_types_each_column_and_keeps_the_old_table_when_a_load_fails(
    server, ics, monkeypatch
):
    server.create_database("loader")
    with warehouse_environment(server, "loader"):
        connection = postgres_load.connect()
    try:
        files = ics.paths.raw_files("esr_staff")
        first = postgres_load.load_extract(connection, "esr_staff", files)
        assert first.recreated and first.files == len(files) >= 2
        assert first.rows == sum(pl.read_parquet(f).height for f in files)
        types = dict(column_types(connection, "esr_staff", schema="raw"))
        assert types["org_code"] == "text"
        assert types["source_row"] == "bigint"
        assert types["pay_period_days"] == "integer"
        assert types["fte"] == "double precision"
        assert types["ordinary_pay_period"] == "numeric(18,2)"
        assert types["is_primary_assignment"] == "boolean"

        # A load that dies after its first file rolls back: the previous table stays whole.
        copy_file = postgres_load._copy_file
        copied = []

        def fail_on_the_second_file(cursor, table, file):
            if copied:
                raise OSError(f"disk gone while reading {file}")
            copied.append(file)
            return copy_file(cursor, table, file)

        with monkeypatch.context() as patched:
            patched.setattr(postgres_load, "_copy_file", fail_on_the_second_file)
            with pytest.raises(OSError, match="disk gone"):
                postgres_load.load_extract(connection, "esr_staff", files)
        assert copied, "the failing load never started copying"
        with connection.cursor() as cursor:
            cursor.execute("select count(*) from raw.esr_staff")
            assert cursor.fetchone()[0] == first.rows

        # A second good load empties and refills the same table (dbt's views on it stay).
        again = postgres_load.load_extract(connection, "esr_staff", files[:1])
        assert not again.recreated
        assert again.rows < first.rows
        with connection.cursor() as cursor:
            cursor.execute("select count(*) from raw.esr_staff")
            assert cursor.fetchone()[0] == again.rows
    finally:
        connection.close()


def test_dagster_records_runs_and_materializations_in_postgres(server, ics, tmp_path):
    """docs/dagster.postgres.yaml as a shared deployment's instance: the raw loader
    materialises into the warehouse, and its run and events land in PostgreSQL."""
    server.create_database("dagster")
    server.create_database("loaded")
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML.read_text())
    assert "postgres" in yaml.safe_load(DAGSTER_YAML.read_text())["storage"]
    with pytest.MonkeyPatch.context() as env, warehouse_environment(server, "loaded"):
        env.setenv("DAGSTER_PG_HOST", server.host)
        env.setenv("DAGSTER_PG_PORT", str(server.port))
        env.setenv("DAGSTER_PG_USER", server.user)
        env.setenv("DAGSTER_PG_PASSWORD", "")  # the test server trusts local connections
        env.setenv("DAGSTER_PG_DB", "dagster")
        with DagsterInstance.from_config(str(home)) as instance:
            result = materialize([postgres_load_assets(ics.paths)], instance=instance)
            assert result.success
            latest = instance.get_latest_materialization_event(loaded_key("incidents"))
            rows = latest.asset_materialization.metadata["dagster/row_count"].value
    assert rows == sum(pl.read_parquet(f).height for f in ics.paths.raw_files("incidents"))

    dagster_db = server.connect("dagster")
    try:
        with dagster_db.cursor() as cursor:
            cursor.execute("select status from runs where run_id = %s", (result.run_id,))
            assert cursor.fetchall() == [("SUCCESS",)]
            cursor.execute(
                "select asset_key from event_logs where run_id = %s "
                "and dagster_event_type = 'ASSET_MATERIALIZATION'",
                (result.run_id,),
            )
            recorded = {row[0] for row in cursor.fetchall()}
    finally:
        dagster_db.close()
    assert recorded == {loaded_key(extract).to_string() for extract in EXTRACTS}

    loaded = server.connect("loaded")
    try:
        with loaded.cursor() as cursor:
            cursor.execute("select count(*) from raw.incidents")
            assert cursor.fetchone()[0] == rows
    finally:
        loaded.close()


def test_on_postgres_the_loader_sits_between_ingest_and_dbt(postgres_build, ics, monkeypatch):
    """The code location with EDI_WAREHOUSE=postgres: ingest → load → staging, and the
    warehouse job (what `edi run` builds) loads before dbt. It reads the manifest the
    PostgreSQL build above wrote, rather than parsing the project once more."""
    assert postgres_build.returncode == 0, postgres_build.output[-5000:]
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target="postgres",
        target_path=ics.work_dir / "postgres" / "dbt_target",
    )
    monkeypatch.setattr(assets.dbt, "_dbt_project", lambda target: project)
    monkeypatch.setenv("EDI_WAREHOUSE", "postgres")
    defs = build_definitions(CONFIG, ics.paths)
    graph = defs.resolve_asset_graph()
    warehouse_job = defs.resolve_job_def(WAREHOUSE_JOB).asset_layer.selected_asset_keys
    for extract in EXTRACTS:
        loaded = graph.get(loaded_key(extract))
        assert loaded.parent_keys == {raw_key(extract)}
        assert [k for k in loaded.child_keys if k.path[0] == "staging"], extract
        assert all(k == loaded.key for k in graph.get(raw_key(extract)).child_keys)
        assert loaded.key in warehouse_job
    assert AssetKey(["marts", "wres_indicators"]) in warehouse_job


# --- reading and comparing the marts ----------------------------------------------------


def mart_names(manifest: dict) -> list[str]:
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    )


def duck_types(duck, name: str) -> list[tuple[str, str]]:
    return duck.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? order by ordinal_position",
        [name],
    ).fetchall()


def column_types(pg, name: str, schema: str = "marts") -> list[tuple[str, str]]:
    """Each column's type as PostgreSQL writes it (format_type: numeric(18,2), ...)."""
    with pg.cursor() as cursor:
        cursor.execute(
            "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute as a "
            "where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped "
            "order by a.attnum",
            (f'"{schema}"."{name}"',),
        )
        return cursor.fetchall()


def read_postgres(pg, name: str, columns: list[str]) -> pl.DataFrame:
    with pg.cursor() as cursor:
        cursor.execute(f'select * from marts."{name}"')
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)


def assert_same_rows(name: str, expected: pl.DataFrame, actual: pl.DataFrame) -> None:
    """The same rows in any order: sorted on every column that is not a float (those
    identify a row), then floats within FLOAT_TOLERANCE and the rest exactly."""
    assert actual.columns == expected.columns, name
    assert actual.height == expected.height, (
        f"marts.{name}: {actual.height} rows, not {expected.height}"
    )
    floats = [c for c, dtype in expected.schema.items() if dtype.is_float()]
    keys = [c for c in expected.columns if c not in floats]
    assert not expected.select(keys).is_duplicated().any(), f"marts.{name}: rows not identified"
    assert_frame_equal(
        actual.sort(keys, nulls_last=True),
        expected.sort(keys, nulls_last=True),
        check_dtypes=False,  # Int32 and Int64 hold the same counts; SQL types are compared apart
        rel_tol=FLOAT_TOLERANCE,
        abs_tol=FLOAT_TOLERANCE,
    )
