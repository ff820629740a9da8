"""Charts of a system with more trusts than can be named one by one (a region, England).

Above ``charts.NAMED_TRUSTS`` every trust is drawn alike: the funnel names only trusts
outside the 99.8% limits, the interval chart ranks trusts without naming them, the
trend draws them as one collection of grey lines. Checked on the figures themselves.
"""

from __future__ import annotations

import polars as pl
import pytest
from matplotlib.collections import LineCollection

from edi_platform.publish import charts

N = 40


def _rows(n: int, year: str = "2023-24") -> pl.DataFrame:
    # Trust T000 is far above the ICS value, T001 far below, the rest within the limits.
    positions = ["above_99.8", "below_99.8"] + ["within"] * (n - 2)
    values = [0.6, 0.1] + [0.3] * (n - 2)
    return pl.DataFrame(
        {
            "org_code": [f"T{i:03d}" for i in range(n)],
            "reporting_year": [year] * n,
            "value": values,
            "ci_lower": [v - 0.05 for v in values],
            "ci_upper": [v + 0.05 for v in values],
            "numerator": [int(v * 1000) for v in values],
            "denominator": [1000] * n,
            "ics_value": [0.3] * n,
            "upper_95": [0.33] * n,
            "position": positions,
            "overdispersion_adjusted": [False] * n,
            "suppressed": [False] * n,
        }
    )


@pytest.fixture
def figures(monkeypatch):
    """Each chart's figure, kept instead of being saved."""
    kept = []

    def keep(fig, fmt, id_prefix):
        kept.append(fig)
        return ""

    monkeypatch.setattr(charts, "_finish", keep)
    return kept


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_many_trust_funnel_names_only_trusts_outside_the_998_limits(figures):
    charts.funnel_plot(_rows(N), 0.3, "proportion", unit="percent")
    (ax,) = figures[0].axes
    assert sorted(t.get_text() for t in ax.texts) == ["T000", "T001"]
    assert f"Trusts ({N})" in _legend(ax)
    assert not any(label.startswith("T0") for label in _legend(ax))


def test_a_small_ics_still_names_every_trust(figures):
    charts.funnel_plot(_rows(5), 0.3, "proportion", unit="percent")
    (ax,) = figures[0].axes
    assert sorted(t.get_text() for t in ax.texts) == [f"T{i:03d}" for i in range(5)]


def test_many_trust_intervals_are_ranked_and_unnamed(figures):
    charts.interval_plot(_rows(N), 0.3, unit="percent")
    (ax,) = figures[0].axes
    assert list(ax.get_yticks()) == []
    assert figures[0].get_figheight() == pytest.approx(4.0)  # not 0.45 inch a trust
    (points,) = [c for c in ax.collections if c.get_label().startswith("Trusts")]
    ranked = points.get_offsets()[:, 0]
    assert list(ranked) == sorted(ranked)


def test_many_trust_trend_is_one_collection_of_lines(figures):
    rows = pl.concat([_rows(N, "2022-23"), _rows(N, "2023-24")])
    charts.trend_plot(rows, unit="percent")
    (ax,) = figures[0].axes
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == N
    assert _legend(ax) == [f"Trusts ({N})", "ICS"]
