"""Declarative automation: the warehouse and the published layer refresh when their inputs change.

Ingest is started by the file-drop sensor, the schedules or a backfill; every
asset downstream of it (dbt models and seeds, the published tables and files,
the analysts' database) carries ``REFRESH_WHEN_INPUTS_CHANGE`` and the one
automation sensor below evaluates it. There is no hand-kept list of jobs to
chain: a new dbt model or published asset refreshes the same way.

The condition is Dagster's ``eager`` with two changes:

* It waits while *any* extract is being ingested (a run, or a backfill with
  partitions still to do), not only the asset's own inputs. ``eager`` alone
  waits per asset: after a backfill launched from the UI, the models whose
  extract finished first were refreshed first and the marts were rebuilt
  several times, some of them half-way. Waiting for the whole raw zone to
  settle gives one refresh run per batch, however many partitions it had.
* It drops ``eager``'s "no missing inputs" clause: the warehouse reads every
  trust-year that has arrived, and a trust that has not sent a year must not
  hold back everyone else's figures. Instead, an asset never built yet (the
  reference seeds on a new deployment) is built with the next refresh.
"""

from functools import reduce
from operator import or_

from dagster import (
    AssetKey,
    AssetSelection,
    AutomationCondition,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
)

from edi_platform.paths import EXTRACTS

_RAW = [AssetKey(["raw", extract]) for extract in EXTRACTS]


def _any_extract(condition: AutomationCondition) -> AutomationCondition:
    """True when ``condition`` holds for some partition of some ingest asset."""
    return reduce(or_, (AutomationCondition.asset_matches(key, condition) for key in _RAW))


INGEST_RUNNING = _any_extract(AutomationCondition.in_progress()).with_label(
    "an extract is being ingested"
)
INGEST_UPDATED = _any_extract(AutomationCondition.newly_updated()).with_label(
    "an extract was ingested"
)

REFRESH_WHEN_INPUTS_CHANGE = (
    (
        AutomationCondition.any_deps_updated()
        | (AutomationCondition.missing() & INGEST_UPDATED).with_label("never built")
    ).since_last_handled()
    & ~INGEST_RUNNING
    & ~AutomationCondition.any_deps_in_progress()
    & ~AutomationCondition.in_progress()
).with_label("refresh when inputs change")

AUTOMATION_SENSOR = "refresh_warehouse_and_published"


def automation_sensor() -> AutomationConditionSensorDefinition:
    return AutomationConditionSensorDefinition(
        AUTOMATION_SENSOR,
        target=AssetSelection.all(),
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description="Refreshes the warehouse, the published layer and the analysts' database "
        "once ingest has settled (automation conditions on those assets).",
    )
