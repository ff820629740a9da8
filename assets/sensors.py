"""The file-drop sensor: a new or replaced landing file starts an ingest run of its partition.

The logic is ``edi_platform.landing_watch.plan_ingest``; this is the Dagster
wrapper. What depends on the partition (the warehouse, the published layer,
the analysts' database) then refreshes by declarative automation.
"""

import json
import os

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from assets.ingest import raw_key
from assets.jobs import INGEST_JOB
from assets.partitions import partition_key
from edi_platform.config import IcsConfig
from edi_platform.landing_watch import WatchState, plan_ingest
from edi_platform.paths import DataPaths

LANDING_SENSOR = "landing_file_drop"


def landing_sensor(config: IcsConfig, paths: DataPaths):
    @sensor(
        name=LANDING_SENSOR,
        job_name=INGEST_JOB,
        # A file must look the same on two ticks before it is read: at least this far apart.
        minimum_interval_seconds=int(os.environ.get("EDI_SENSOR_INTERVAL_SECONDS", "30")),
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            f"Watches {paths.landing}/<year>/<org>/ and ingests each new or replaced extract "
            "once it has stopped changing; unknown trusts, years and file names are logged "
            "and skipped."
        ),
    )
    def _landing_sensor(context: SensorEvaluationContext) -> SensorResult:
        state = WatchState.from_json(json.loads(context.cursor) if context.cursor else None)
        plan = plan_ingest(config, paths, state)
        for path, reason in plan.newly_skipped:
            context.log.warning(f"skipped {path}: {reason}")
        if plan.settling:
            context.log.info(
                f"{len(plan.settling)} file(s) new or still changing; read on the next tick "
                f"if unchanged: {', '.join(plan.settling[:5])}"
            )
        requests = [
            RunRequest(
                run_key=request.run_key,
                partition_key=partition_key(request.org_code, request.reporting_year),
                asset_selection=[raw_key(extract) for extract in request.extracts],
                tags={"edi/launched_by": LANDING_SENSOR},
            )
            for request in plan.requests
        ]
        return SensorResult(
            run_requests=requests,
            cursor=json.dumps(plan.state.to_json(), sort_keys=True),
            skip_reason=None if requests else "no new settled landing files",
        )

    return _landing_sensor
