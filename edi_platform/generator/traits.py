"""The fixed character of one trust: its size, diversity and base rates.

Drawn once per trust from the seed and the trust's org code (never its
position or name), so a trust keeps its character across years and configs.
Sizes, diversity, incident rates and survey levels vary between trusts; the
planted ratios in ``effects.py`` and the base rates they multiply do not, so a
pooled (ICS) ratio estimates the same number as a trust's.
"""

from __future__ import annotations

from dataclasses import dataclass

from edi_platform.config import Trust
from edi_platform.generator.effects import INCIDENT_RATE_RANGE
from edi_platform.generator.profiles import PROFILES
from edi_platform.generator.random_streams import RandomStreams

MIN_HEADCOUNT = 40  # "at least a few dozen people", whatever the scale


@dataclass(frozen=True)
class BoardShape:
    executive_voting: int  # chief executive included
    executive_non_voting: int
    non_executive_voting: int  # chair included
    non_executive_non_voting: int  # associate non-executive directors


@dataclass(frozen=True)
class TrustTraits:
    headcount: int  # posts at the 2023-24 snapshot, after scaling (board excluded)
    growth: float  # yearly growth in posts
    bme_share: float  # BME share of workforce staff of known ethnicity
    incident_rate: float  # incidents per 1,000 workforce WTE in 2023-24
    survey_response_rate: float
    survey_public_factor: float  # the trust's level of public-facing survey items vs its type
    board: BoardShape


def draw_traits(trust: Trust, scale: float, streams: RandomStreams) -> TrustTraits:
    profile = PROFILES[trust.type]
    low, high = profile.headcount
    headcount = max(MIN_HEADCOUNT, round(streams.between("headcount", low, high) * scale))
    return TrustTraits(
        headcount=headcount,
        growth=0.02,
        bme_share=streams.between("bme_share", *profile.bme_share),
        incident_rate=streams.between("incident_rate", *INCIDENT_RATE_RANGE[trust.type]),
        survey_response_rate=streams.between("response_rate", 0.38, 0.52),
        survey_public_factor=streams.between("survey_public", 0.85, 1.15),
        board=BoardShape(
            executive_voting=int(streams.integers("board_exec", 1, 5, 6)[0]),
            executive_non_voting=int(streams.integers("board_exec_nv", 1, 1, 2)[0]),
            non_executive_voting=int(streams.integers("board_ned", 1, 6, 7)[0]),
            non_executive_non_voting=int(streams.integers("board_ned_nv", 1, 0, 1)[0]),
        ),
    )
