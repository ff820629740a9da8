"""Schedules: the annual collection after the 31 March snapshot, and monthly incident data.

Both are off by default (turn them on in the UI under Automation): a demo
must not start runs by the calendar. Each asks for the partitions whose files
have arrived; a year not listed in the ICS configuration is skipped with the
reason, because partitions come from the configuration.
"""

from datetime import timedelta

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from assets.ingest import raw_key
from assets.jobs import INGEST_JOB
from assets.partitions import partition_key
from edi_platform.config import IcsConfig
from edi_platform.landing import scan_landing
from edi_platform.paths import DataPaths
from edi_platform.years import last_ended_reporting_year, reporting_year_of

# 06:00 on 1 June: the ESR snapshot is 31 March and extracts are due by 31 May.
ANNUAL_CRON = "0 6 1 6 *"
# 06:00 on the 5th: the previous month's incidents, as the trust's system exports them.
MONTHLY_CRON = "0 6 5 * *"
TIMEZONE = "Europe/London"


def _requests(config, paths, year: str, extracts: set[str] | None, tag: str):
    if year not in config.reporting_years:
        return SkipReason(
            f"reporting year {year} is not in the ICS configuration's reporting_years: "
            "add it there to collect it"
        )
    scan = scan_landing(paths, config)
    requests = []
    for org_code, found_year in scan.partitions():
        if found_year != year:
            continue
        wanted = [e for e in scan.extracts_for(org_code, year) if extracts is None or e in extracts]
        if wanted:
            requests.append(
                RunRequest(
                    partition_key=partition_key(org_code, year),
                    asset_selection=[raw_key(e) for e in sorted(wanted)],
                    tags={"edi/launched_by": tag},
                )
            )
    return requests or SkipReason(f"no landing files for {year} yet")


def annual_schedule(config: IcsConfig, paths: DataPaths):
    @schedule(
        name="annual_collection",
        cron_schedule=ANNUAL_CRON,
        execution_timezone=TIMEZONE,
        job_name=INGEST_JOB,
        default_status=DefaultScheduleStatus.STOPPED,
        description="Once a year after the 31 March snapshot: ingest every trust's extracts "
        "for the reporting year that has just ended.",
    )
    def _annual(context: ScheduleEvaluationContext):
        year = last_ended_reporting_year(context.scheduled_execution_time.date())
        return _requests(config, paths, year, None, "annual_collection")

    return _annual


def monthly_incidents_schedule(config: IcsConfig, paths: DataPaths):
    @schedule(
        name="monthly_incidents",
        cron_schedule=MONTHLY_CRON,
        execution_timezone=TIMEZONE,
        job_name=INGEST_JOB,
        default_status=DefaultScheduleStatus.STOPPED,
        description="Monthly: re-ingest each trust's incidents file for the reporting year "
        "the previous month belongs to.",
    )
    def _monthly(context: ScheduleEvaluationContext):
        first_of_month = context.scheduled_execution_time.date().replace(day=1)
        year = reporting_year_of(first_of_month - timedelta(days=1))  # last month's year
        return _requests(config, paths, year, {"incidents"}, "monthly_incidents")

    return _monthly
