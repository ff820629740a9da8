"""Pseudonyms: HMAC-SHA256 in DuckDB equals Python's hmac, after normalisation; key resolution."""

from __future__ import annotations

import hashlib
import hmac
import os

import polars as pl
import pytest

from edi_platform.ingest import MissingKeyError, pseudonymise_values, resolve_key
from edi_platform.ingest.pseudonymise import DEMO_KEY, pseudonymise_columns

KEY = b"a-test-key-of-some-length"


def _hmac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def test_equals_python_hmac():
    identifiers = ["12345678", "AB12", "É-ACCENT", "0"]  # already normalised
    assert pseudonymise_values(pl.Series(identifiers), KEY).to_list() == [
        _hmac(KEY, i) for i in identifiers
    ]


def test_keys_longer_than_a_hash_block_are_hashed_first_as_hmac_requires():
    long_key = b"k" * 100
    assert pseudonymise_values(pl.Series(["1"]), long_key)[0] == _hmac(long_key, "1")


def test_stable_for_a_key_and_different_across_keys():
    values = pl.Series("employee_number", ["123", "456"])
    first = pseudonymise_values(values, KEY)
    assert first.name == "employee_number"
    assert first.to_list() == pseudonymise_values(values, KEY).to_list()
    assert set(first.to_list()).isdisjoint(pseudonymise_values(values, DEMO_KEY).to_list())


def test_a_files_columns_in_one_query_equal_each_column_alone_and_leave_the_rest():
    frame = pl.DataFrame(
        {
            "employee_number": ["123", None, "0042"],
            "hours": [37.5, 22.5, 30.0],
            "assignment_number": ["123-1", "9", None],
        }
    )
    out = pseudonymise_columns(frame, ["employee_number", "assignment_number"], KEY)
    assert out.columns == frame.columns
    assert out["hours"].to_list() == [37.5, 22.5, 30.0]
    assert out["employee_number"].to_list() == [_hmac(KEY, "123"), None, _hmac(KEY, "42")]
    assert out["assignment_number"].to_list() == [_hmac(KEY, "123-1"), _hmac(KEY, "9"), None]


def test_one_database_per_process_and_calls_side_by_side_see_only_their_own_frame():
    """Threads share the process's in-memory DuckDB; each call registers its frame on a
    cursor of its own, so two calls at once never read each other's identifiers."""
    from concurrent.futures import ThreadPoolExecutor

    from edi_platform.ingest import pseudonymise

    frames = [pl.DataFrame({"id": [f"{n}-{i}" for i in range(2_000)]}) for n in range(8)]
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda f: pseudonymise_columns(f, ["id"], KEY), frames))
    for frame, out in zip(frames, outs, strict=True):
        assert out["id"].to_list() == [_hmac(KEY, v) for v in frame["id"].to_list()]
    assert list(pseudonymise._DATABASES) == [os.getpid()]


def test_normalisation_trims_upper_cases_and_drops_leading_zeros_of_numbers():
    values = pl.Series([" 00123 ", "123", "ab12", "AB12", "0012A", "000", "", None])
    out = pseudonymise_values(values, KEY).to_list()
    assert out[0] == out[1] == _hmac(KEY, "123")
    assert out[2] == out[3] == _hmac(KEY, "AB12")
    assert out[4] == _hmac(KEY, "0012A")  # not all digits: zeros kept
    assert out[5] == _hmac(KEY, "0")
    assert out[6:] == [None, None]


def test_resolve_key_prefers_the_configured_key():
    key, demo = resolve_key(
        {"EDI_PSEUDONYMISATION_KEY": "s3cret-but-long-enough", "EDI_MODE": "demo"}
    )
    assert (key, demo) == (b"s3cret-but-long-enough", False)


@pytest.mark.parametrize("mode", ["demo", "test", "DEMO"])
def test_resolve_key_falls_back_to_the_demo_key_only_in_demo_or_test_mode(mode):
    assert resolve_key({"EDI_MODE": mode}) == (DEMO_KEY, True)


def test_resolve_key_refuses_without_a_key():
    with pytest.raises(MissingKeyError, match="EDI_PSEUDONYMISATION_KEY"):
        resolve_key({"EDI_MODE": "production"})


def test_resolve_key_refuses_a_short_key_without_echoing_it():
    with pytest.raises(MissingKeyError) as caught:
        resolve_key({"EDI_PSEUDONYMISATION_KEY": "short"})
    assert "short" not in str(caught.value).replace("shorter", "")
