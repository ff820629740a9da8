"""The faults that stop a partition from loading, and the missing-key refusal."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A partition did not load. ``str()`` names the file, row, column and rule.

    ``report_file`` is the data-quality report written for the submitter (set
    by ``ingest_partition`` once it is on disk).
    """

    def __init__(
        self,
        file: str,
        rule: str,
        detail: str = "",
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.rule = rule
        self.detail = detail
        self.row = row
        self.column = column
        self.report_file: Path | None = None
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.rule}" + (f" ({self.detail})" if self.detail else "")


class FileFault(IngestError):
    """The file as a whole cannot be loaded: unreadable, wrong shape, wrong org or year."""


class TooManyRejected(IngestError):
    """More rows broke the rules than the configured share allows."""


class MissingKeyError(RuntimeError):
    """No usable pseudonymisation key: ingest refuses to run."""
