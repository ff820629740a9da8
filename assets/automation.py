"""Declarative automation: the warehouse and the published layer refresh when their inputs change.

Ingest is started by the file-drop sensor, the schedules or a backfill; every
asset downstream of it (dbt models and seeds, the published tables and files,
the analysts' database) carries ``REFRESH_WHEN_INPUTS_CHANGE`` and the one
automation sensor below evaluates it. There is no hand-kept list of jobs to
chain: a new dbt model or published asset refreshes the same way.

The condition is Dagster's ``eager`` without its "no missing inputs" clause:
the warehouse reads every trust-year that has arrived, and a trust that has
not sent a year yet must not hold back everyone else's figures. ``eager``
waits while an asset's own inputs are being materialised and never starts a
second run of an asset already in progress. It waits per asset, not per
batch: after a backfill launched from the UI, models whose extract finished
first refresh first, and the marts may be rebuilt more than once (a known
limitation; ``edi backfill`` builds once after the whole batch).
"""

from dagster import (
    AssetSelection,
    AutomationCondition,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
)

REFRESH_WHEN_INPUTS_CHANGE = (
    AutomationCondition.eager()
    .without(~AutomationCondition.any_deps_missing())
    .with_label("refresh when inputs change")
)

AUTOMATION_SENSOR = "refresh_warehouse_and_published"


def automation_sensor() -> AutomationConditionSensorDefinition:
    return AutomationConditionSensorDefinition(
        AUTOMATION_SENSOR,
        target=AssetSelection.all(),
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description="Refreshes the warehouse, the published layer and the analysts' database "
        "after new data is ingested (automation conditions on those assets).",
    )
