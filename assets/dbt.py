"""The dbt project as Dagster assets: staging, intermediate and marts, one lineage with ingest."""

import json
import os
import re
import shutil
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, AssetSpec, Failure
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from assets.automation import REFRESH_WHEN_INPUTS_CHANGE
from assets.dbt_cli import EdiDbtCliResource
from assets.ownership import OWNERS
from edi_platform.config import IcsConfig
from edi_platform.paths import DBT_PROJECT_DIR, EXTRACTS, DataPaths
from edi_platform.temporary_files import remove_abandoned
from edi_platform.warehouse import DUCKDB, POSTGRES, dbt_target

# Every asset that writes warehouse.duckdb runs in this pool, limited to one at a
# time (the instance's dagster.yaml): DuckDB allows one writer process.
WAREHOUSE_POOL = "warehouse"

# Where each target's prepared manifest lives, inside dbt_project/. A manifest records
# its adapter and the database of every relation, so one parsed for DuckDB is not the
# PostgreSQL project's; each target keeps its own (and its partial-parse state), so
# switching EDI_WAREHOUSE never reads the other's and never re-parses back and forth.
# DuckDB keeps target/, where `make` expects it.
MANIFEST_FOLDERS = {DUCKDB: Path("target"), POSTGRES: Path("target") / POSTGRES}


def dbt_executable() -> str:
    """The dbt next to this Python, so the UI and CLI never pick up another install."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def dbt_project() -> DbtProject:
    """The dbt project for the warehouse EDI_WAREHOUSE chooses (edi_platform/warehouse.py)."""
    return _dbt_project(dbt_target())


@cache
def _dbt_project(target: str) -> DbtProject:
    return DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target=target,
        target_path=MANIFEST_FOLDERS[target],
    )


def dbt_resource() -> DbtCliResource:
    project = dbt_project()
    return EdiDbtCliResource(
        project_dir=project,
        profiles_dir=str(DBT_PROJECT_DIR),
        target=project.target,
        dbt_executable=dbt_executable(),
    )


class EdiDbtTranslator(DagsterDbtTranslator):
    """Models and seeds are keyed and grouped by the warehouse schema they build.

    ``staging/stg_esr__assignments`` lives in group ``staging``; seeds in
    ``reference``. Sources keep the key their YAML gives them (``raw/<extract>``),
    which is the ingest asset, so lineage runs landing → ingest → dbt, unless
    ``source_keys`` names another asset for a source table: on PostgreSQL the
    loader's (assets/postgres_load.py), so lineage runs landing → ingest → load
    → dbt. Every model and seed refreshes when its inputs change
    (assets/automation.py).
    """

    def __init__(self, source_keys: Mapping[str, AssetKey] | None = None):
        super().__init__()
        self.source_keys = dict(source_keys or {})

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source" and props["name"] in self.source_keys:
            return spec.replace_attributes(key=self.source_keys[props["name"]])
        if props["resource_type"] not in ("model", "seed", "snapshot"):
            return spec
        schema = props["schema"]
        return spec.replace_attributes(
            key=AssetKey([schema, props["name"]]),
            group_name=schema,
            owners=OWNERS,
            automation_condition=REFRESH_WHEN_INPUTS_CHANGE,
        )


def dbt_build_args(config: IcsConfig) -> list[str]:
    """The dbt command for a warehouse build: the ICS's own settings travel as dbt vars.

    Data tests run at every build (they check the data). dbt unit tests check the
    SQL on hand-worked inputs, so they run with the code's tests (`make test`),
    not at every build, where they were over half of dbt's time.
    """
    return [
        "build",
        "--vars",
        json.dumps({"icb_code": config.icb_code}),
        "--exclude-resource-type",
        "unit_test",
        # dbt.log at debug level (its default) wrote 10 MB a build, ~7% of dbt's time;
        # at info it keeps what warehouse_build.log shows, with errors in full.
        "--log-level-file",
        "info",
    ]


def warehouse_assets(
    config: IcsConfig, paths: DataPaths, source_keys: Mapping[str, AssetKey] | None = None
) -> AssetsDefinition:
    """The dbt project's assets; ``source_keys`` maps a source table to the asset that
    writes it where that is not its ingest asset (EdiDbtTranslator)."""
    project = dbt_project()
    ensure_manifest(project)
    reads_parquet = project.target == DUCKDB

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=EdiDbtTranslator(source_keys),
        pool=WAREHOUSE_POOL,
        name="warehouse",
    )
    def _warehouse(context: AssetExecutionContext, dbt: DbtCliResource):
        # dbt's sources read every raw file of an extract; with none there is nothing to
        # read, and DuckDB's own error would not say which extract is missing. (On
        # PostgreSQL they read the loader's tables, and the loader makes this check.)
        missing = [extract for extract in EXTRACTS if not paths.raw_files(extract)]
        if reads_parquet and missing:
            raise Failure(
                description=(
                    f"No {', '.join(missing)} data has been ingested yet under {paths.raw}: "
                    "ingest at least one trust-year of every extract before building the warehouse."
                )
            )
        # Runs launched from the UI clean up after a killed run here, once per build.
        for abandoned in remove_abandoned(paths.root):
            context.log.info(f"removed {abandoned}, left by an interrupted run")
        # One dbt target folder per data folder, kept between builds: dbt's partial-parse
        # state is only valid for the profile (the data folder's warehouse) and vars it was
        # made with, so a folder of its own lets the next build of this warehouse re-use
        # it (measured: a dbt parse 15 s -> 8 s, docs/performance.md). A new folder per
        # build, dagster-dbt's default, parsed the whole project every time.
        target_path = paths.root / "dbt_target" / project.target
        yield from dbt.cli(
            dbt_build_args(config), context=context, target_path=target_path
        ).stream()

    return _warehouse


def ensure_manifest(project: DbtProject) -> Path:
    """Parse the dbt project only when its manifest is missing, older than its files, or
    parsed for another adapter.

    Loading the code location then costs no dbt parse: `make` prepares the
    manifest once, and it is rebuilt only after the dbt project changes. The
    adapter check catches a manifest someone wrote by hand with the other
    EDI_WAREHOUSE into this target's folder.
    """
    manifest = Path(project.manifest_path)
    if (
        manifest.exists()
        and manifest.stat().st_mtime >= _newest_source_mtime(project)
        and manifest_adapter(manifest) == project.target
    ):
        return manifest
    from edi_platform.dbt_parse import parse_dbt_project

    parse_dbt_project(
        dbt_executable(),
        Path(project.project_dir),
        target=project.target,
        target_path=Path(project.project_dir) / project.target_path,
    )
    return manifest


def manifest_adapter(manifest: Path) -> str | None:
    """The adapter a manifest was parsed with, from its metadata, which dbt writes first
    (reading the head, not the whole file of several MB)."""
    with manifest.open(encoding="utf-8") as file:
        head = file.read(4096)
    found = re.search(r'"adapter_type":\s*"([^"]+)"', head)
    return found.group(1) if found else None


def _newest_source_mtime(project: DbtProject) -> float:
    root = Path(project.project_dir)
    newest = 0.0
    for folder in ("models", "seeds", "macros", "tests"):
        for dirpath, _, filenames in os.walk(root / folder):
            for name in filenames:
                newest = max(newest, os.stat(os.path.join(dirpath, name)).st_mtime)
    for name in ("dbt_project.yml", "profiles.yml"):
        if (root / name).exists():
            newest = max(newest, (root / name).stat().st_mtime)
    return newest
