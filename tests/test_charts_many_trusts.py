"""Charts of a system with more trusts than can be named one by one (a region, England).

Above ``charts.NAMED_TRUSTS`` every trust is drawn alike: the funnel names only trusts
outside the 99.8% limits, the interval chart ranks trusts without naming them, the
trend draws them as thin grey lines. Checked on the charts' scenes (what is drawn,
before it becomes SVG: the SVG holds no text to read back) and on the SVG's marks.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from edi_platform.publish import charts, svg

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


def _marks(scene: svg.Scene, kind: type, label: str) -> svg.Lines | svg.Points:
    (mark,) = [m for m in scene.marks if isinstance(m, kind) and m.label.startswith(label)]
    return mark


def test_many_trust_funnel_names_only_trusts_outside_the_998_limits():
    scene = charts.funnel_scene(_rows(N), 0.3, "proportion", unit="percent")
    assert sorted(scene.labels()) == ["T000", "T001"]
    assert f"Trusts ({N})" in scene.legend()
    assert not any(label.startswith("T0") for label in scene.legend())
    # one marker drawn per trust, and one in the legend, all alike
    drawn = charts.funnel_plot(_rows(N), 0.3, "proportion", unit="percent", id_prefix="f")
    assert len(re.findall(r'<use href="#f-m0"', drawn)) == N + 1
    assert 'id="f-m1"' not in drawn


def test_a_small_ics_still_names_every_trust():
    scene = charts.funnel_scene(_rows(5), 0.3, "proportion", unit="percent")
    assert sorted(scene.labels()) == [f"T{i:03d}" for i in range(5)]
    assert scene.legend() == ["95% limits", "99.8% limits", "ICS value"] + [
        f"T{i:03d}" for i in range(5)
    ]


def test_many_trust_intervals_are_ranked_and_unnamed():
    scene = charts.interval_scene(_rows(N), 0.3, unit="percent")
    assert scene.y.ticks == ()
    assert svg.ticks(scene)[1] == []
    assert scene.size[1] == pytest.approx(4.0)  # not 0.45 inch a trust
    assert svg.plot_size(scene)[1] == pytest.approx(4.0 * 72 * 0.77)
    assert scene.labels() == []
    points = _marks(scene, svg.Points, "Trusts")
    ranked = [x for x, _ in sorted(points.xy, key=lambda point: point[1])]
    assert ranked == sorted(ranked) and len(ranked) == N


def test_many_trust_trend_is_one_set_of_thin_lines():
    rows = pl.concat([_rows(N, "2022-23"), _rows(N, "2023-24")])
    scene = charts.trend_scene(rows, unit="percent")
    lines = _marks(scene, svg.Lines, "Trusts")
    assert len(lines.runs) == N and all(len(run) == 2 for run in lines.runs)
    assert lines.stroke.width < 1 and lines.marker is None
    assert scene.legend() == [f"Trusts ({N})", "ICS"]
    assert scene.marks[-1].label == "ICS"  # drawn last: on top of the trusts
