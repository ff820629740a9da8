"""Seeded, vectorised random draws, one independent stream per named purpose.

Every draw is seeded from a SHA-256 of the stream's key (seed, org code, year,
...) and the draw's name, so adding a draw never shifts another one and the
same key always gives the same numbers on any machine. Python's ``hash()`` is
salted per process and is never used. Uniform numbers come from Arrow's
seeded generator (numpy is not a dependency of the platform); everything else
is built from them with polars expressions, so no draw loops over rows.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping

import polars as pl
import pyarrow.compute as pc


class RandomStreams:
    def __init__(self, *key: object) -> None:
        self.key = "|".join(str(part) for part in key)

    def child(self, *parts: object) -> RandomStreams:
        return RandomStreams(self.key, *parts)

    def seed(self, name: str) -> int:
        digest = hashlib.sha256(f"{self.key}|{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big") >> 1  # Arrow takes a non-negative int64

    # -- continuous ---------------------------------------------------------------

    def uniform(self, name: str, n: int) -> pl.Series:
        """n draws from [0, 1)."""
        if n == 0:
            return pl.Series(name, [], dtype=pl.Float64)
        return pl.from_arrow(pc.random(n, initializer=self.seed(name))).alias(name)

    def between(self, name: str, low: float, high: float) -> float:
        """One number drawn uniformly from [low, high)."""
        return low + (high - low) * self.uniform(name, 1)[0]

    def normal(self, name: str, n: int) -> pl.Series:
        """n standard normal draws (Box-Muller)."""
        u1 = self.uniform(f"{name}/radius", n)
        u2 = self.uniform(f"{name}/angle", n)
        return ((-2.0 * (1.0 - u1).log()).sqrt() * (2.0 * math.pi * u2).cos()).alias(name)

    def exponential(self, name: str, mean: pl.Series) -> pl.Series:
        """One exponential draw per element of ``mean``."""
        return (-(1.0 - self.uniform(name, len(mean))).log() * mean).alias(name)

    # -- discrete -------------------------------------------------------------------

    def bernoulli(self, name: str, p: pl.Series | float, n: int | None = None) -> pl.Series:
        """True with probability p (a number with n, or one probability per row)."""
        size = n if isinstance(p, float | int) else len(p)
        return (self.uniform(name, size) < p).alias(name)

    def integers(self, name: str, n: int, low: int, high: int) -> pl.Series:
        """n integers drawn uniformly from low..high inclusive."""
        span = high - low + 1
        return (self.uniform(name, n) * span).floor().cast(pl.Int64).clip(0, span - 1) + low

    def choice(self, name: str, n: int, weights: Mapping) -> pl.Series:
        """n draws of the mapping's keys, with probability proportional to its values."""
        values, cumulative = _cumulative(weights)
        index = cumulative.search_sorted(self.uniform(name, n), side="right")
        return pl.Series(name, values).gather(index.clip(0, len(values) - 1))

    def choice_within(
        self, name: str, groups: pl.Series, tables: Mapping[object, Mapping]
    ) -> pl.Series:
        """One draw per row from the weights table of that row's group.

        The tables are laid end to end on one number line (group i occupies
        [i, i + 1)), so a single sorted search serves every group at once.
        """
        keys = list(tables)
        values: list = []
        thresholds: list[float] = []
        for position, key in enumerate(keys):
            group_values, cumulative = _cumulative(tables[key])
            values.extend(group_values)
            thresholds.extend(position + c for c in cumulative.to_list())
        position = groups.replace_strict(
            {k: i for i, k in enumerate(keys)}, return_dtype=pl.Float64
        )
        # Scaled a hair below 1 so that position + u can never round up into the next group.
        points = position + self.uniform(name, len(groups)) * (1 - 1e-9)
        index = pl.Series(thresholds).search_sorted(points, side="right")
        return pl.Series(name, values).gather(index.clip(0, len(values) - 1))

    def weighted_indices(self, name: str, n: int, weights: pl.Series) -> pl.Series:
        """n row numbers drawn with replacement, in proportion to ``weights``."""
        cumulative = weights.cast(pl.Float64).cum_sum()
        cumulative = cumulative / cumulative[-1]
        index = cumulative.search_sorted(self.uniform(name, n), side="right")
        return index.clip(0, len(weights) - 1).cast(pl.Int64)

    def sample_indices(self, name: str, population: int, k: int) -> list[int]:
        """k distinct row numbers out of ``population``, in ascending order."""
        order = self.uniform(name, population).arg_sort()
        return sorted(order.head(min(k, population)).to_list())

    def poisson(self, name: str, mean: float) -> int:
        """One Poisson count (a single number, so a scalar generator is enough)."""
        generator = random.Random(self.seed(name))
        if mean > 50:  # the normal approximation is exact enough, and O(1)
            return max(0, round(generator.gauss(mean, math.sqrt(mean))))
        limit, count, product = math.exp(-mean), 0, generator.random()
        while product > limit:
            count += 1
            product *= generator.random()
        return count


def _cumulative(weights: Mapping) -> tuple[list, pl.Series]:
    values = list(weights)
    raw = [float(weights[v]) for v in values]
    total = sum(raw)
    if not values or total <= 0:
        raise ValueError("a choice needs at least one positive weight")
    running, cumulative = 0.0, []
    for w in raw:
        running += w / total
        cumulative.append(running)
    cumulative[-1] = 1.0
    return values, pl.Series(cumulative)


def stable_int(*parts: object, modulus: int) -> int:
    """A stable number in 0..modulus-1 derived from the parts (for identifiers)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") % modulus
