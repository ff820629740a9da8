"""Trust × reporting-year partitions, read from the ICS configuration."""

from __future__ import annotations

from dagster import MultiPartitionKey, MultiPartitionsDefinition, StaticPartitionsDefinition

from edi_platform.config import IcsConfig

TRUST = "trust"
YEAR = "year"


def trust_year_partitions(config: IcsConfig) -> MultiPartitionsDefinition:
    # Dagster orders dimensions by name, so keys render as "<trust>|<year>", e.g. "RXA|2023-24".
    return MultiPartitionsDefinition(
        {
            TRUST: StaticPartitionsDefinition(list(config.org_codes)),
            YEAR: StaticPartitionsDefinition(list(config.reporting_years)),
        }
    )


def partition_key(org_code: str, reporting_year: str) -> MultiPartitionKey:
    return MultiPartitionKey({TRUST: org_code, YEAR: reporting_year})


def trust_and_year(key: MultiPartitionKey) -> tuple[str, str]:
    dims = key.keys_by_dimension
    return dims[TRUST], dims[YEAR]
