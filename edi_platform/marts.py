"""The mart tables the published layer reads (metrics.md), named once.

A module of its own, with no imports, so that declaring the publish assets'
dependencies costs no import of the publishing stack (scipy, matplotlib) at
every code load.
"""

MARTS: tuple[str, ...] = ("wres_indicators", "wdes_metrics", "violence_aggression", "pay_gaps")
