"""EDI metrics platform: the domain core.

Everything here is plain Python (polars, pandera, DuckDB) and knows nothing of
Dagster; the Dagster layer lives in the top-level ``assets`` package.
"""
