"""Freshness checks: has every trust sent this year's extracts by the date they were due?

One check per extract on its landing asset, run daily by the ``check_freshness``
job's schedule (and from the UI at any time). A missing file past
``freshness.extracts_due`` is a warning naming the trusts, not an error: the
others' figures still build.
"""

from datetime import date

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    DefaultScheduleStatus,
    ScheduleDefinition,
    asset_check,
)

from assets.jobs import FRESHNESS_JOB
from assets.landing import landing_key
from edi_platform.config import IcsConfig
from edi_platform.freshness import due_date, overdue_extracts, year_to_check
from edi_platform.paths import EXTRACTS, DataPaths

ARRIVED_ON_TIME = "arrived_on_time"


def freshness_checks(config: IcsConfig, paths: DataPaths, today=date.today) -> list:
    return [_check(extract, config, paths, today) for extract in EXTRACTS]


def _check(extract: str, config: IcsConfig, paths: DataPaths, today) -> AssetChecksDefinition:
    @asset_check(
        asset=landing_key(extract),
        name=ARRIVED_ON_TIME,
        description=(
            f"Every trust's {extract} file for the latest reporting year that is due has "
            f"arrived (due {config.freshness.extracts_due}, MM-DD, after the year's 31 March)."
        ),
    )
    def _arrived_on_time() -> AssetCheckResult:
        day = today()
        year = year_to_check(config, day)
        late = [o.org_code for o in overdue_extracts(config, paths, day) if o.extract == extract]
        return AssetCheckResult(
            passed=not late,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "reporting_year": year or "none due yet",
                "due": str(due_date(config, year)) if year else "",
                "overdue_trusts": ", ".join(late) or "none",
                "trusts_checked": len(config.org_codes),
            },
        )

    return _arrived_on_time


def freshness_schedule() -> ScheduleDefinition:
    return ScheduleDefinition(
        name="daily_freshness",
        cron_schedule="0 7 * * *",
        execution_timezone="Europe/London",
        job_name=FRESHNESS_JOB,
        # Read-only and cheap: on, so a late trust shows in the UI without anyone asking.
        default_status=DefaultScheduleStatus.RUNNING,
        description="Daily at 07:00: which trusts are late with this year's extracts.",
    )
