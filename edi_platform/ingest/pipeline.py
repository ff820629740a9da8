"""One partition: landing file -> raw Parquet, quarantine and data-quality report.

check where the file is -> read -> match headers -> parse and pseudonymise ->
partition checks (org, survey year) -> validate (pandera) -> write. Any fault
leaves the previous raw Parquet untouched; the quarantine folder always
describes the latest attempt, so the submitter can see why it did or did not
load.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from edi_platform.config import IngestSettings
from edi_platform.ingest.convert import convert
from edi_platform.ingest.errors import FileFault, IngestError, TooManyRejected
from edi_platform.ingest.extracts import EXTRACT_SPECS, ExtractSpec
from edi_platform.ingest.file_checks import check_partition_values
from edi_platform.ingest.headers import check_sheets, match_headers
from edi_platform.ingest.pseudonymise import DEMO_KEY
from edi_platform.ingest.quality import (
    Issue,
    Report,
    fault_issue,
    row_issues,
    unknown_columns_issue,
)
from edi_platform.ingest.read import SOURCE_ROW, read_table
from edi_platform.ingest.schemas import MODELS
from edi_platform.ingest.store import write_parquet, write_text
from edi_platform.ingest.validate import validate
from edi_platform.landing import in_partition_folder
from edi_platform.paths import DataPaths
from edi_platform.stopwatch import Stopwatch
from edi_platform.years import ReportingYear

RAW_FILE = "part-0.parquet"
REJECTED_FILE = "rejected_rows.parquet"
REPORT_JSON = "quality_report.json"
REPORT_MD = "quality_report.md"
SUFFIXES = (".csv", ".xlsx")
REJECTED_SCHEMA = {SOURCE_ROW: pl.Int64, "column": pl.String, "rule": pl.String, "value": pl.String}
_ORG_CODE = re.compile(r"^[A-Z0-9]{3}$")
_MB = 1024 * 1024


@dataclass(frozen=True)
class IngestResult:
    extract: str
    org_code: str
    reporting_year: str
    source: Path
    source_sha256: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejected_share: float
    unknown_columns: tuple[str, ...]
    issues: tuple[Issue, ...]
    raw_file: Path
    report_file: Path
    used_demo_key: bool
    # Wall seconds per stage: read, pseudonymise, validate, write (shown in the UI; the benchmark
    # adds them up).
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Attempt:
    """What is known so far, so a report can be written whenever the load stops."""

    file: str
    sha256: str | None = None
    rows_read: int = 0
    unknown: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = ()
    rejected: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECTED_SCHEMA))
    watch: Stopwatch = field(default_factory=Stopwatch)

    @property
    def rows_rejected(self) -> int:
        return self.rejected[SOURCE_ROW].n_unique()

    @property
    def rejected_share(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0


def ingest_partition(
    extract: str,
    org_code: str,
    reporting_year: str,
    *,
    source: Path,
    paths: DataPaths,
    key: bytes,
    settings: IngestSettings,
) -> IngestResult:
    """Validate, pseudonymise and load one landing file into its raw partition.

    Raises FileFault when the file cannot be loaded at all and TooManyRejected
    when more than ``settings.max_rejected_share`` of its rows break a rule;
    either way the partition's previous raw Parquet is left as it was and the
    quality report (``error.report_file``) says why.
    """
    spec = EXTRACT_SPECS.get(extract)
    if spec is None:
        raise ValueError(f"unknown extract {extract!r}; expected one of {', '.join(EXTRACT_SPECS)}")
    year = ReportingYear(reporting_year)
    if not _ORG_CODE.match(org_code):
        raise ValueError(f"org_code {org_code!r} is not a three-character upper-case ODS code")
    source = Path(source)
    attempt = _Attempt(file=_display_name(source, paths))
    used_demo_key = key == DEMO_KEY
    quarantine = paths.quarantine_partition(extract, reporting_year, org_code)
    raw_file = paths.raw_partition(extract, reporting_year, org_code) / RAW_FILE
    scratch = paths.root / ".tmp"
    metadata = {"edi_platform.pseudonymisation_key": "demo" if used_demo_key else "operator"}

    def publish(status: str, fault: IngestError | None) -> Report:
        report = Report(
            extract=extract,
            org_code=org_code,
            reporting_year=reporting_year,
            file=attempt.file,
            source_sha256=attempt.sha256,
            status=status,
            used_demo_key=used_demo_key,
            rows_read=attempt.rows_read,
            rows_loaded=attempt.rows_read - attempt.rows_rejected if fault is None else 0,
            rows_rejected=attempt.rows_rejected,
            rejected_share=round(attempt.rejected_share, 6),
            max_rejected_share=settings.max_rejected_share,
            unknown_columns=attempt.unknown,
            issues=attempt.issues,
            fault=str(fault) if fault else None,
        )
        with attempt.watch.stage("write"):
            write_parquet(attempt.rejected, quarantine / REJECTED_FILE, scratch, metadata)
            write_text(report.to_json(), quarantine / REPORT_JSON, scratch)
            write_text(report.to_markdown(), quarantine / REPORT_MD, scratch)
        return report

    try:
        _refuse_outside_landing(source, paths, reporting_year, org_code, attempt.file)
        loaded = _load(spec, org_code, year, source, key, settings, attempt)
    except IngestError as error:
        too_many = isinstance(error, TooManyRejected)
        # Rows affected: those rejected, or every row when the whole file is refused.
        affected = attempt.rows_rejected if too_many else attempt.rows_read
        attempt.issues = (fault_issue(error, affected), *attempt.issues)
        publish("too_many_rejected" if too_many else "file_rejected", error)
        error.report_file = quarantine / REPORT_JSON
        raise
    with attempt.watch.stage("write"):
        write_parquet(
            loaded, raw_file, scratch, {**metadata, "edi_platform.source_sha256": attempt.sha256}
        )
    report = publish("loaded", None)
    return IngestResult(
        extract=extract,
        org_code=org_code,
        reporting_year=reporting_year,
        source=source,
        source_sha256=attempt.sha256,
        rows_read=report.rows_read,
        rows_loaded=report.rows_loaded,
        rows_rejected=report.rows_rejected,
        rejected_share=attempt.rejected_share,
        unknown_columns=attempt.unknown,
        issues=attempt.issues,
        raw_file=raw_file,
        report_file=quarantine / REPORT_JSON,
        used_demo_key=used_demo_key,
        seconds=attempt.watch.seconds,
    )


def _load(
    spec: ExtractSpec,
    org_code: str,
    year: ReportingYear,
    source: Path,
    key: bytes,
    settings: IngestSettings,
    attempt: _Attempt,
) -> pl.DataFrame:
    """The rows to write; fills ``attempt`` as it learns about the file."""
    file = attempt.file
    watch = attempt.watch
    with watch.stage("read"):
        data = _read_bytes(source, spec.name, settings, file)
        attempt.sha256 = hashlib.sha256(data).hexdigest()
        table = read_table(data, source.suffix.lower(), file)
        attempt.rows_read = table.rows.height
        required = [c.source for c in spec.columns if c.required]
        check_sheets(table.sheet, table.header, table.other_sheets, required, file)
        headers = match_headers(
            table.header,
            table.rows,
            columns=[c.source for c in spec.columns],
            required=required,
            file=file,
        )
    attempt.unknown = headers.unknown
    attempt.issues = (unknown_columns_issue(headers.unknown),) if headers.unknown else ()
    if not attempt.rows_read and not spec.zero_rows_allowed:
        raise FileFault(file, "no_data_rows", "the file has a header row but no data rows")

    # convert() times its pseudonymisation itself; the rest of it is parsing, i.e. validation.
    started = dict(watch.seconds)
    with watch.stage("validate"):
        converted = convert(table.rows, headers.positions, spec, year, key, watch)
        check_partition_values(converted.typed, spec.name, org_code, year, file)
        faults = validate(converted.typed, MODELS[spec.name], spec, converted.faults)
        attempt.issues = (*row_issues(faults, spec, MODELS[spec.name]), *attempt.issues)
        attempt.rejected = _quarantine_rows(faults, converted.shown)
    pseudonymising = watch.seconds.get("pseudonymise", 0.0) - started.get("pseudonymise", 0.0)
    watch.seconds["validate"] -= pseudonymising
    if attempt.rejected_share > settings.max_rejected_share:
        raise TooManyRejected(
            file,
            "too_many_rejected",
            f"{attempt.rows_rejected:,} of {attempt.rows_read:,} rows "
            f"({attempt.rejected_share:.2%}) broke a rule; the limit is "
            f"{settings.max_rejected_share:.0%}; the first is {_first_fault(attempt.rejected)}",
        )
    with watch.stage("validate"):
        rejected_rows = attempt.rejected[SOURCE_ROW].unique().implode()
        return converted.typed.filter(~pl.col(SOURCE_ROW).is_in(rejected_rows)).sort(SOURCE_ROW)


def _refuse_outside_landing(
    source: Path, paths: DataPaths, reporting_year: str, org_code: str, file: str
) -> None:
    """Read only files directly in the partition's own landing folder.

    Checked before anything is read, so a path with '..' or a symbolic link cannot
    make ingest read (or report the checksum of) a file anywhere else, nor load
    another trust's file into this trust's partition.
    """
    if not in_partition_folder(source, paths, reporting_year, org_code):
        folder = paths.landing_dir(reporting_year, org_code).relative_to(paths.root)
        raise FileFault(
            file,
            "outside_landing_folder",
            f"the path leads outside {folder.as_posix()}/ (through '..' or a link); "
            "only files in that folder are read",
        )


def _read_bytes(source: Path, extract: str, settings: IngestSettings, file: str) -> bytes:
    if source.name.lower() not in {f"{extract}{suffix}" for suffix in SUFFIXES}:
        raise FileFault(file, "file_name", f"expected {extract}.csv or {extract}.xlsx")
    if not source.is_file():
        raise FileFault(file, "file_not_found", "no such file")
    size = source.stat().st_size
    if size > settings.max_file_mb * _MB:
        raise FileFault(
            file,
            "file_too_large",
            f"the file is {_size(size)}; the limit is {_size(settings.max_file_mb * _MB)} "
            "(ingest.max_file_mb)",
        )
    return source.read_bytes()


def _size(n_bytes: float) -> str:
    # Kilobytes below a megabyte, so a small limit is not shown as '0.0 MB'.
    return f"{n_bytes / _MB:,.1f} MB" if n_bytes >= _MB else f"{n_bytes / 1024:,.1f} KB"


def _first_fault(rejected: pl.DataFrame) -> str:
    """The first rejected row's fault, worded like a file fault: 'row 3, column fte: out_of_range'."""
    first_row = rejected.filter(pl.col(SOURCE_ROW) == pl.col(SOURCE_ROW).min())
    # A fault of the whole row (too_many_fields) comes first: it explains the others,
    # which are only its values shifted into the wrong columns.
    first = first_row.sort(pl.col("column").is_not_null(), maintain_order=True).row(0, named=True)
    column = f", column {first['column']}" if first["column"] else ""
    return f"row {first[SOURCE_ROW]}{column}: {first['rule']}"


def _quarantine_rows(faults: pl.DataFrame, shown: pl.DataFrame) -> pl.DataFrame:
    """One record per rejected row x rule, with the value as it may be shown."""
    errors = faults.filter(pl.col("severity") == "error")
    values = shown.filter(pl.col(SOURCE_ROW).is_in(errors[SOURCE_ROW].implode())).unpivot(
        index=SOURCE_ROW, variable_name="column", value_name="value"
    )
    return (
        errors.join(values, on=[SOURCE_ROW, "column"], how="left")
        .select(*REJECTED_SCHEMA)
        .cast(REJECTED_SCHEMA)
        .sort(SOURCE_ROW, "column", "rule", nulls_last=True)
    )


def _display_name(source: Path, paths: DataPaths) -> str:
    """The file as the submitter knows it: relative to the data root when inside it.

    The path as given comes first, so a path that climbs out of its folder with
    '..' is shown as it was given, not as where it leads.
    """
    for path, root in ((source, paths.root), (source.resolve(), paths.root.resolve())):
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            continue
    return str(source)
