"""The code location loads and shows one lineage: landing file → ingest → staging."""

import subprocess
import sys

from dagster import AssetKey, Definitions

from assets.definitions import build_definitions
from assets.jobs import INGEST_JOB, WAREHOUSE_JOB
from edi_platform.config import parse_config
from edi_platform.paths import EXTRACTS, DataPaths

CONFIG = parse_config(
    {
        "icb_code": "QAB",
        "reporting_years": ["2022-23", "2023-24"],
        "trusts": [
            {"org_code": "R1X", "type": "acute"},
            {"org_code": "R2Y", "type": "ambulance"},
            {"org_code": "R3Z", "type": "mental_health"},
        ],
    }
)


def _graph(tmp_path):
    defs = build_definitions(CONFIG, DataPaths(tmp_path))
    Definitions.validate_loadable(defs)
    return defs, defs.resolve_asset_graph()


def test_partitions_come_from_the_configuration(tmp_path, dbt_manifest):
    defs, graph = _graph(tmp_path)
    partitions = graph.get(AssetKey(["raw", "esr_staff"])).partitions_def
    keys = partitions.get_partition_keys()
    assert len(keys) == 3 * 2
    assert "R2Y|2023-24" in keys


def test_lineage_runs_from_landing_through_ingest_to_staging(tmp_path, dbt_manifest):
    _, graph = _graph(tmp_path)
    for extract in EXTRACTS:
        raw = AssetKey(["raw", extract])
        assert AssetKey(["landing", extract]) in graph.get(raw).parent_keys
        staging_children = [k for k in graph.get(raw).child_keys if k.path[0] == "staging"]
        assert staging_children, f"no staging model reads raw/{extract}"
        for child in staging_children:
            assert graph.get(child).group_name == "staging"


def test_every_ingest_asset_has_a_validation_check_and_owner(tmp_path, dbt_manifest):
    _, graph = _graph(tmp_path)
    for extract in EXTRACTS:
        node = graph.get(AssetKey(["raw", extract]))
        assert node.group_name == "ingest"
        assert node.owners == ["team:icb-data"]
        assert {c.name for c in node.check_keys} == {"rows_valid"}
        assert node.description


def test_dbt_models_are_described_and_tested(tmp_path, dbt_manifest):
    _, graph = _graph(tmp_path)
    staging = [k for k in graph.get_all_asset_keys() if k.path[0] == "staging"]
    assert len(staging) >= 4
    for key in staging:
        node = graph.get(key)
        assert node.description, f"{key.to_user_string()} has no description"
        assert node.check_keys, f"{key.to_user_string()} has no dbt tests"


def test_jobs_resolve(tmp_path, dbt_manifest):
    defs, _ = _graph(tmp_path)
    assert defs.resolve_job_def(INGEST_JOB).partitions_def is not None
    assert defs.resolve_job_def(WAREHOUSE_JOB).partitions_def is None


def test_the_code_location_module_loads(dbt_manifest):
    from assets import definitions

    assert isinstance(definitions.defs, Definitions)


def test_loading_the_code_location_leaves_the_publishing_stack_unimported(dbt_manifest):
    """The UI and every ingest run load the code; scipy, matplotlib and the XLSX writer
    are for publishing only (jinja2 stays: dbt needs it) and were a third of a load (docs/performance.md)."""
    probe = (
        "import sys, assets.definitions; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'scipy', 'matplotlib', 'xlsxwriter'}), "
        "sorted(m for m in sys.modules if m.startswith('edi_platform.publish')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[] []"
