"""How `edi run` hands partitions to its ingest workers (assets/ingest_batch.py)."""

from __future__ import annotations

from assets.ingest_batch import largest_first
from edi_platform.paths import DataPaths


def test_largest_partitions_go_first_so_the_batch_ends_on_small_ones(tmp_path):
    paths = DataPaths(tmp_path)
    # bytes of landing files per partition: R02 biggest, R01 smallest, R03 has none left
    for org, sizes in {"R01": [10], "R02": [300, 50], "R04": [200]}.items():
        folder = paths.landing_dir("2023-24", org)
        folder.mkdir(parents=True)
        for n, size in enumerate(sizes):
            (folder / f"extract_{n}.csv").write_bytes(b"x" * size)
    batch = [(org, "2023-24", ("esr_staff",)) for org in ("R01", "R02", "R03", "R04")]
    ordered = largest_first(paths, batch)
    assert [org for org, _, _ in ordered] == ["R02", "R04", "R01", "R03"]
    assert sorted(ordered) == sorted(batch)  # every partition still there, none twice
