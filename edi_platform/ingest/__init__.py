"""Ingest: landing file -> validated, pseudonymised raw Parquet, quarantine and
a data-quality report (docs/raw-zone.md). Plain Python; the Dagster layer
calls ``ingest_partition``.
"""

from edi_platform.ingest.errors import FileFault, IngestError, MissingKeyError, TooManyRejected
from edi_platform.ingest.pipeline import IngestResult, ingest_partition
from edi_platform.ingest.pseudonymise import pseudonymise_values, resolve_key
from edi_platform.ingest.quality import Issue

__all__ = [
    "FileFault",
    "IngestError",
    "IngestResult",
    "Issue",
    "MissingKeyError",
    "TooManyRejected",
    "ingest_partition",
    "pseudonymise_values",
    "resolve_key",
]
