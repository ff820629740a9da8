"""The dbt command the warehouse asset runs, built by a pure function."""

import json

from assets.dbt import dbt_build_args
from edi_platform.config import parse_config


def test_the_ics_code_travels_to_dbt_as_a_var():
    config = parse_config(
        {
            "icb_code": "QAB",
            "reporting_years": ["2023-24"],
            "trusts": [{"org_code": "R1X", "type": "acute"}],
        }
    )
    args = dbt_build_args(config)
    assert args[0] == "build"
    assert json.loads(args[args.index("--vars") + 1]) == {"icb_code": "QAB"}
