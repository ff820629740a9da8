"""Who holds each post over time: a chain of holders per post.

A post (or board seat) is filled from the day it opens by one holder after
another, each staying an exponentially distributed time (capped at
retirement). A post that already existed when the simulation starts has a
holder part-way through their tenure, as in a steady state. Any reporting
year's staff are then the holders whose tenure spans its 31 March snapshot,
so the same people appear in consecutive years, about a tenth of them
replaced each year, and a backfill of one year finds the same people as a
run over many.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from edi_platform.generator.random_streams import RandomStreams

SIMULATION_START = date(2010, 4, 1)
SIMULATION_END = date(2036, 3, 31)  # supports reporting years 2010-11 .. 2035-36
DAYS_PER_YEAR = 365.25
_EPOCH = date(1970, 1, 1)
_NEVER = 200 * DAYS_PER_YEAR  # an end far beyond the simulation, in days
_SHORTEST_TENURE_YEARS = 0.1


def day_number(day: date) -> int:
    """Days since 1970-01-01: polars' physical representation of a date."""
    return (day - _EPOCH).days


def holder_chains(posts: pl.DataFrame, streams: RandomStreams) -> pl.DataFrame:
    """One row per holder of each post: post_id, start_day, end_day, age_at_start.

    ``posts`` needs post_id, open_day, opened_before_start, tenure_years,
    retirement_age and age_mean/age_sd/age_low/age_high (age on starting).
    A holder is in post on day d when start_day <= d < end_day. The last
    holder of a chain stays indefinitely, so no post falls empty.
    """
    end = day_number(SIMULATION_END)
    holders = (
        posts.with_columns(
            chain_length=(
                ((end - pl.col("open_day")) / DAYS_PER_YEAR / pl.col("tenure_years") * 1.5).ceil()
                + 4
            ).cast(pl.Int64)
        )
        .with_columns(holder=pl.int_ranges(0, "chain_length"))
        .explode("holder")
        .sort("post_id", "holder")
    )
    n = holders.height
    age = (holders["age_mean"] + holders["age_sd"] * streams.normal("age_at_start", n)).clip(
        holders["age_low"], holders["age_high"]
    )
    tenure = streams.exponential("tenure", holders["tenure_years"])
    elapsed_draw = streams.exponential("elapsed", holders["tenure_years"])
    holders = holders.with_columns(
        age_at_start=age,
        tenure=tenure,
        room=pl.col("retirement_age") - age,
        # Only the first holder of a post that predates the simulation is part-way through.
        elapsed=pl.when(pl.col("opened_before_start") & (pl.col("holder") == 0))
        .then(elapsed_draw)
        .otherwise(0.0),
    ).with_columns(elapsed=pl.min_horizontal("elapsed", pl.col("room") - 0.5).clip(0.0))
    holders = (
        holders.with_columns(
            duration=(
                pl.col("elapsed") + pl.min_horizontal("tenure", pl.col("room") - pl.col("elapsed"))
            ).clip(_SHORTEST_TENURE_YEARS)
        )
        .with_columns(
            # Holder k starts when holder k-1 leaves; the first may have started before the post
            # "opened" (the simulation start), by its elapsed time.
            start_day=(
                pl.col("open_day")
                + (
                    pl.col("duration").cum_sum().over("post_id")
                    - pl.col("duration")
                    - pl.col("elapsed").sum().over("post_id")
                )
                * DAYS_PER_YEAR
            ).floor()
        )
        .with_columns(
            end_day=pl.col("start_day")
            .shift(-1)
            .over("post_id")
            .fill_null(pl.col("start_day") + _NEVER)
        )
    )
    # Holders who would start after the simulation ends are never in post: drop them.
    return holders.filter(pl.col("start_day") <= end).select(
        "post_id",
        "holder",
        pl.col("start_day").cast(pl.Int64),
        pl.col("end_day").cast(pl.Int64),
        "age_at_start",
    )
