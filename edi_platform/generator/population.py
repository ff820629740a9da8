"""Everyone who works for a trust at any point of the simulation, built once per trust."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from edi_platform.config import Trust
from edi_platform.generator.chains import holder_chains
from edi_platform.generator.pay import pay_traits
from edi_platform.generator.people import assign_people
from edi_platform.generator.posts import board_seats, staff_posts
from edi_platform.generator.random_streams import RandomStreams, stable_int
from edi_platform.generator.traits import TrustTraits, draw_traits

_NUMBER_SPACE = 10**8  # ESR employee numbers: eight digits, leading zeros kept
_NUMBER_MULTIPLIER = 61_803_399  # coprime with 10**8, so distinct people get distinct numbers

_POST_COLUMNS = (
    "post_id",
    "board_role",
    "staff_group",
    "pay_band",
    "assignment_category",
    "female_share",
    "bme_multiplier",
    "is_8c_plus",
    "bme_rule",
    "age_mean",
    "age_sd",
    "age_low",
    "age_high",
    "open_day",
    "opened_before_start",
    "tenure_years",
    "retirement_age",
)


@dataclass(frozen=True)
class TrustPopulation:
    trust: Trust
    traits: TrustTraits
    people: pl.DataFrame  # one row per person (holder of a post), static attributes
    number_offset: int

    def employee_numbers(self, person_ids: pl.Series) -> pl.Series:
        """Eight-digit employee numbers; ids beyond the population give numbers no one has."""
        return _employee_numbers(person_ids, self.number_offset)


def _employee_numbers(person_ids: pl.Series, offset: int) -> pl.Series:
    return (
        ((person_ids.cast(pl.Int64) * _NUMBER_MULTIPLIER + offset) % _NUMBER_SPACE)
        .cast(pl.String)
        .str.zfill(8)
    )


def build_population(trust: Trust, *, seed: int, scale: float) -> TrustPopulation:
    streams = RandomStreams(seed, trust.org_code, "population")
    traits = draw_traits(trust, scale, streams.child("traits"))
    staff = staff_posts(trust.type, traits, streams.child("posts"))
    posts = pl.concat(
        [staff.select(_POST_COLUMNS), board_seats(traits, staff.height).select(_POST_COLUMNS)],
        how="vertical_relaxed",
    )
    holders = holder_chains(posts, streams.child("chains"))
    people = holders.join(posts, on="post_id", how="left").sort("post_id", "holder")
    people = assign_people(people, trust.type, traits, streams.child("people"))
    people = people.with_columns(pay_traits(people, streams.child("pay"))).with_row_index(
        "person_id"
    )
    offset = stable_int(seed, trust.org_code, "employee_numbers", modulus=_NUMBER_SPACE)
    people = people.with_columns(employee_number=_employee_numbers(people["person_id"], offset))
    return TrustPopulation(trust=trust, traits=traits, people=people, number_offset=offset)
