"""The published layer's domain core: funnel positions, disclosure control, change.

Pure Python (polars, numpy, scipy); the Dagster assets that publish the system
comparison, the HIA scorecard, the board pack and the report call these.

- ``funnel``: each trust's position on a funnel plot around the system value
  (Spiegelhalter 2005), with over-dispersion adjustment when it is significant;
- ``disclosure``: statistical disclosure control (primary and secondary
  suppression, null plus flag, never zero) of published tables;
- ``change``: change since last year, judged by whether the intervals overlap.
"""

from edi_platform.publish.change import change_since_last_year, judge_change
from edi_platform.publish.disclosure import (
    DEFAULT_LAYOUTS,
    BreakdownPartition,
    MetricLayout,
    Relation,
    SameCount,
    apply_disclosure_control,
    suppress,
)
from edi_platform.publish.funnel import (
    OverdispersionSettings,
    control_limits,
    funnel_positions,
)

__all__ = [
    "DEFAULT_LAYOUTS",
    "BreakdownPartition",
    "MetricLayout",
    "OverdispersionSettings",
    "Relation",
    "SameCount",
    "apply_disclosure_control",
    "change_since_last_year",
    "control_limits",
    "funnel_positions",
    "judge_change",
    "suppress",
]
