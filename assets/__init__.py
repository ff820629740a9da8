"""The Dagster layer: asset, check and job definitions, and nothing else.

Every domain rule lives in ``edi_platform`` (Python) or ``dbt_project`` (SQL);
these modules only say how the pieces are scheduled, partitioned and shown in
the Dagster UI. ``assets.definitions`` assembles them into the one code location.
"""
