"""The catalogue of headline metrics that the published layer compares (issue 6).

One ``Headline`` per metric shown in ``publish.system_comparison`` and, where
it measures a high impact action of the NHS EDI Improvement Plan, in
``publish.hia_scorecard`` (metrics.md, "Published layer"). The list is
declarative: which mart rows a headline reads, how it is placed on a funnel,
and which direction is better. ``system_comparison`` does the work.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES: tuple[str, ...] = ("WRES", "WDES", "Pay gaps", "Violence")

HIA_TITLES: dict[str, str] = {
    "HIA 2": "Equality of opportunity and senior representation",
    "HIA 3": "Eliminate pay gaps",
    "HIA 6": "A safe working environment, free from harassment and violence",
}

#: Band 8c and above: the roll-up the EDI Improvement Plan's HIA 2 tracks.
SENIOR_BANDS: tuple[str, ...] = tuple(
    f"{staff}:{band}"
    for staff in ("clinical", "non_clinical")
    for band in ("Band 8c", "Band 8d", "Band 9", "VSM")
)
SENIOR_BREAKDOWN = "band_8c_and_above"


@dataclass(frozen=True)
class Headline:
    """One headline metric, for one group of its mart rows.

    funnel_kind: how ``funnel.funnel_positions`` places the trusts (None: the
        metric has no sampling error to build limits from, e.g. a score).
    ratio_groups: for relative likelihoods, the two groups whose counts make
        the ratio, in the order of the mart's ratio (first / second).
    """

    family: str
    metric_id: str
    label: str
    mart: str
    breakdown: str
    group: str
    funnel_kind: str | None
    direction: str
    hia: str | None = None
    ratio_groups: tuple[str, str] | None = None


def _groups(family, metric_id, label, mart, groups, kind, direction, hia=None):
    return [
        Headline(
            family, metric_id, f"{label} ({group})", mart, "overall", group, kind, direction, hia
        )
        for group in groups
    ]


def _pay(characteristic: str, groups: str) -> list[Headline]:
    return [
        Headline(
            "Pay gaps",
            f"pay_{average}_hourly_gap_{characteristic}",
            f"{average.capitalize()} hourly pay gap by {characteristic} ({groups})",
            "pay_gaps",
            "overall",
            "gap",
            "difference",
            "towards_zero",
            "HIA 3",
        )
        for average in ("mean", "median")
    ]


_BME, _WHITE = "BME", "White"
_DIS, _NON = "Disabled", "Non-disabled"
_W, _D, _V = "wres_indicators", "wdes_metrics", "violence_aggression"

HEADLINES: tuple[Headline, ...] = (
    Headline(
        "WRES",
        "wres_1",
        "BME staff share at Band 8c and above",
        _W,
        SENIOR_BREAKDOWN,
        _BME,
        "proportion",
        "higher_is_better",
        "HIA 2",
    ),
    Headline(
        "WRES",
        "wres_2",
        "Relative likelihood of White applicants being appointed "
        "from shortlisting compared with BME applicants",
        _W,
        "overall",
        "relative_likelihood",
        "ratio",
        "towards_parity",
        "HIA 2",
        (_WHITE, _BME),
    ),
    Headline(
        "WRES",
        "wres_3",
        "Relative likelihood of BME staff entering the formal "
        "disciplinary process compared with White staff",
        _W,
        "overall",
        "relative_likelihood",
        "ratio",
        "towards_parity",
        None,
        (_BME, _WHITE),
    ),
    Headline(
        "WRES",
        "wres_4",
        "Relative likelihood of White staff accessing non-mandatory "
        "training and CPD compared with BME staff",
        _W,
        "overall",
        "relative_likelihood",
        "ratio",
        "towards_parity",
        None,
        (_WHITE, _BME),
    ),
    *_groups(
        "WRES",
        "wres_5",
        "Staff experiencing harassment, bullying or abuse from patients or the public",
        _W,
        (_BME, _WHITE),
        "proportion",
        "lower_is_better",
        "HIA 6",
    ),
    *_groups(
        "WRES",
        "wres_6",
        "Staff experiencing harassment, bullying or abuse from staff",
        _W,
        (_BME, _WHITE),
        "proportion",
        "lower_is_better",
        "HIA 6",
    ),
    *_groups(
        "WRES",
        "wres_7",
        "Staff believing the trust provides equal opportunities for career progression",
        _W,
        (_BME, _WHITE),
        "proportion",
        "higher_is_better",
        "HIA 6",
    ),
    *_groups(
        "WRES",
        "wres_8",
        "Staff experiencing discrimination from a manager or colleague",
        _W,
        (_BME, _WHITE),
        "proportion",
        "lower_is_better",
        "HIA 6",
    ),
    Headline(
        "WRES",
        "wres_9",
        "Difference between the BME share of the board and of the workforce (percentage points)",
        _W,
        "board:all",
        "difference",
        "difference",
        "towards_zero",
    ),
    Headline(
        "WDES",
        "wdes_1",
        "Disabled staff share at Band 8c and above",
        _D,
        SENIOR_BREAKDOWN,
        _DIS,
        "proportion",
        "higher_is_better",
        "HIA 2",
    ),
    Headline(
        "WDES",
        "wdes_2",
        "Relative likelihood of non-disabled applicants being appointed "
        "from shortlisting compared with Disabled applicants",
        _D,
        "overall",
        "relative_likelihood",
        "ratio",
        "towards_parity",
        "HIA 2",
        (_NON, _DIS),
    ),
    Headline(
        "WDES",
        "wdes_3",
        "Relative likelihood of Disabled staff entering the formal "
        "capability process compared with non-disabled staff",
        _D,
        "overall",
        "relative_likelihood",
        "ratio",
        "towards_parity",
        None,
        (_DIS, _NON),
    ),
    *_groups(
        "WDES",
        "wdes_4a_i",
        "Staff experiencing harassment, bullying or abuse from patients or the public",
        _D,
        (_DIS, _NON),
        "proportion",
        "lower_is_better",
        "HIA 6",
    ),
    *_groups(
        "WDES",
        "wdes_4a_ii",
        "Staff experiencing harassment, bullying or abuse from managers",
        _D,
        (_DIS, _NON),
        "proportion",
        "lower_is_better",
        "HIA 6",
    ),
    *_groups(
        "WDES",
        "wdes_4a_iii",
        "Staff experiencing harassment, bullying or abuse from other colleagues",
        _D,
        (_DIS, _NON),
        "proportion",
        "lower_is_better",
        "HIA 6",
    ),
    *_groups(
        "WDES",
        "wdes_4b",
        "Staff saying they or a colleague reported the last incident "
        "of harassment, bullying or abuse",
        _D,
        (_DIS, _NON),
        "proportion",
        "higher_is_better",
        "HIA 6",
    ),
    *_groups(
        "WDES",
        "wdes_5",
        "Staff believing the trust provides equal opportunities for career progression",
        _D,
        (_DIS, _NON),
        "proportion",
        "higher_is_better",
    ),
    *_groups(
        "WDES",
        "wdes_6",
        "Staff feeling pressure to come to work when not well enough",
        _D,
        (_DIS, _NON),
        "proportion",
        "lower_is_better",
    ),
    *_groups(
        "WDES",
        "wdes_7",
        "Staff satisfied with how far the organisation values their work",
        _D,
        (_DIS, _NON),
        "proportion",
        "higher_is_better",
    ),
    *_groups(
        "WDES",
        "wdes_8",
        "Disabled staff saying their employer has made adequate reasonable adjustments",
        _D,
        (_DIS,),
        "proportion",
        "higher_is_better",
    ),
    *_groups(
        "WDES",
        "wdes_9a",
        "Staff engagement score (0 to 10)",
        _D,
        (_DIS, _NON),
        None,
        "higher_is_better",
    ),
    Headline(
        "WDES",
        "wdes_10",
        "Difference between the Disabled share of the board and of the "
        "workforce (percentage points)",
        _D,
        "board:all",
        "difference",
        "difference",
        "towards_zero",
    ),
    *_pay("sex", "men and women"),
    *_pay("ethnicity", "White and BME staff"),
    *_pay("disability", "non-disabled and Disabled staff"),
    Headline(
        "Violence",
        "va_incidents_per_1000_wte",
        "Violence and aggression incidents against staff per 1,000 WTE",
        _V,
        "overall",
        "all",
        "rate",
        "lower_is_better",
        "HIA 6",
    ),
    *[
        Headline(
            "Violence",
            f"va_survey_{measure}",
            label,
            _V,
            "overall",
            "all",
            "proportion",
            "lower_is_better",
            "HIA 6",
        )
        for measure, label in (
            ("physical_public", "Staff experiencing physical violence from patients or the public"),
            ("physical_managers", "Staff experiencing physical violence from managers"),
            ("physical_colleagues", "Staff experiencing physical violence from other colleagues"),
            (
                "sexual_public",
                "Staff experiencing unwanted sexual behaviour from patients or the public",
            ),
            ("sexual_staff", "Staff experiencing unwanted sexual behaviour from other staff"),
        )
    ],
)
