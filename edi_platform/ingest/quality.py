"""The data-quality report: what a trust's data submitter needs to fix a file.

Per partition: the file and its checksum, rows read, loaded and rejected,
each rule broken (column, severity, how many rows, example row numbers and a
plain-English explanation), the columns ignored and any file-level fault.
Written as JSON (for machines) and markdown (for people); nothing in it is
personal data, only rules, column names and row numbers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import polars as pl

from edi_platform.ingest.errors import IngestError
from edi_platform.ingest.extracts import ExtractSpec
from edi_platform.ingest.read import SOURCE_ROW
from edi_platform.ingest.rules import FILE_RULES, PARTITION_RULES, ROW_RULES, WARNING_RULES
from edi_platform.ingest.schemas import RawPartition, allowed_range

EXAMPLES = 5
_VALUE_RULES = ("not_a_flag", "unparseable_date", "not_a_number", "unknown_code")


@dataclass(frozen=True)
class Issue:
    rule: str
    column: str | None
    severity: str
    """'error': the rows are quarantined; 'warning': the rows load."""
    count: int
    """Rows affected."""
    example_rows: tuple[int, ...]
    message: str


def row_issues(
    faults: pl.DataFrame, spec: ExtractSpec, model: type[RawPartition]
) -> tuple[Issue, ...]:
    """One issue per rule x column x severity, errors first, then the most rows."""
    grouped = (
        faults.group_by("rule", "column", "severity")
        .agg(
            pl.col(SOURCE_ROW).n_unique().alias("count"),
            pl.col(SOURCE_ROW).unique().sort().head(EXAMPLES).alias("examples"),
        )
        .sort(
            [pl.col("severity") != "error", pl.col("count"), "rule", "column"],
            descending=[False, True, False, False],
            nulls_last=True,
        )
    )
    return tuple(
        Issue(
            rule=g["rule"],
            column=g["column"],
            severity=g["severity"],
            count=g["count"],
            example_rows=tuple(g["examples"]),
            message=explain(g["rule"], g["column"], g["severity"], spec, model),
        )
        for g in grouped.iter_rows(named=True)
    )


def explain(
    rule: str, column: str | None, severity: str, spec: ExtractSpec, model: type[RawPartition]
) -> str:
    spec_column = spec.column(column) if column else None
    if spec_column is not None:
        kind = spec_column.kind
        if severity == "warning":
            return f"{column} was not recognised (expected {kind.expects}); loaded as not recorded."
        if rule == "blank_required":
            return f"{column} is blank; every row needs a value."
        if rule in _VALUE_RULES:
            return f"{column} must be {kind.expects}."
        if rule == "out_of_range":
            allowed = allowed_range(model, spec_column.target) if spec_column.target else ""
            return f"{column} must be {allowed or kind.expects}."
    if rule == "duplicate_key":
        return f"{column} must be unique in the file; every row sharing a value is held back."
    return ROW_RULES.get(rule, rule)


def unknown_columns_issue(unknown: tuple[str, ...]) -> Issue:
    return Issue(
        rule="unknown_column",
        column=None,
        severity="warning",
        count=len(unknown),
        example_rows=(),
        message=f"{WARNING_RULES['unknown_column']} Ignored: {', '.join(unknown)}.",
    )


def fault_issue(error: IngestError, rows_affected: int) -> Issue:
    """The file-level or partition-level fault that stopped the load."""
    general = FILE_RULES.get(error.rule) or PARTITION_RULES.get(error.rule) or ""
    return Issue(
        rule=error.rule,
        column=error.column,
        severity="error",
        count=rows_affected,
        example_rows=(error.row,) if error.row is not None else (),
        message=" ".join(
            p for p in (general, f"Here: {error.detail}." if error.detail else "") if p
        ),
    )


@dataclass(frozen=True)
class Report:
    extract: str
    org_code: str
    reporting_year: str
    file: str
    source_sha256: str | None
    status: str
    """'loaded', 'file_rejected' or 'too_many_rejected'."""
    used_demo_key: bool
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejected_share: float
    max_rejected_share: float
    unknown_columns: tuple[str, ...]
    issues: tuple[Issue, ...]
    fault: str | None
    """The message of the fault that stopped the load, if one did."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        title = f"# Data-quality report: {self.extract}, {self.org_code}, {self.reporting_year}"
        lines = [title, ""]
        if self.used_demo_key:
            lines += ["> Demo data: pseudonyms were made with the published demo key.", ""]
        lines += [f"- File: `{self.file}`", f"- SHA-256: `{self.source_sha256 or 'not read'}`"]
        lines += [f"- Result: **{_RESULTS[self.status]}**"]
        if self.fault:
            lines += [f"- Why: {self.fault}"]
        lines += [
            f"- Rows read: {self.rows_read:,}; loaded: {self.rows_loaded:,}; "
            f"held back in quarantine: {self.rows_rejected:,} ({self.rejected_share:.2%}; "
            f"the limit is {self.max_rejected_share:.0%})",
            "",
        ]
        if not self.issues:
            return "\n".join([*lines, "No issues: every row loaded.", ""])
        lines += [
            "| rule | column | severity | rows | example rows | what to check |",
            "|---|---|---|---|---|---|",
        ]
        for issue in self.issues:
            cells = [
                issue.rule,
                issue.column or "",
                issue.severity,
                f"{issue.count:,}",
                ", ".join(map(str, issue.example_rows)),
                issue.message,
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines += [
            "",
            "Row numbers are as in the file (the header is row 1). Errors hold a row back; "
            "warnings load it, with the value as not recorded.",
            "",
        ]
        return "\n".join(lines)


_RESULTS = {
    "loaded": "loaded",
    "file_rejected": "not loaded: the file was refused; the previous data for this partition is kept",
    "too_many_rejected": (
        "not loaded: too many rows broke the rules; the previous data for this partition is kept"
    ),
}
