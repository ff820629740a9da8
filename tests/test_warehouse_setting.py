"""EDI_WAREHOUSE chooses the warehouse, and each target keeps a manifest of its own."""

import json

import pytest

from assets.dbt import MANIFEST_FOLDERS, manifest_adapter
from edi_platform.warehouse import (
    WarehouseSettingError,
    dbt_target,
    postgres_connection_settings,
    warehouse,
)


def test_duckdb_is_the_default_and_postgres_is_one_setting_away(monkeypatch):
    monkeypatch.delenv("EDI_WAREHOUSE", raising=False)
    assert warehouse() == dbt_target() == "duckdb"
    monkeypatch.setenv("EDI_WAREHOUSE", " Postgres ")  # case and spaces forgiven
    assert warehouse() == dbt_target() == "postgres"


def test_a_mistyped_warehouse_is_refused_not_defaulted(monkeypatch):
    monkeypatch.setenv("EDI_WAREHOUSE", "postgress")
    with pytest.raises(WarehouseSettingError, match="postgress"):
        warehouse()


def test_postgres_connection_comes_from_the_libpq_variables(monkeypatch):
    for name in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD"):
        monkeypatch.delenv(name, raising=False)
    # the same defaults as dbt_project/profiles.yml
    assert postgres_connection_settings() == {
        "host": "localhost",
        "port": "5432",
        "user": "edi",
        "dbname": "edi",
    }
    monkeypatch.setenv("PGHOST", "db.example.nhs.uk")
    monkeypatch.setenv("PGPASSWORD", "from-the-environment")
    settings = postgres_connection_settings()
    assert settings["host"] == "db.example.nhs.uk"
    assert settings["password"] == "from-the-environment"


def test_each_target_has_its_own_manifest_folder():
    assert MANIFEST_FOLDERS["duckdb"] != MANIFEST_FOLDERS["postgres"]
    assert str(MANIFEST_FOLDERS["duckdb"]) == "target"  # where `make` looks for it


def test_the_manifest_says_which_adapter_parsed_it(tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"metadata": {"adapter_type": "postgres"}, "nodes": {}}))
    assert manifest_adapter(manifest) == "postgres"
    manifest.write_text(json.dumps({"nodes": {}}))
    assert manifest_adapter(manifest) is None  # unknown: ensure_manifest parses again
