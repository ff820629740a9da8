"""Funnel-plot positions of trusts around the system (ICS) value.

A funnel plot shows each trust's indicator against its precision, with control
limits around a target that narrow as the trust gets bigger (Spiegelhalter D J,
"Funnel plots for comparing institutional performance", Stat Med 2005;
24:1185-1202). A trust is *within* the limits, or above or below the 95%
("alert") or 99.8% ("alarm") limits, the two levels FunnelPlotR draws. Trusts
are compared with the system by these positions, never ranked by point estimate.

API
---
``funnel_positions(frame, kind, *, by=(), target=None, ...) -> pl.DataFrame``
    returns ``frame`` with these columns added (limits and values in the unit
    of the output: proportions and rates times ``multiplier``, ratios as
    ratios, differences in their own unit):

    ============================  ===============================================
    funnel_value                  the trust's indicator, from the counts given
    target                        the value the funnel is centred on
    z_score                       (y - target) / s, or / sqrt(s² + τ²) when
                                  over-dispersion is adjusted for
    lower_95, upper_95            95% control limits at this trust's precision
    lower_998, upper_998          99.8% control limits
    position                      see ``POSITIONS``
    funnel_note                   why a row is ``not_applicable`` (else null)
    phi                           Spiegelhalter's winsorised dispersion ratio φ
    tau2                          DerSimonian-Laird between-trust variance τ²
    overdispersion_p_value        χ² test of φ (k·φ against k - 1 d.f.)
    overdispersion_adjusted       whether the limits and z were widened by τ²
    ============================  ===============================================

    ``by`` names the columns that identify one funnel (for example
    ``reporting_year, metric_id, breakdown, group``); each funnel is computed
    separately. Pass the trusts' rows only: the system row is the target, not
    a unit on the funnel.

``control_limits(kind, target, size, *, tau2=0.0, multiplier=1.0)``
    the four limits for any sizes (denominators, exposures or standard
    errors), to draw smooth funnel curves on a chart.

``binomial_limit``, ``poisson_limit``, ``normal_limit``, ``winsorise`` and
``estimate_overdispersion`` are the building blocks.

Kinds and their inputs
----------------------
``proportion`` (numerator events out of denominator n)
    y = x / n; target p0 = Σx / Σn (the pooled system proportion) unless given;
    s = sqrt(p0 (1 - p0) / n). Exact binomial limits (below).
``rate`` (events over an exposure, e.g. incidents per 1,000 WTE)
    y = e / E; target λ0 = Σe / ΣE; s = sqrt(λ0 / E). Exact Poisson limits for
    a count with mean λ0 E, divided by E. ``multiplier=1000`` gives per 1,000.
``ratio`` (relative likelihood, log scale)
    columns ``comparison_counts = (a, n1, c, n2)``: events and populations of
    the two groups, RL = (a / n1) / (c / n2). y = ln(RL); target ln(RL_ICS)
    with RL_ICS from pooled counts (Σa / Σn1) / (Σc / Σn2): the contract asks
    for the position "around the ICS value", not around parity; parity is a
    separate question answered by the trust's own interval. s is the Katz
    standard error sqrt(1/a - 1/n1 + 1/c - 1/n2), or sqrt(1/a + 1/c) with
    ``ratio_of="rates"`` (ratios of Poisson counts, as va_victim_rate).
    Limits target ± z·s on the log scale, returned as ratios. A trust with
    a = 0 or c = 0 has no log ratio and no Katz error: ``not_applicable``.
``difference`` (a figure with a standard error, normal approximation)
    y = value; s = ``standard_error``; limits target ± z·s. Target: pass the
    system's own value (``target=`` a number or a column); without one the
    inverse-variance weighted mean of the trusts is used. Rows without a
    standard error are ``not_applicable``. That is the expected outcome for
    the pay gaps of the marts: a median gap has no closed-form standard error
    (it needs a bootstrap over person-level pay, which the marts do not
    keep), and a mean gap's error needs the groups' pay variances, which they
    do not publish either. WRES 9 / WDES 10 (board minus workforce) compare
    whole populations, not samples, so a sampling error is not meaningful
    there either; report those with their interval, not a funnel.

Exact limits (Spiegelhalter 2005, appendix A.1)
-----------------------------------------------
For a count R with distribution F (binomial(n, p0) or Poisson(λ0 E)) and a
tail probability q (0.001, 0.025, 0.975, 0.999), take r_q, the smallest r with
F(r) ≥ q, and interpolate between the discrete quantiles:

    α = (F(r_q) - q) / (F(r_q) - F(r_q - 1)),    limit = (r_q - α) / n   (or / E)

so the limits move smoothly with n instead of in steps. The interpolation
spreads the probability of each count r over (r - 1, r], so even when the
distribution is symmetric (p0 = 0.5) each limit sits up to 1/n below the
mirror image of the other; positions are read off these same plotted limits,
so the table and the chart always agree. Limits are clipped to [0, 1]
(proportions) and [0, ∞) (rates): for tiny n the formula can dip below 0.

Positions
---------
``POSITIONS``: ``below_99.8``, ``below_95``, ``within``, ``above_95``,
``above_99.8`` and ``not_applicable``. ``above_95`` means above the 95% limit
but not above the 99.8% limit; a value exactly on a limit is within it. They
describe the value, not whether it is good: the metric's direction says which
side is better.

Over-dispersion (Spiegelhalter 2005, section 3.3)
-------------------------------------------------
Real trusts differ by more than chance, so limits built on binomial or Poisson
variation alone can flag most of them. With k trusts placed on the funnel:

1. z_i = (y_i - target) / s_i;
2. winsorise: z-scores below the 10th percentile (``trim``) are set to it,
   above the 90th to it (percentiles by linear interpolation, as R's
   ``quantile`` and FunnelPlotR);
3. φ = mean(winsorised z²); under no over-dispersion k·φ is roughly χ² on
   k - 1 degrees of freedom (one for the estimated target);
4. τ² = max(0, (k·φ - (k - 1)) / (Σw - Σw² / Σw)), w_i = 1 / s_i²
   (DerSimonian-Laird, additive random effects);
5. when the χ² test is significant (p < ``alpha``, default 0.05) the limits
   become target ± z_q · sqrt(s_i² + τ²) and z_i = (y_i - target) /
   sqrt(s_i² + τ²); for proportions and rates that replaces the exact limits
   by this normal approximation, as in Spiegelhalter's random-effects funnels.

Why only when significant: an ICS has about 5 to 10 trusts, so φ is estimated
from very few z-scores and is very noisy. FunnelPlotR adjusts whenever τ² > 0,
i.e. whenever k·φ > k - 1: without winsorising that happens in about 40% of
comparisons with no real over-dispersion at all (P(χ²_{k-1} > k - 1)), and
with it in about one in five (simulations of 10 trusts with purely binomial
variation, tests/test_publish_funnel.py); adjusting then would widen the
limits and hide genuine outliers for no reason. The χ² test flags about 1 in
200 of those (winsorising makes it conservative) and nearly every simulated
ICS with a real between-trust spread of ±10 percentage points. Requiring
significance keeps the exact limits unless the spread clearly exceeds chance.
The flip side, with so few trusts: a single extreme trust among five is only
partly pulled in by a 10% winsorisation and can make φ significant by itself,
widening the limits around it; it still shows as outside the 95% limit in
such cases, and φ, τ² and the p-value are there to read.
With fewer than ``min_units`` (3) trusts φ is not estimated. φ, τ² and the
p-value are reported on every row either way, so a reader can see how close
the call was. Spiegelhalter also notes that φ is better estimated from a large
reference population (all English trusts); when such data are available, pass
that population's target and run the estimate on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
from scipy import stats

FunnelKind = Literal["proportion", "rate", "ratio", "difference"]
KINDS: tuple[str, ...] = ("proportion", "rate", "ratio", "difference")

WITHIN = "within"
ABOVE_95 = "above_95"
ABOVE_998 = "above_99.8"
BELOW_95 = "below_95"
BELOW_998 = "below_99.8"
NOT_APPLICABLE = "not_applicable"
POSITIONS: tuple[str, ...] = (BELOW_998, BELOW_95, WITHIN, ABOVE_95, ABOVE_998, NOT_APPLICABLE)

# One-sided tail probabilities of the two-sided 95% and 99.8% limits.
TAIL_95 = 0.025
TAIL_998 = 0.001

# Why a row cannot be placed on the funnel (``funnel_note``).
NOTE_MISSING_COUNT = "missing_count"
NOTE_NO_DENOMINATOR = "no_denominator"
NOTE_UNDEFINED_RATIO = "undefined_ratio"
NOTE_MISSING_VALUE = "missing_value"
NOTE_NO_STANDARD_ERROR = "no_standard_error"
NOTE_NO_TARGET = "no_target"

OUTPUT_COLUMNS: tuple[str, ...] = (
    "funnel_value",
    "target",
    "z_score",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "position",
    "funnel_note",
    "phi",
    "tau2",
    "overdispersion_p_value",
    "overdispersion_adjusted",
)


_OUTPUT_DTYPES = {
    name: pl.String if name in ("position", "funnel_note") else pl.Float64
    for name in OUTPUT_COLUMNS
} | {"overdispersion_adjusted": pl.Boolean}


@dataclass(frozen=True)
class OverdispersionSettings:
    """How over-dispersion is tested for and adjusted (module docstring)."""

    enabled: bool = True
    trim: float = 0.1  # winsorise this share of z-scores in each tail (FunnelPlotR's trim_by)
    alpha: float = 0.05  # adjust only when the χ² test of φ is significant at this level
    min_units: int = 3  # fewer trusts than this: φ is not estimated


@dataclass(frozen=True)
class Overdispersion:
    """The estimate for one funnel. Fields are None when φ could not be estimated."""

    phi: float | None
    tau2: float | None
    p_value: float | None
    adjusted: bool


# --- exact and normal limits -------------------------------------------------------------


def _interpolated_quantile(distribution, tail: float) -> np.ndarray:
    """Spiegelhalter's continuous quantile r_q - α of a discrete (frozen, vectorised) distribution."""
    r = distribution.ppf(tail)
    at_r = distribution.cdf(r)
    below_r = distribution.cdf(r - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = (at_r - tail) / (at_r - below_r)
    # A point mass (p0 of 0 or 1, a rate of 0) has no spread to interpolate over.
    alpha = np.where(at_r > below_r, alpha, 0.0)
    return r - alpha


def binomial_limit(target: float, n, tail: float) -> np.ndarray:
    """Exact interpolated binomial limit for proportions of n at target p0, tail q.

    ``tail`` is the one-sided probability: 0.025 and 0.975 for the 95% limits,
    0.001 and 0.999 for the 99.8% limits.
    """
    n = np.asarray(n, dtype=float)
    if target <= 0.0 or target >= 1.0:
        # Every trust must sit exactly on a target of 0 or 1.
        return np.full(n.shape, float(np.clip(target, 0.0, 1.0)))
    count = _interpolated_quantile(stats.binom(np.round(n), target), tail)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(count / n, 0.0, 1.0)


def poisson_limit(target_rate: float, exposure, tail: float) -> np.ndarray:
    """Exact interpolated Poisson limit for a rate over ``exposure`` at target λ0, tail q."""
    exposure = np.asarray(exposure, dtype=float)
    if target_rate <= 0.0:
        return np.zeros(exposure.shape)
    count = _interpolated_quantile(stats.poisson(target_rate * exposure), tail)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(count / exposure, 0.0, None)


def normal_limit(target: float, standard_error, tail: float) -> np.ndarray:
    """target + z_q · s: the normal-approximation limit."""
    return target + stats.norm.ppf(tail) * np.asarray(standard_error, dtype=float)


# --- over-dispersion ---------------------------------------------------------------------


def winsorise(z: np.ndarray, trim: float) -> np.ndarray:
    """Pull the lowest and highest ``trim`` share of z-scores in to those percentiles."""
    z = np.asarray(z, dtype=float)
    if trim <= 0 or z.size == 0:
        return z
    low, high = np.quantile(z, [trim, 1.0 - trim])
    return np.clip(z, low, high)


def estimate_overdispersion(
    z: np.ndarray,
    standard_error: np.ndarray,
    settings: OverdispersionSettings = OverdispersionSettings(),
) -> Overdispersion:
    """φ, τ² and the χ² test for one funnel's z-scores and standard errors (finite only)."""
    z = np.asarray(z, dtype=float)
    standard_error = np.asarray(standard_error, dtype=float)
    k = z.size
    if not settings.enabled or k < max(settings.min_units, 2):
        return Overdispersion(phi=None, tau2=None, p_value=None, adjusted=False)
    phi = float(np.mean(winsorise(z, settings.trim) ** 2))
    p_value = float(stats.chi2.sf(k * phi, k - 1))
    weights = 1.0 / standard_error**2
    spread = weights.sum() - (weights**2).sum() / weights.sum()
    tau2 = max(0.0, (k * phi - (k - 1)) / spread) if spread > 0 else 0.0
    adjusted = p_value < settings.alpha and tau2 > 0.0
    return Overdispersion(phi=phi, tau2=tau2, p_value=p_value, adjusted=adjusted)


# --- one funnel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Units:
    """One funnel's trusts on the analysis scale (log scale for ratios)."""

    y: np.ndarray  # indicator; nan where the trust cannot be placed
    size: np.ndarray  # n, exposure or standard error: what the limits depend on
    standard_error: np.ndarray  # s_i under the target (nan where not placed)
    target: float  # nan when undefined
    note: np.ndarray  # object array: why not placed, or None


@dataclass(frozen=True)
class _Columns:
    numerator: str
    denominator: str
    comparison_counts: tuple[str, str, str, str]
    value: str
    standard_error: str


def _floats(frame: pl.DataFrame, column: str) -> np.ndarray:
    return frame.get_column(column).cast(pl.Float64).fill_null(np.nan).to_numpy().copy()


def _notes(length: int) -> np.ndarray:
    return np.full(length, None, dtype=object)


def _explicit_target(frame: pl.DataFrame, target: float | str | None) -> float | None:
    """The target given by the caller, on the caller's (output) scale, or None to pool."""
    if target is None:
        return None
    if isinstance(target, str):
        values = frame.get_column(target).drop_nulls().unique()
        if values.len() > 1:
            raise ValueError(f"target column {target!r} varies within one funnel")
        return float(values[0]) if values.len() else float("nan")
    return float(target)


def _proportion_units(frame: pl.DataFrame, columns: _Columns, target: float | None) -> _Units:
    x = _floats(frame, columns.numerator)
    n = _floats(frame, columns.denominator)
    note = _notes(len(x))
    note[~(n > 0)] = NOTE_NO_DENOMINATOR
    note[np.isnan(x) & (n > 0)] = NOTE_MISSING_COUNT
    placed = note == None  # noqa: E711 - elementwise comparison on an object array
    if target is None:
        target = x[placed].sum() / n[placed].sum() if placed.any() else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(placed, x / n, np.nan)
        se = np.where(placed, np.sqrt(target * (1.0 - target) / n), np.nan)
    return _Units(
        y=y, size=np.where(placed, n, np.nan), standard_error=se, target=target, note=note
    )


def _rate_units(frame: pl.DataFrame, columns: _Columns, target: float | None) -> _Units:
    events = _floats(frame, columns.numerator)
    exposure = _floats(frame, columns.denominator)
    note = _notes(len(events))
    note[~(exposure > 0)] = NOTE_NO_DENOMINATOR
    note[np.isnan(events) & (exposure > 0)] = NOTE_MISSING_COUNT
    placed = note == None  # noqa: E711
    if target is None:
        target = events[placed].sum() / exposure[placed].sum() if placed.any() else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(placed, events / exposure, np.nan)
        se = np.where(placed, np.sqrt(target / exposure), np.nan)
    return _Units(
        y=y, size=np.where(placed, exposure, np.nan), standard_error=se, target=target, note=note
    )


def _ratio_units(
    frame: pl.DataFrame, columns: _Columns, target: float | None, ratio_of: str
) -> _Units:
    a, n1, c, n2 = (_floats(frame, name) for name in columns.comparison_counts)
    note = _notes(len(a))
    defined = (a > 0) & (c > 0) & (n1 > 0) & (n2 > 0)
    note[~defined] = NOTE_UNDEFINED_RATIO
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(a / n1) - np.log(c / n2)
        if ratio_of == "rates":
            variance = 1.0 / a + 1.0 / c
        else:
            variance = 1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2
    # a = n1 and c = n2 (everyone had the event) gives a Katz variance of 0: no funnel width.
    no_error = defined & ~(variance > 0)
    note[no_error] = NOTE_NO_STANDARD_ERROR
    placed = note == None  # noqa: E711
    if target is None:
        pooled = ~np.isnan(a) & ~np.isnan(n1) & ~np.isnan(c) & ~np.isnan(n2)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_target = np.log(a[pooled].sum() / n1[pooled].sum()) - np.log(
                c[pooled].sum() / n2[pooled].sum()
            )
    else:
        log_target = np.log(target) if target > 0 else float("nan")
    se = np.where(placed, np.sqrt(np.where(placed, variance, np.nan)), np.nan)
    return _Units(
        y=np.where(placed, log_ratio, np.nan),
        size=se,
        standard_error=se,
        target=float(log_target) if np.isfinite(log_target) else float("nan"),
        note=note,
    )


def _difference_units(frame: pl.DataFrame, columns: _Columns, target: float | None) -> _Units:
    y = _floats(frame, columns.value)
    if columns.standard_error in frame.columns:
        se = _floats(frame, columns.standard_error)
    else:
        se = np.full(len(y), np.nan)
    note = _notes(len(y))
    note[~(se > 0)] = NOTE_NO_STANDARD_ERROR
    note[np.isnan(y)] = NOTE_MISSING_VALUE
    placed = note == None  # noqa: E711
    if target is None:
        if placed.any():
            weights = 1.0 / se[placed] ** 2
            target = float((weights * y[placed]).sum() / weights.sum())
        else:
            target = float("nan")
    se = np.where(placed, se, np.nan)
    return _Units(
        y=np.where(placed, y, np.nan), size=se, standard_error=se, target=target, note=note
    )


def _to_analysis_scale(kind: str, value: float | None, multiplier: float) -> float | None:
    """A target given on the output scale, on the scale the funnel is computed on."""
    if value is None:
        return None
    if kind in ("proportion", "rate"):
        return value / multiplier
    return value  # ratios are logged by _ratio_units; differences are used as given


def _to_output_scale(kind: str, values: np.ndarray, multiplier: float) -> np.ndarray:
    if kind in ("proportion", "rate"):
        return values * multiplier
    if kind == "ratio":
        return np.exp(values)
    return values


def _exact_limits(kind: str, target: float, size: np.ndarray) -> dict[str, np.ndarray]:
    if kind == "proportion":
        limit = binomial_limit
    elif kind == "rate":
        limit = poisson_limit
    else:
        limit = normal_limit
    return {
        "lower_998": limit(target, size, TAIL_998),
        "lower_95": limit(target, size, TAIL_95),
        "upper_95": limit(target, size, 1.0 - TAIL_95),
        "upper_998": limit(target, size, 1.0 - TAIL_998),
    }


def _random_effects_limits(
    kind: str, target: float, standard_error: np.ndarray, tau2: float
) -> dict[str, np.ndarray]:
    widened = np.sqrt(standard_error**2 + tau2)
    limits = {
        "lower_998": normal_limit(target, widened, TAIL_998),
        "lower_95": normal_limit(target, widened, TAIL_95),
        "upper_95": normal_limit(target, widened, 1.0 - TAIL_95),
        "upper_998": normal_limit(target, widened, 1.0 - TAIL_998),
    }
    if kind == "proportion":
        return {name: np.clip(values, 0.0, 1.0) for name, values in limits.items()}
    if kind == "rate":
        return {name: np.clip(values, 0.0, None) for name, values in limits.items()}
    return limits


def _positions(y: np.ndarray, limits: dict[str, np.ndarray], placed: np.ndarray) -> np.ndarray:
    position = np.select(
        [
            ~placed,
            y > limits["upper_998"],
            y > limits["upper_95"],
            y < limits["lower_998"],
            y < limits["lower_95"],
        ],
        [NOT_APPLICABLE, ABOVE_998, ABOVE_95, BELOW_998, BELOW_95],
        default=WITHIN,
    )
    return position.astype(object)


def _z_scores(y: np.ndarray, target: float, standard_error: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (y - target) / standard_error
    # A trust on a degenerate target (s = 0, y = target) is exactly on it.
    z = np.where((standard_error == 0) & (y == target), 0.0, z)
    return np.where(np.isfinite(z), z, np.nan)


def _units(
    frame: pl.DataFrame, kind: str, columns: _Columns, target: float | None, ratio_of: str
) -> _Units:
    if kind == "proportion":
        return _proportion_units(frame, columns, target)
    if kind == "rate":
        return _rate_units(frame, columns, target)
    if kind == "ratio":
        return _ratio_units(frame, columns, target, ratio_of)
    return _difference_units(frame, columns, target)


def _place_funnel(
    frame: pl.DataFrame,
    kind: str,
    columns: _Columns,
    target: float | str | None,
    multiplier: float,
    ratio_of: str,
    settings: OverdispersionSettings,
) -> pl.DataFrame:
    """One funnel: z-scores, over-dispersion, limits and positions for its trusts."""
    given = _to_analysis_scale(kind, _explicit_target(frame, target), multiplier)
    units = _units(frame, kind, columns, given, ratio_of)
    note = units.note.copy()
    if not np.isfinite(units.target):
        note[note == None] = NOTE_NO_TARGET  # noqa: E711 - elementwise on an object array
    placed = note == None  # noqa: E711
    y = np.where(placed, units.y, np.nan)

    z = _z_scores(y, units.target, units.standard_error)
    finite = placed & np.isfinite(z) & (units.standard_error > 0)
    dispersion = estimate_overdispersion(z[finite], units.standard_error[finite], settings)
    if dispersion.adjusted:
        limits = _random_effects_limits(kind, units.target, units.standard_error, dispersion.tau2)
        z = _z_scores(y, units.target, np.sqrt(units.standard_error**2 + dispersion.tau2))
    else:
        limits = _exact_limits(kind, units.target, units.size)
    limits = {name: np.where(placed, values, np.nan) for name, values in limits.items()}

    scaled = {
        "funnel_value": y,
        "target": np.full(frame.height, units.target),
        **limits,
    }
    scaled = {name: _to_output_scale(kind, values, multiplier) for name, values in scaled.items()}
    columns_out = {
        **scaled,
        "z_score": z,
        "position": _positions(y, limits, placed),
        "funnel_note": note,
        "phi": [dispersion.phi] * frame.height,
        "tau2": [dispersion.tau2] * frame.height,
        "overdispersion_p_value": [dispersion.p_value] * frame.height,
        "overdispersion_adjusted": [dispersion.adjusted] * frame.height,
    }
    return frame.with_columns([_series(name, columns_out[name]) for name in OUTPUT_COLUMNS])


def _series(name: str, values) -> pl.Series:
    """An output column in its documented type, nan as null."""
    dtype = _OUTPUT_DTYPES[name]
    if dtype == pl.Float64:
        return pl.Series(name, np.asarray(values, dtype=float), nan_to_null=True)
    return pl.Series(name, list(values), dtype=dtype)


# --- public entry points -------------------------------------------------------------------


def funnel_positions(
    frame: pl.DataFrame,
    kind: FunnelKind,
    *,
    by: Sequence[str] = (),
    target: float | str | None = None,
    numerator: str = "numerator",
    denominator: str = "denominator",
    comparison_counts: tuple[str, str, str, str] = (
        "events_1",
        "population_1",
        "events_2",
        "population_2",
    ),
    value: str = "value",
    standard_error: str = "standard_error",
    ratio_of: Literal["proportions", "rates"] = "proportions",
    multiplier: float = 1.0,
    overdispersion: OverdispersionSettings = OverdispersionSettings(),
) -> pl.DataFrame:
    """Place every row of ``frame`` on its funnel (module docstring for the method).

    kind: ``proportion`` and ``rate`` read ``numerator`` and ``denominator``
        (events and n, or events and exposure); ``ratio`` reads the four
        ``comparison_counts`` columns (a, n1, c, n2); ``difference`` reads
        ``value`` and ``standard_error`` (rows without one are not_applicable).
    by: columns identifying separate funnels (year, metric, breakdown, group).
    target: None to pool the trusts' counts; a number, or the name of a column
        constant within each funnel (e.g. the system row's value joined on),
        in the output unit (after ``multiplier``; a ratio for ``ratio``).
    multiplier: output scale of proportions and rates (100 for percent, 1000
        for per 1,000 WTE); z-scores and positions do not depend on it.
    Returns ``frame`` in its original order with ``OUTPUT_COLUMNS`` added.
    """
    if kind not in KINDS:
        raise ValueError(f"funnel kind {kind!r} is not one of {', '.join(KINDS)}")
    if ratio_of not in ("proportions", "rates"):
        raise ValueError(f"ratio_of {ratio_of!r} is not 'proportions' or 'rates'")
    clash = [name for name in OUTPUT_COLUMNS if name in frame.columns]
    if clash:
        raise ValueError(f"frame already has funnel columns: {', '.join(clash)}")
    columns = _Columns(numerator, denominator, tuple(comparison_counts), value, standard_error)
    order = "__funnel_row__"
    indexed = frame.with_row_index(order)
    funnels = indexed.partition_by(list(by), maintain_order=True) if by else [indexed]
    placed = [
        _place_funnel(funnel, kind, columns, target, multiplier, ratio_of, overdispersion)
        for funnel in funnels
    ]
    if not placed:
        return frame.with_columns(
            [pl.lit(None, dtype=_OUTPUT_DTYPES[name]).alias(name) for name in OUTPUT_COLUMNS]
        )
    return pl.concat(placed, how="vertical").sort(order).drop(order)


def control_limits(
    kind: FunnelKind,
    target: float,
    size,
    *,
    tau2: float = 0.0,
    multiplier: float = 1.0,
) -> pl.DataFrame:
    """The four control limits at each ``size``, for drawing funnel curves.

    size: denominators (proportion), exposures (rate) or standard errors (ratio,
    on the log scale, and difference). target is in the output unit, like
    ``funnel_positions``'s. With tau2 > 0 the random-effects limits are drawn.
    """
    if kind not in KINDS:
        raise ValueError(f"funnel kind {kind!r} is not one of {', '.join(KINDS)}")
    size = np.asarray(size, dtype=float)
    centre = _to_analysis_scale(kind, float(target), multiplier)
    if kind == "ratio":
        centre = float(np.log(centre))
    if tau2 > 0:
        if kind == "proportion":
            standard_error = np.sqrt(centre * (1.0 - centre) / size)
        elif kind == "rate":
            standard_error = np.sqrt(centre / size)
        else:
            standard_error = size
        limits = _random_effects_limits(kind, centre, standard_error, tau2)
    else:
        limits = _exact_limits(kind, centre, size)
    return pl.DataFrame(
        {
            "size": size,
            **{
                name: _to_output_scale(kind, limits[name], multiplier)
                for name in ("lower_95", "upper_95", "lower_998", "upper_998")
            },
        }
    )
