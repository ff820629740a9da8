"""The dbt command the warehouse asset runs, built by a pure function."""

import json

from assets.dbt import dbt_build_args
from edi_platform.config import parse_config

CONFIG = parse_config(
    {
        "icb_code": "QAB",
        "reporting_years": ["2023-24"],
        "trusts": [{"org_code": "R1X", "type": "acute"}],
    }
)


def test_the_ics_code_travels_to_dbt_as_a_var():
    args = dbt_build_args(CONFIG)
    assert args[0] == "build"
    assert json.loads(args[args.index("--vars") + 1]) == {"icb_code": "QAB"}


def test_a_build_runs_the_data_tests_and_leaves_unit_tests_to_make_test():
    args = dbt_build_args(CONFIG)
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert "test" not in args  # data tests are never excluded


def test_dbt_logs_to_its_file_at_info_not_debug():
    args = dbt_build_args(CONFIG)
    assert args[args.index("--log-level-file") + 1] == "info"
