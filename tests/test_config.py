from pathlib import Path

import pytest

from edi_platform.config import ConfigError, load_config, parse_config
from edi_platform.years import ReportingYear, parse_year_range

VALID = {
    "icb_code": "QAB",
    "icb_name": "Test ICB",
    "reporting_years": ["2023-24", "2022-23"],
    "trusts": [{"org_code": "r1x", "name": "One", "type": "acute"}],
}


def test_sample_config_loads():
    config = load_config(Path(__file__).parents[1] / "ics.yaml")
    assert config.icb_code == "QXX"
    assert len(config.trusts) >= 2
    assert config.ingest.max_rejected_share == 0.02


def test_codes_are_normalised_and_years_sorted():
    config = parse_config(VALID)
    assert config.org_codes == ("R1X",)
    assert config.reporting_years == ("2022-23", "2023-24")


def test_config_file_named_by_environment(tmp_path, monkeypatch):
    path = tmp_path / "other.yaml"
    path.write_text(
        "icb_code: QZZ\nreporting_years: ['2020-21']\n"
        "trusts:\n  - {org_code: RQQ, name: Q, type: ambulance}\n"
    )
    monkeypatch.setenv("EDI_ICS_CONFIG", str(path))
    assert load_config().icb_code == "QZZ"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"icb_code": "Q"}, "icb_code"),
        ({"reporting_years": ["2023-25"]}, "YYYY-YY"),
        ({"reporting_years": ["2023-24", "2023-24"]}, "twice"),
        ({"trusts": [{"org_code": "R1X", "type": "hospice"}]}, "type 'hospice'"),
        ({"trusts": [{"org_code": "R1", "type": "acute"}]}, "org_code"),
        ({"trusts": [{"org_code": "QAB", "type": "acute"}]}, "ICB code"),
        ({"trusts": []}, "'trusts' is required"),
        ({"ingest": {"max_rejected_share": 2}}, "max_rejected_share"),
    ],
)
def test_config_errors_say_what_is_wrong(change, message):
    with pytest.raises(ConfigError, match=message):
        parse_config({**VALID, **change})


def test_reporting_year_dates():
    year = ReportingYear("2023-24")
    assert str(year.start) == "2023-04-01"
    assert str(year.snapshot_date) == "2024-03-31"
    assert year.survey_year == 2023
    with pytest.raises(ValueError):
        ReportingYear("2023-2024")


def test_year_range():
    assert parse_year_range("2018-19:2020-21") == ["2018-19", "2019-20", "2020-21"]
    assert parse_year_range("2023-24") == ["2023-24"]
    with pytest.raises(ValueError):
        parse_year_range("2023-24:2021-22")
