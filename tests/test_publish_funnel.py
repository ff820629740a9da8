"""Funnel-plot positions (edi_platform.publish.funnel): hand-worked cases and simulations."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats

from edi_platform.publish.funnel import (
    OUTPUT_COLUMNS,
    OverdispersionSettings,
    binomial_limit,
    control_limits,
    estimate_overdispersion,
    funnel_positions,
    poisson_limit,
    winsorise,
)

NO_ADJUSTMENT = OverdispersionSettings(enabled=False)


def trusts(numerators, denominators) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "org_code": [f"R{i:02d}" for i in range(len(numerators))],
            "numerator": numerators,
            "denominator": denominators,
        }
    )


def row(frame: pl.DataFrame, org_code: str) -> dict:
    return frame.filter(pl.col("org_code") == org_code).row(0, named=True)


# --- exact binomial limits -----------------------------------------------------------------


def test_binomial_limits_hand_worked_p0_0_2_n_100():
    # Binomial(100, 0.2): mean 20, sd 4.
    # Upper 95% (q = 0.975): r = binom.ppf(0.975) = 28, F(28) = 0.979980, F(27) = 0.965848,
    #   alpha = (0.979980 - 0.975) / (0.979980 - 0.965848) = 0.352391, limit = (28 - 0.3524) / 100.
    # Lower 95% (q = 0.025): r = 12, F(12) = 0.025329, F(11) = 0.012575,
    #   alpha = (0.025329 - 0.025) / 0.012754 = 0.025777, limit = (12 - 0.0258) / 100.
    # 99.8%: r = 33 (upper, alpha 0.3234) and r = 9 (lower, alpha 0.9022).
    assert binomial_limit(0.2, 100, 0.975) == pytest.approx(0.2764761, abs=1e-6)
    assert binomial_limit(0.2, 100, 0.025) == pytest.approx(0.1197422, abs=1e-6)
    assert binomial_limit(0.2, 100, 0.999) == pytest.approx(0.3267659, abs=1e-6)
    assert binomial_limit(0.2, 100, 0.001) == pytest.approx(0.0809783, abs=1e-6)
    # Close to, but not the same as, the normal approximation 0.2 ± 1.96 × 0.04.
    assert binomial_limit(0.2, 100, 0.975) == pytest.approx(0.2 + 1.96 * 0.04, abs=0.005)


@pytest.mark.parametrize("tail", [0.001, 0.025, 0.975, 0.999])
@pytest.mark.parametrize("n", [7, 40, 100, 333])
def test_binomial_limit_interpolates_between_the_discrete_quantiles(tail, n):
    # Independently: r is the smallest count with F(r) >= q; the limit lies in ((r - 1)/n, r/n]
    # and equals (r - alpha)/n with alpha the share of P(R = r) above q.
    p0 = 0.3
    r = stats.binom.ppf(tail, n, p0)
    assert stats.binom.cdf(r, n, p0) >= tail > stats.binom.cdf(r - 1, n, p0)
    alpha = (stats.binom.cdf(r, n, p0) - tail) / stats.binom.pmf(r, n, p0)
    limit = float(binomial_limit(p0, n, tail))
    assert limit == pytest.approx(max(0.0, (r - alpha) / n))
    assert (r - 1) / n <= limit <= r / n


def test_binomial_limits_are_smooth_in_n_and_approach_the_normal_limits():
    n = np.arange(50, 2001)
    upper = binomial_limit(0.2, n, 0.975)
    # No step bigger than a tenth of a percentage point between neighbouring n...
    assert np.abs(np.diff(upper)).max() < 0.004
    # ...and at large n the exact limit meets the normal one.
    big = 100_000
    assert binomial_limit(0.2, big, 0.975) == pytest.approx(
        0.2 + stats.norm.ppf(0.975) * math.sqrt(0.2 * 0.8 / big), abs=2e-5
    )


def test_binomial_limits_stay_inside_zero_and_one():
    n = np.arange(1, 60)
    for tail in (0.001, 0.025, 0.975, 0.999):
        limits = binomial_limit(0.03, n, tail)
        assert (limits >= 0).all() and (limits <= 1).all()


# --- proportions on the funnel ---------------------------------------------------------------


def test_a_trust_exactly_at_the_target_has_z_zero_and_is_within():
    frame = funnel_positions(trusts([20], [100]), "proportion", target=0.2)
    placed = frame.row(0, named=True)
    assert placed["z_score"] == 0.0
    assert placed["position"] == "within"
    assert placed["target"] == pytest.approx(0.2)


def test_a_planted_outlier_is_above_the_99_8_limit():
    # 60/100 against p0 = 0.2: z = (0.6 - 0.2) / sqrt(0.2 × 0.8 / 100) = 0.4 / 0.04 = 10.
    frame = funnel_positions(
        trusts([60, 21, 19], [100, 100, 100]),
        "proportion",
        target=0.2,
        overdispersion=NO_ADJUSTMENT,
    )
    outlier = row(frame, "R00")
    assert outlier["z_score"] == pytest.approx(10.0)
    assert outlier["position"] == "above_99.8"
    assert outlier["upper_998"] == pytest.approx(0.3267659, abs=1e-6)
    assert [row(frame, org)["position"] for org in ("R01", "R02")] == ["within", "within"]


def test_positions_between_the_limits():
    # Against p0 = 0.2 at n = 100 the limits are 0.1197 / 0.2765 (95%) and 0.0810 / 0.3268 (99.8%).
    frame = funnel_positions(
        trusts([30, 10, 5, 35, 20], [100] * 5),
        "proportion",
        target=0.2,
        overdispersion=NO_ADJUSTMENT,
    )
    assert frame.get_column("position").to_list() == [
        "above_95",  # 0.30: above 0.2765, below 0.3268
        "below_95",  # 0.10: below 0.1197, above 0.0810
        "below_99.8",  # 0.05
        "above_99.8",  # 0.35
        "within",
    ]


def test_pooled_target_is_the_system_proportion_and_the_multiplier_scales_the_output():
    frame = funnel_positions(
        trusts([10, 30], [100, 300]), "proportion", multiplier=100, overdispersion=NO_ADJUSTMENT
    )
    # (10 + 30) / (100 + 300) = 0.1, reported as 10 percent.
    assert frame.get_column("target").to_list() == pytest.approx([10.0, 10.0])
    assert frame.get_column("funnel_value").to_list() == pytest.approx([10.0, 10.0])
    assert row(frame, "R00")["upper_95"] == pytest.approx(100 * binomial_limit(0.1, 100, 0.975))
    assert frame.get_column("z_score").to_list() == pytest.approx([0.0, 0.0])


def test_target_can_come_from_a_column_in_output_units():
    frame = trusts([20, 40], [100, 100]).with_columns(ics_value=pl.lit(20.0))
    placed = funnel_positions(
        frame, "proportion", target="ics_value", multiplier=100, overdispersion=NO_ADJUSTMENT
    )
    assert placed.get_column("target").to_list() == [20.0, 20.0]
    assert placed.get_column("z_score").to_list() == pytest.approx([0.0, 5.0])


def test_symmetric_deviations_give_mirrored_z_scores_and_positions():
    # p0 = 0.5, n = 100: s = 0.05. 30/100 and 70/100 are 4 s either side; 45 and 55 are 1 s.
    frame = funnel_positions(
        trusts([30, 70, 45, 55], [100] * 4),
        "proportion",
        target=0.5,
        overdispersion=NO_ADJUSTMENT,
    )
    assert frame.get_column("z_score").to_list() == pytest.approx([-4.0, 4.0, -1.0, 1.0])
    assert frame.get_column("position").to_list() == [
        "below_99.8",
        "above_99.8",
        "within",
        "within",
    ]
    # The interpolated limits mirror each other to within 1/n, each sitting a little low
    # (module docstring): lower + upper lies in [1 - 1/n, 1].
    first = frame.row(0, named=True)
    for level in ("95", "998"):
        total = first[f"lower_{level}"] + first[f"upper_{level}"]
        assert 1 - 1 / 100 - 1e-12 <= total <= 1 + 1e-12


def test_rows_that_cannot_be_placed_are_not_applicable_with_a_reason():
    frame = funnel_positions(
        trusts([5, None, 3], [0, 50, 40]), "proportion", overdispersion=NO_ADJUSTMENT
    )
    assert frame.get_column("position").to_list() == ["not_applicable", "not_applicable", "within"]
    assert frame.get_column("funnel_note").to_list() == ["no_denominator", "missing_count", None]
    assert frame.get_column("z_score").to_list()[:2] == [None, None]
    # The target pools only the rows that can be placed: 3 / 40.
    assert frame.get_column("target")[0] == pytest.approx(3 / 40)


def test_separate_funnels_with_by_match_separate_calls():
    a = trusts([10, 20, 35], [100, 150, 200]).with_columns(metric_id=pl.lit("wres_5"))
    b = trusts([5, 9, 40], [60, 80, 90]).with_columns(metric_id=pl.lit("wres_6"))
    together = funnel_positions(pl.concat([b, a]), "proportion", by=["metric_id"])
    for part in (a, b):
        alone = funnel_positions(part, "proportion")
        metric = part.get_column("metric_id")[0]
        assert together.filter(pl.col("metric_id") == metric).equals(alone)
    assert together.get_column("metric_id").to_list() == ["wres_6"] * 3 + ["wres_5"] * 3
    assert set(OUTPUT_COLUMNS) <= set(together.columns)


def test_control_limits_draw_the_same_curve_the_trusts_sit_on():
    frame = funnel_positions(
        trusts([12, 30, 80], [60, 150, 400]), "proportion", overdispersion=NO_ADJUSTMENT
    )
    target = frame.get_column("target")[0]
    curve = control_limits("proportion", target, [60, 150, 400])
    for name in ("lower_95", "upper_95", "lower_998", "upper_998"):
        assert curve.get_column(name).to_list() == pytest.approx(frame.get_column(name).to_list())


# --- rates -------------------------------------------------------------------------------


def test_poisson_limits_against_scipy():
    # 5 incidents per 1,000 WTE over 2,000 WTE: expected count 10.
    # Upper 95%: r = poisson.ppf(0.975, 10) = 17; F(17) = 0.985722, F(16) = 0.972958,
    # alpha = (0.985722 - 0.975) / 0.012764 = 0.839999, limit = (17 - 0.84) / 2000 = 8.080 per 1,000.
    mean = 10.0
    for tail in (0.001, 0.025, 0.975, 0.999):
        r = stats.poisson.ppf(tail, mean)
        alpha = (stats.poisson.cdf(r, mean) - tail) / stats.poisson.pmf(r, mean)
        expected = (r - alpha) / 2000
        assert poisson_limit(0.005, 2000, tail) == pytest.approx(expected)
    assert stats.poisson.ppf(0.975, mean) == 17
    assert poisson_limit(0.005, 2000, 0.975) * 1000 == pytest.approx(8.0800, abs=1e-4)


def test_rates_per_1000_wte():
    frame = pl.DataFrame(
        {
            "org_code": ["R01", "R02", "R03"],
            "incidents": [10, 25, 3],
            "wte": [2000.0, 2000.0, 2000.0],
        }
    )
    placed = funnel_positions(
        frame,
        "rate",
        numerator="incidents",
        denominator="wte",
        target=5.0,
        multiplier=1000,
        overdispersion=NO_ADJUSTMENT,
    )
    # 25 incidents where 10 are expected: P(R >= 25 | mean 10) ≈ 0.00005, beyond the 99.8% limit
    # (poisson.ppf(0.999, 10) = 21); z = (12.5 - 5) / sqrt(5 / 2000 × 1000) ... on the per-WTE
    # scale: (0.0125 - 0.005) / sqrt(0.005 / 2000) = 0.0075 / 0.0015811 = 4.743.
    assert placed.get_column("position").to_list() == ["within", "above_99.8", "below_95"]
    assert placed.get_column("z_score")[1] == pytest.approx(4.7434, abs=1e-4)
    assert placed.get_column("funnel_value").to_list() == pytest.approx([5.0, 12.5, 1.5])
    assert placed.get_column("upper_998")[0] == pytest.approx(
        1000 * poisson_limit(0.005, 2000, 0.999)
    )


# --- relative likelihoods --------------------------------------------------------------------


def ratio_frame(rows) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["org_code", "events_1", "population_1", "events_2", "population_2"],
        orient="row",
    )


def test_ratio_hand_worked_on_the_log_scale():
    # a = 30 of n1 = 100, c = 20 of n2 = 100: RL = 0.3 / 0.2 = 1.5.
    # Katz SE = sqrt(1/30 - 1/100 + 1/20 - 1/100) = sqrt(0.063333) = 0.251661.
    # Around RL 1 (ln 1 = 0): z = ln 1.5 / 0.251661 = 0.405465 / 0.251661 = 1.611154;
    # limits exp(± 1.959964 × 0.251661) = 0.610 and 1.638.
    placed = funnel_positions(
        ratio_frame([("R01", 30, 100, 20, 100)]),
        "ratio",
        target=1.0,
        overdispersion=NO_ADJUSTMENT,
    ).row(0, named=True)
    assert placed["funnel_value"] == pytest.approx(1.5)
    assert placed["z_score"] == pytest.approx(1.611154, abs=1e-6)
    assert placed["lower_95"] == pytest.approx(math.exp(-1.959964 * 0.251661), abs=1e-5)
    assert placed["upper_95"] == pytest.approx(math.exp(1.959964 * 0.251661), abs=1e-5)
    assert placed["position"] == "within"


def test_ratio_target_is_the_pooled_system_ratio_and_zero_events_are_not_applicable():
    frame = ratio_frame(
        [
            ("R01", 30, 100, 20, 100),
            ("R02", 90, 300, 30, 300),
            ("R03", 0, 50, 5, 50),
        ]
    )
    placed = funnel_positions(frame, "ratio", overdispersion=NO_ADJUSTMENT)
    # Pooled: (120 / 450) / (55 / 450) = 120 / 55.
    assert placed.get_column("target")[0] == pytest.approx(120 / 55)
    assert placed.get_column("position")[2] == "not_applicable"
    assert placed.get_column("funnel_note")[2] == "undefined_ratio"
    # Trust R02: ln(3) vs ln(120/55), SE sqrt(1/90 - 1/300 + 1/30 - 1/300).
    se = math.sqrt(1 / 90 - 1 / 300 + 1 / 30 - 1 / 300)
    assert placed.get_column("z_score")[1] == pytest.approx((math.log(3) - math.log(120 / 55)) / se)


def test_ratio_of_rates_uses_the_poisson_variance():
    placed = funnel_positions(
        ratio_frame([("R01", 30, 1000, 20, 1000)]),
        "ratio",
        target=1.0,
        ratio_of="rates",
        overdispersion=NO_ADJUSTMENT,
    )
    assert placed.get_column("z_score")[0] == pytest.approx(
        math.log(1.5) / math.sqrt(1 / 30 + 1 / 20)
    )


# --- differences ---------------------------------------------------------------------------


def test_differences_use_their_standard_error_or_are_not_applicable():
    frame = pl.DataFrame(
        {
            "org_code": ["R01", "R02", "R03"],
            "value": [4.0, 12.0, 7.0],
            "standard_error": [2.0, 2.0, None],
        }
    )
    placed = funnel_positions(frame, "difference", target=5.0, overdispersion=NO_ADJUSTMENT)
    # z = (4 - 5) / 2 = -0.5 (within); (12 - 5) / 2 = 3.5 (beyond 3.09: above 99.8%).
    assert placed.get_column("z_score").to_list()[:2] == pytest.approx([-0.5, 3.5])
    assert placed.get_column("position").to_list() == ["within", "above_99.8", "not_applicable"]
    assert placed.get_column("funnel_note")[2] == "no_standard_error"
    assert placed.get_column("upper_95")[0] == pytest.approx(5 + 1.959964 * 2, abs=1e-5)


def test_pay_gaps_without_a_standard_error_are_all_not_applicable():
    frame = pl.DataFrame({"org_code": ["R01", "R02"], "value": [8.1, 12.3]})
    placed = funnel_positions(frame, "difference")
    assert placed.get_column("position").to_list() == ["not_applicable"] * 2
    assert placed.get_column("overdispersion_adjusted").to_list() == [False, False]


# --- over-dispersion ---------------------------------------------------------------------------


def test_winsorise_hand_worked():
    # Five z-scores; the 10th and 90th percentiles by linear interpolation sit 0.4 of the way
    # from the 1st to the 2nd value (-3 + 0.4 × 2 = -2.2) and 0.6 of the way from the 4th to the
    # 5th (1 + 0.6 × 9 = 6.4).
    assert winsorise(np.array([-3.0, -1.0, 0.0, 1.0, 10.0]), 0.1).tolist() == pytest.approx(
        [-2.2, -1.0, 0.0, 1.0, 6.4]
    )


def test_dersimonian_laird_tau2_hand_worked():
    # k = 4, no winsorising: phi = mean(z²) = (4 + 4 + 9 + 9) / 4 = 6.5; k·phi = 26 on 3 d.f.
    # w = 1 / s² = [100, 100, 25, 25]: Σw = 250, Σw² = 21250, Σw - Σw²/Σw = 250 - 85 = 165.
    # tau² = (26 - 3) / 165 = 0.139394.
    estimate = estimate_overdispersion(
        np.array([2.0, -2.0, 3.0, -3.0]),
        np.array([0.1, 0.1, 0.2, 0.2]),
        OverdispersionSettings(trim=0.0),
    )
    assert estimate.phi == pytest.approx(6.5)
    assert estimate.tau2 == pytest.approx(23 / 165)
    assert estimate.p_value == pytest.approx(stats.chi2.sf(26, 3))
    assert estimate.adjusted


def test_too_few_trusts_for_overdispersion():
    estimate = estimate_overdispersion(np.array([5.0, -5.0]), np.array([0.1, 0.1]))
    assert (estimate.phi, estimate.tau2, estimate.adjusted) == (None, None, False)


def simulated_trusts(rng: np.random.Generator, between_trust_sd: float, k: int = 10):
    """k trusts around 30%, with a logit-normal spread between trusts (0: pure binomial)."""
    n = rng.integers(200, 800, size=k)
    logit = np.log(0.3 / 0.7) + rng.normal(0.0, between_trust_sd, size=k)
    p = 1 / (1 + np.exp(-logit))
    return trusts(rng.binomial(n, p).tolist(), n.tolist())


def test_overdispersion_is_detected_and_widens_the_limits():
    adjusted = 0
    for seed in range(20):
        frame = simulated_trusts(np.random.default_rng(seed), between_trust_sd=0.5)
        placed = funnel_positions(frame, "proportion")
        plain = funnel_positions(frame, "proportion", overdispersion=NO_ADJUSTMENT)
        if placed.get_column("overdispersion_adjusted")[0]:
            adjusted += 1
            assert placed.get_column("phi")[0] > 1
            assert placed.get_column("tau2")[0] > 0
            wider = placed.get_column("upper_998") - placed.get_column("target")
            narrower = plain.get_column("upper_998") - plain.get_column("target")
            assert (wider > narrower).all()
            # Fewer trusts sit outside the widened limits.
            outside = placed.filter(pl.col("position") != "within").height
            outside_plain = plain.filter(pl.col("position") != "within").height
            assert outside <= outside_plain
    # A between-trust sd of 0.5 on the logit scale is about ±10 percentage points: detected
    # almost always with 10 trusts of several hundred staff.
    assert adjusted >= 18


def test_pure_binomial_variation_is_rarely_adjusted():
    adjusted = 0
    for seed in range(200):
        frame = simulated_trusts(np.random.default_rng(1000 + seed), between_trust_sd=0.0)
        placed = funnel_positions(frame, "proportion")
        adjusted += bool(placed.get_column("overdispersion_adjusted")[0])
    # A 5% test, made more conservative by winsorising: at most 5% of seeds (about 1 in 200 in
    # practice). Adjusting whenever tau² > 0, as FunnelPlotR does, would adjust about 40 of them.
    assert adjusted <= 10


def test_with_the_adjustment_z_uses_the_widened_standard_error():
    frame = simulated_trusts(np.random.default_rng(7), between_trust_sd=0.6)
    placed = funnel_positions(frame, "proportion")
    assert placed.get_column("overdispersion_adjusted")[0]
    tau2 = placed.get_column("tau2")[0]
    p0 = placed.get_column("target")[0]
    first = placed.row(0, named=True)
    s2 = p0 * (1 - p0) / first["denominator"]
    assert first["z_score"] == pytest.approx(
        (first["numerator"] / first["denominator"] - p0) / math.sqrt(s2 + tau2)
    )
    assert first["upper_95"] == pytest.approx(p0 + 1.959964 * math.sqrt(s2 + tau2), abs=1e-6)


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="funnel kind"):
        funnel_positions(trusts([1], [2]), "league_table")  # type: ignore[arg-type]
