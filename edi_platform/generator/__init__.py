"""The synthetic ICS generator: realistic trust extracts with known, planted effects.

    from edi_platform.generator import generate_ics, GenerationSummary, PLANTED_EFFECTS
    summary = generate_ics(config, landing_root, seed=2024, scale=1.0)

See docs/synthetic-data.md for what is generated and how to recover each
planted effect from the platform's metrics.
"""

from edi_platform.generator.effects import PLANTED_EFFECTS
from edi_platform.generator.ics import generate_ics
from edi_platform.generator.invalid_rows import PlantedInvalidRow
from edi_platform.generator.summary import GeneratedFile, GenerationSummary

__all__ = [
    "PLANTED_EFFECTS",
    "GeneratedFile",
    "GenerationSummary",
    "PlantedInvalidRow",
    "generate_ics",
]
