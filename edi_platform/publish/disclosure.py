"""Statistical disclosure control (SDC) of published tables (metrics.md, "Published layer").

The rules of the contract:

- record-derived cells whose count (numerator, or a group's denominator) is 1
  to ``min_count - 1`` (default 1-9) are suppressed;
- survey-derived cells with fewer than ``min_survey_responses`` (default 11)
  responses in the group are suppressed;
- secondary suppression: where a suppressed cell could be recovered by
  difference from a published total or its complement, the next smallest cell
  is suppressed too;
- a suppressed value is null with ``suppressed = true``, never a zero; its
  numerator, denominator, interval and anything computed from them are nulled
  too.

Thresholds come from ``edi_platform.config.DisclosureSettings`` (``ics.yaml``).

The model
=========
A published table shows **cells**: counts (numerators and denominators). Its
**items** are the units that are published or suppressed as a whole (the rows
of the indicator shape); an item shows one or more cells, and a cell may be
shown by several items (a band's headcount is the denominator of its White,
BME and Unknown rows). A cell is *hidden* when every item showing it is
suppressed; a cell no item shows is *unpublished* (unknown, but there is
nothing of ours to protect). **Relations** are additive facts a reader knows:
``total = sum(members)`` over cells. A hidden cell is *recoverable* when the
published cells and the relations determine it exactly.

``suppress(values, relations, primary, *, item_cells=None)`` is the core, on
this abstract table (by default item i shows cell i, a plain table of counts):

1. the primary items are suppressed;
2. while some relation has exactly one unknown cell and that cell is hidden,
   hide another published cell of the relation, chosen in this order: one
   that also closes another relation left with a single hidden cell (without
   this a 2 x 3 table with one small count loses all six interior cells
   instead of a rectangle of four), then a non-zero cell (a suppressed zero
   beside a small count bounds it too tightly: the count is then exactly the
   residual's upper end), then the smallest, then the lowest cell index.
   Hiding a cell suppresses every item that shows it;
3. the single-unknown rule is necessary but not sufficient when relations
   overlap (a 2-D table: two rectangles of suppressions joined by one cell
   leave that cell determined). So the published equations are solved
   exactly: a hidden cell x_j is determined iff e_j lies in the row space of
   the relations restricted to the unknown cells, i.e. iff every vector of
   their null space is zero at j. Each connected block of unknowns is checked
   with an SVD (scipy.linalg.null_space). For a determined cell, the smallest
   published cell of a relation containing it (else of its block) is hidden,
   and the process repeats from step 2.

``determined_cells(unknown, relations)`` is that exact check on its own;
``primary_count_mask(counts, min_count)`` the primary rule for counts.

Every round hides at least one more cell, so it terminates; every choice is
a total order ending in the cell index, so it is deterministic. The guarantee is
against exact recovery by linear combination of the published totals (what
"recovered by difference" means); range ("interval") disclosure through the
non-negativity of counts is limited by preferring non-zero secondary cells
but is not otherwise bounded (tau-ARGUS-style protection intervals are out of
scope).

The indicator shape
===================
``apply_disclosure_control(frame, *, icb_code, settings, layouts=None,
survey_metrics=())`` applies this to the long shape of the indicator marts
(org_code, reporting_year, metric_id, breakdown, group, numerator,
denominator, value, unit, ci_lower, ci_upper, note) and returns it with
``suppressed`` and ``suppression_reason`` added and the disclosive columns of
suppressed rows nulled (``masked_columns``; ``note`` becomes ``suppressed``
because notes such as ``zero_comparator`` would reveal a count).

Items are the rows that carry counts. Rows without numerator and denominator
(``relative_likelihood`` and ``difference``) are **derived**: computed from
the other rows of their org, year, metric and breakdown, so they are
suppressed, reason ``derived``, whenever any of those rows is.

Cells. A row shows its numerator cell and its denominator cell. Whose
denominator it is depends on the metric's ``MetricLayout.denominator_scope``:
``group`` (each group's own population: wres_2-4, survey groups, board and
workforce), ``breakdown`` (one total shared by the groups of a breakdown:
wres_1 and wdes_1 band headcounts) or ``metric`` (one exposure shared by every
breakdown: the WTE of va_incidents_per_1000_wte). ``SameCount`` identities
make two metrics' rows show one cell (wres_3's group headcounts are
wres_1's overall headcounts), so a count hidden in one metric is not shown by
another; an identity is used only where the two figures agree in the data.

Relations (``MetricLayout``, defaults in ``DEFAULT_LAYOUTS``):

- across trusts, every metric: for each year, metric, breakdown, group and
  role, the trusts' cells add up to the system (ICS) row's cell, which pools
  them (metrics.md). Suppressing one trust's count therefore needs a second
  trust suppressed in that cell, or the system row;
- groups partition the breakdown's denominator (``partition_groups``): wres_1
  White + BME + Unknown = the band's headcount; wdes_1 Disabled +
  Non-disabled + Unknown;
- breakdowns partition a whole (``breakdown_partitions``): wres_1 / wdes_1
  clinical and non-clinical bands add up to ``overall`` (numerators and band
  headcounts); va_incidents_per_1000_wte categories add up to ``overall`` and
  so do perpetrators; WRES 9 / WDES 10 ``board:executive`` +
  ``board:non_executive`` = ``board:all`` (board group only).

A relation whose published figures do not add up (a trust or a band missing
from the table) is dropped: the true relation then has an unpublished member
and gives nothing away by difference. A member of a partition named
explicitly but absent from the table is an unpublished cell. Survey ``all``
is not White + BME (respondents who did not state their group are in ``all``
only), so survey groups have no within-breakdown relation.

Primary rules per row: a record-derived row is suppressed when its numerator,
or its denominator where that is a count (not WTE), is 1 to ``min_count - 1``
(``primary_count``); a survey row when its denominator (responses) is below
``min_survey_responses``, zero included (``primary_survey``): no published
survey cell has fewer responses than the threshold. Rows hidden to protect
others are ``secondary``.

``suppression_reason`` is for the analyst and the audit trail: in a file for
circulation prefer the ``suppressed`` flag alone, since ``primary_count``
tells a reader that the hidden count is between 1 and 9.

Run it on complete rows: the group rows behind a comparison row must be in
the frame (a comparison row without them is an error). Dropping rows *after*
disclosure control is always safe (a dropped row only adds unknowns), so a
table that publishes a subset (the system comparison) can be cut from the
controlled full table.

Other tables fit the same shape. Pay gaps, for example: one row per group
with the group's headcount as denominator (and its mean or median rate as
value) plus a ``gap`` row without counts, under a layout such as
``MetricLayout()`` for its metric id: a group of 1-9 people hides its row and
so the gap (derived), and the trusts' headcounts add up to the system's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl
from scipy import linalg, sparse
from scipy.sparse import csgraph

from edi_platform.config import DisclosureSettings

REASON_PRIMARY_COUNT = "primary_count"
REASON_PRIMARY_SURVEY = "primary_survey"
REASON_SECONDARY = "secondary"
REASON_DERIVED = "derived"
SUPPRESSED_NOTE = "suppressed"

#: Columns nulled on a suppressed row when present: the counts, the value and
#: everything computed from them (funnel limits depend on the denominator;
#: the change since last year on the value).
MASKED_COLUMNS: tuple[str, ...] = (
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "funnel_value",
    "z_score",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "position",
    "change",
    "change_judgement",
)

INDICATOR_KEYS: tuple[str, ...] = ("org_code", "reporting_year", "metric_id", "breakdown", "group")
SHARED = "*"  # the group (or breakdown) part of a shared denominator's key

DEFAULT_SETTINGS = DisclosureSettings()  # min_count 10, min_survey_responses 11


# =========================================================================================
# The abstract table
# =========================================================================================


@dataclass(frozen=True)
class Relation:
    """A published fact: cell ``total`` equals the sum of cells ``members``."""

    total: int
    members: tuple[int, ...]

    @property
    def cells(self) -> tuple[int, ...]:
        return (self.total, *self.members)


@dataclass(frozen=True)
class SuppressionResult:
    """Outcome of ``suppress``: per item, and per cell."""

    suppressed: np.ndarray  # bool per item
    secondary: np.ndarray  # bool per item: suppressed only to protect other cells
    hidden: np.ndarray  # bool per cell: shown by items, all of them suppressed


def primary_count_mask(counts, min_count: int) -> np.ndarray:
    """Counts from 1 to min_count - 1: the contract's primary rule for record counts."""
    counts = np.asarray(counts, dtype=float)
    with np.errstate(invalid="ignore"):
        return (counts >= 1) & (counts < min_count)


def relation_matrix(relations: Sequence[Relation], n_cells: int) -> sparse.csr_matrix:
    """One row per relation: +1 for each member, -1 for the total (so A·x = 0)."""
    rows, cols, data = [], [], []
    for index, relation in enumerate(relations):
        for member in relation.members:
            rows.append(index)
            cols.append(member)
            data.append(1.0)
        rows.append(index)
        cols.append(relation.total)
        data.append(-1.0)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(relations), n_cells))


def determined_cells(unknown: np.ndarray, relations: Sequence[Relation]) -> np.ndarray:
    """Unknown cells that the relations and the known cells determine exactly.

    Known cells move to the right-hand side, leaving A_U x_U = b. x_j is
    determined iff every null vector of A_U is zero at j. Blocks of unknowns
    not linked by any relation are independent, so each is solved alone.
    """
    unknown = np.asarray(unknown, dtype=bool)
    matrix = relation_matrix(relations, unknown.size)
    return _determined(matrix, unknown, {})


def _determined(matrix: sparse.csr_matrix, unknown: np.ndarray, cache: dict) -> np.ndarray:
    determined = np.zeros(unknown.size, dtype=bool)
    unknown_cells = np.flatnonzero(unknown)
    if unknown_cells.size == 0 or matrix.shape[0] == 0:
        return determined
    restricted = matrix[:, unknown_cells]
    touching = np.flatnonzero(np.diff(restricted.indptr) > 0)
    if touching.size == 0:
        return determined
    restricted = restricted[touching]
    linked = (abs(restricted).T @ abs(restricted)).tocsr()
    n_blocks, block_of = csgraph.connected_components(linked, directed=False)
    incidence = abs(restricted).tocsc()
    for block in range(n_blocks):
        columns = np.flatnonzero(block_of == block)
        key = tuple(unknown_cells[columns])
        if key not in cache:
            rows = np.unique(incidence[:, columns].tocoo().row)
            dense = restricted[rows][:, columns].toarray()
            null = linalg.null_space(dense)
            cache[key] = (
                np.linalg.norm(null, axis=1) < 1e-8
                if null.size
                else np.ones(columns.size, dtype=bool)
            )
        determined[unknown_cells[columns]] = cache[key]
    return determined


@dataclass
class _Table:
    """The working state of ``suppress``."""

    values: np.ndarray  # per cell; inf for cells no item shows
    relations: list[Relation]
    relations_of: dict[int, list[int]]  # cell -> indices of the relations it is in
    cell_items: list[list[int]]
    matrix: sparse.csr_matrix
    incidence: sparse.csr_matrix  # |matrix|: which cells each relation involves
    shows: sparse.csr_matrix  # items x cells: 1 where the item shows the cell
    suppressed: np.ndarray
    secondary: np.ndarray
    cache: dict = field(default_factory=dict)

    def visible(self) -> np.ndarray:
        """Cells shown by at least one item that is still published."""
        return (self.shows.T @ (~self.suppressed).astype(float)) > 0

    def shown_by_items(self) -> np.ndarray:
        return np.asarray(self.shows.sum(axis=0)).ravel() > 0

    def hide(self, cell: int) -> None:
        for item in self.cell_items[cell]:
            if not self.suppressed[item]:
                self.suppressed[item] = True
                self.secondary[item] = True

    def lone_hidden_relations(self, visible: np.ndarray, protect: np.ndarray) -> np.ndarray:
        """Relations with exactly one unknown cell, that cell hidden (recoverable by difference)."""
        unknowns = np.rint(self.incidence @ (~visible).astype(float))
        protected = np.rint(self.incidence @ protect.astype(float))
        # protect is a subset of the unknowns, so one of each means the lone unknown is ours.
        return np.flatnonzero((unknowns == 1) & (protected == 1))

    def best_candidate(self, cells: Iterable[int], lone: np.ndarray) -> int:
        """The secondary cell to hide among ``cells``.

        Best first: a cell that also closes another relation left with one
        hidden cell (fewer suppressions overall; without it a 2 x 3 table with
        one small count loses every interior cell), then non-zero before zero,
        then the smallest, then the lowest index.
        """
        lone_set = set(lone.tolist())

        def rank(cell: int):
            fixes = sum(1 for r in self.relations_of.get(cell, ()) if r in lone_set)
            return (-fixes, self.values[cell] == 0, self.values[cell], cell)

        return min(cells, key=rank)


def _block_cells(table: _Table, cell: int) -> set[int]:
    """Every cell linked to ``cell`` through chains of relations."""
    seen, frontier = {cell}, [cell]
    while frontier:
        current = frontier.pop()
        for index in table.relations_of.get(current, ()):
            for c in table.relations[index].cells:
                if c not in seen:
                    seen.add(c)
                    frontier.append(c)
    return seen


def _protect(
    table: _Table, cell: int, around: Iterable[int], visible: np.ndarray, lone: np.ndarray
) -> None:
    """Hide the best published cell of the relations ``around`` (else of ``cell``'s block)."""
    candidates = {c for r in around for c in table.relations[r].cells if visible[c]}
    if not candidates:
        candidates = {c for c in _block_cells(table, cell) if visible[c]}
    if not candidates:
        raise RuntimeError(
            f"cell {cell} stays recoverable with every related cell suppressed: "
            "the relations are inconsistent"
        )
    table.hide(table.best_candidate(sorted(candidates), lone))


def suppress(
    values: Sequence[float],
    relations: Sequence[Relation],
    primary: Sequence[bool],
    *,
    item_cells: Sequence[Sequence[int]] | None = None,
) -> SuppressionResult:
    """Suppress ``primary`` items and enough others that no hidden cell is recoverable.

    values: each cell's count (used to choose secondary cells; nan for cells
        no item shows). relations: ``total = sum(members)`` facts over cells.
    primary: per item. item_cells: the cells each item shows; by default item
        i shows cell i (a plain table of counts). See the module docstring.
    """
    values = np.asarray(values, dtype=float)
    n_cells = values.size
    if item_cells is None:
        item_cells = [(i,) for i in range(n_cells)]
    item_cells = [tuple(int(c) for c in cells) for cells in item_cells]
    primary = np.asarray(primary, dtype=bool)
    if primary.size != len(item_cells):
        raise ValueError("primary needs one flag per item")
    cell_items: list[list[int]] = [[] for _ in range(n_cells)]
    for item, cells in enumerate(item_cells):
        for cell in cells:
            cell_items[cell].append(item)
    relations = list(relations)
    matrix = relation_matrix(relations, n_cells)
    item_rows = [item for item, cells in enumerate(item_cells) for _ in cells]
    item_columns = [cell for cells in item_cells for cell in cells]
    shows = sparse.csr_matrix(
        (np.ones(len(item_rows)), (item_rows, item_columns)), shape=(len(item_cells), n_cells)
    )
    shows.data[:] = 1.0  # an item listing a cell twice still shows it once
    relations_of: dict[int, list[int]] = defaultdict(list)
    for index, relation in enumerate(relations):
        for cell in dict.fromkeys(relation.cells):
            relations_of[cell].append(index)
    table = _Table(
        values=np.where(np.isnan(values), np.inf, values),
        relations=relations,
        relations_of=dict(relations_of),
        cell_items=cell_items,
        matrix=matrix,
        incidence=abs(matrix).tocsr(),
        shows=shows,
        suppressed=primary.copy(),
        secondary=np.zeros(primary.size, dtype=bool),
    )
    shown = table.shown_by_items()

    while True:
        visible = table.visible()
        protect = shown & ~visible
        lone = table.lone_hidden_relations(visible, protect)
        if lone.size:
            # The relation with one hidden cell: its difference gives the cell away.
            first = int(lone[0])
            hidden_cell = next(c for c in relations[first].cells if not visible[c])
            _protect(table, hidden_cell, [first], visible, lone)
            continue
        recoverable = _determined(table.matrix, ~visible, table.cache) & protect
        if not recoverable.any():
            break
        cell = int(np.flatnonzero(recoverable)[0])
        _protect(table, cell, table.relations_of.get(cell, ()), visible, lone)

    visible = table.visible()
    return SuppressionResult(
        suppressed=table.suppressed,
        secondary=table.secondary & ~primary,
        hidden=shown & ~visible,
    )


# =========================================================================================
# The indicator shape
# =========================================================================================

Role = Literal["numerator", "denominator"]


@dataclass(frozen=True)
class SameCount:
    """A count of this metric that is another metric's count for the same org and year.

    Applies to rows of ``breakdown`` / ``group`` (None: any). The other cell is
    (``other_metric``, ``other_breakdown``, ``other_group`` or this row's
    group, ``other_role``), keyed by the other metric's layout.
    """

    role: Role
    other_metric: str
    other_breakdown: str
    other_role: Role
    breakdown: str | None = None
    group: str | None = None
    other_group: str | None = None


@dataclass(frozen=True)
class BreakdownPartition:
    """Breakdowns whose counts add up to the ``whole`` breakdown's, group by group.

    ``parts`` are exact breakdown names (a missing one is an unpublished
    cell) or, with ``by_prefix``, prefixes (a missing band simply has no
    staff). ``groups`` limits it to some groups (None: every group).
    """

    whole: str
    parts: tuple[str, ...]
    by_prefix: bool = False
    groups: tuple[str, ...] | None = None


@dataclass(frozen=True)
class MetricLayout:
    """How a metric's rows are counted, for disclosure control (module docstring)."""

    survey: bool = False
    denominator_scope: Literal["group", "breakdown", "metric"] = "group"
    denominator_is_count: bool = True
    partition_groups: tuple[str, ...] = ()
    breakdown_partitions: tuple[BreakdownPartition, ...] = ()
    same_counts: tuple[SameCount, ...] = ()

    def __post_init__(self) -> None:
        if self.partition_groups and self.denominator_scope != "breakdown":
            raise ValueError("partition_groups add up to a shared (breakdown) denominator")


_BANDS = BreakdownPartition(whole="overall", parts=("clinical:", "non_clinical:"), by_prefix=True)
_BOARD = BreakdownPartition(
    whole="board:all", parts=("board:executive", "board:non_executive"), groups=("board",)
)


def _workforce_headcount(metric: str) -> SameCount:
    """Group denominators that are the group's workforce headcount (wres_1 / wdes_1 overall)."""
    return SameCount(
        role="denominator", other_metric=metric, other_breakdown="overall", other_role="numerator"
    )


def _board_workforce(metric: str, group: str) -> tuple[SameCount, ...]:
    """WRES 9 / WDES 10 workforce rows: the overall workforce counts of wres_1 / wdes_1."""
    return (
        SameCount(
            role="numerator",
            group="workforce",
            other_metric=metric,
            other_breakdown="overall",
            other_group=group,
            other_role="numerator",
        ),
        SameCount(
            role="denominator",
            group="workforce",
            other_metric=metric,
            other_breakdown="overall",
            other_role="denominator",
        ),
    )


_INCIDENTS = SameCount(
    role="denominator",
    other_metric="va_incidents_per_1000_wte",
    other_breakdown="overall",
    other_group="all",
    other_role="numerator",
)

_SURVEY_METRICS = (
    "wres_5",
    "wres_6",
    "wres_7",
    "wres_8",
    "wdes_4a_i",
    "wdes_4a_ii",
    "wdes_4a_iii",
    "wdes_4b",
    "wdes_5",
    "wdes_6",
    "wdes_7",
    "wdes_8",
    "wdes_9a",
    "va_survey_physical_public",
    "va_survey_physical_managers",
    "va_survey_physical_colleagues",
    "va_survey_sexual_public",
    "va_survey_sexual_staff",
)

#: The metrics of marts.wres_indicators, marts.wdes_metrics and marts.violence_aggression.
DEFAULT_LAYOUTS: dict[str, MetricLayout] = {
    "wres_1": MetricLayout(
        denominator_scope="breakdown",
        partition_groups=("White", "BME", "Unknown"),
        breakdown_partitions=(_BANDS,),
    ),
    "wdes_1": MetricLayout(
        denominator_scope="breakdown",
        partition_groups=("Disabled", "Non-disabled", "Unknown"),
        breakdown_partitions=(_BANDS,),
    ),
    "wres_2": MetricLayout(),
    "wdes_2": MetricLayout(),
    "wres_3": MetricLayout(same_counts=(_workforce_headcount("wres_1"),)),
    "wres_4": MetricLayout(same_counts=(_workforce_headcount("wres_1"),)),
    "wdes_3": MetricLayout(same_counts=(_workforce_headcount("wdes_1"),)),
    "wres_9": MetricLayout(
        breakdown_partitions=(_BOARD,), same_counts=_board_workforce("wres_1", "BME")
    ),
    "wdes_10": MetricLayout(
        breakdown_partitions=(_BOARD,), same_counts=_board_workforce("wdes_1", "Disabled")
    ),
    "va_incidents_per_1000_wte": MetricLayout(
        denominator_scope="metric",
        denominator_is_count=False,
        breakdown_partitions=(
            BreakdownPartition(whole="overall", parts=("category:",), by_prefix=True),
            BreakdownPartition(whole="overall", parts=("perpetrator:",), by_prefix=True),
        ),
    ),
    "va_moderate_harm_pct": MetricLayout(same_counts=(_INCIDENTS,)),
    "va_police_pct": MetricLayout(same_counts=(_INCIDENTS,)),
    "va_linked_pct": MetricLayout(same_counts=(_INCIDENTS,)),
    "va_victim_rate": MetricLayout(
        same_counts=(
            SameCount(
                role="denominator",
                breakdown="ethnicity",
                other_metric="wres_1",
                other_breakdown="overall",
                other_role="numerator",
            ),
            SameCount(
                role="denominator",
                breakdown="disability",
                other_metric="wdes_1",
                other_breakdown="overall",
                other_role="numerator",
            ),
        )
    ),
    **{metric: MetricLayout(survey=True) for metric in _SURVEY_METRICS},
}

CellKey = tuple[Hashable, ...]


def cell_key(
    layout: MetricLayout,
    org_code: str,
    reporting_year: str,
    metric_id: str,
    breakdown: str,
    group: str,
    role: Role,
) -> CellKey:
    """The identity of a count cell: shared denominators share a key."""
    if role == "denominator" and layout.denominator_scope == "breakdown":
        group = SHARED
    elif role == "denominator" and layout.denominator_scope == "metric":
        breakdown, group = SHARED, SHARED
    return (org_code, reporting_year, metric_id, breakdown, group, role)


def _layout_lookup(
    layouts: Mapping[str, MetricLayout] | None, survey_metrics: Collection[str] | Callable
) -> Callable[[str], MetricLayout]:
    merged = {**DEFAULT_LAYOUTS, **(layouts or {})}
    is_survey = survey_metrics if callable(survey_metrics) else set(survey_metrics).__contains__

    def layout_of(metric_id: str) -> MetricLayout:
        layout = merged.get(metric_id)
        if layout is None:
            if is_survey(metric_id):
                return MetricLayout(survey=True)
            raise ValueError(
                f"disclosure control has no layout for metric {metric_id!r}: "
                "pass layouts={...} (or survey_metrics) saying how it is counted"
            )
        if is_survey(metric_id) and not layout.survey:
            return MetricLayout(**{**layout.__dict__, "survey": True})
        return layout

    return layout_of


@dataclass
class _Cells:
    """Cells of the indicator table: keys, values, and which rows show them."""

    index: dict[CellKey, int] = field(default_factory=dict)
    values: list[float] = field(default_factory=list)

    def add(self, key: CellKey, value: float) -> int:
        if key in self.index:
            known = self.values[self.index[key]]
            if not np.isnan(value) and not np.isnan(known) and not np.isclose(known, value):
                raise ValueError(
                    f"count {key} is {known} on one row and {value} on another: "
                    "the metric's layout does not match the data"
                )
            return self.index[key]
        self.index[key] = len(self.values)
        self.values.append(value)
        return self.index[key]

    def placeholder(self, key: CellKey) -> int:
        """A cell no row shows (a partition member missing from the table)."""
        return self.add(("unpublished", *key), float("nan"))

    def get(self, key: CellKey) -> int | None:
        return self.index.get(key)


def _row_cell_keys(rows: pl.DataFrame, layout_of: Callable[[str], MetricLayout]) -> list[dict]:
    """Each count row's natural cell keys and, where an identity applies, the aliased key."""
    entries = []
    for row in rows.iter_rows(named=True):
        layout = layout_of(row["metric_id"])
        keys = {}
        for role in ("numerator", "denominator"):
            if row[role] is None:
                continue
            natural = cell_key(
                layout,
                row["org_code"],
                row["reporting_year"],
                row["metric_id"],
                row["breakdown"],
                row["group"],
                role,
            )
            alias = None
            for same in layout.same_counts:
                if (
                    same.role == role
                    and same.breakdown in (None, row["breakdown"])
                    and same.group in (None, row["group"])
                ):
                    alias = cell_key(
                        layout_of(same.other_metric),
                        row["org_code"],
                        row["reporting_year"],
                        same.other_metric,
                        same.other_breakdown,
                        same.other_group or row["group"],
                        same.other_role,
                    )
                    break
            keys[role] = (natural, alias, float(row[role]))
        entries.append(keys)
    return entries


def _resolve_aliases(entries: list[dict]) -> list[dict[str, tuple[CellKey, float]]]:
    """Use an identity only where every figure it joins is equal (else it cannot be used)."""
    values_at: dict[CellKey, set[float]] = defaultdict(set)
    for keys in entries:
        for natural, alias, value in keys.values():
            values_at[natural].add(value)
            if alias is not None:
                values_at[alias].add(value)
    resolved = []
    for keys in entries:
        row = {}
        for role, (natural, alias, value) in keys.items():
            usable = alias is not None and np.ptp(np.fromiter(values_at[alias], float)) < 1e-9
            row[role] = (alias if usable else natural, value)
        resolved.append(row)
    return resolved


def _adds_up(cells: _Cells, total: int, members: Sequence[int]) -> bool:
    values = [cells.values[m] for m in members]
    if any(np.isnan(v) for v in values):
        return True  # an unpublished member: cannot be checked, and gives nothing away
    return bool(np.isclose(sum(values), cells.values[total], rtol=1e-9, atol=1e-6))


def _add_relation(relations: set, cells: _Cells, total: int | None, members: list[int]) -> None:
    members = [m for m in members if m != total]
    if total is None or not members or not _adds_up(cells, total, members):
        return
    relations.add(Relation(total=total, members=tuple(sorted(set(members)))))


def _across_trust_relations(cells: _Cells, icb_code: str, relations: set) -> None:
    members_of: dict[CellKey, list[int]] = defaultdict(list)
    for key, index in cells.index.items():
        if key[0] != "unpublished" and key[0] != icb_code:
            members_of[key[1:]].append(index)
    for rest, members in members_of.items():
        _add_relation(relations, cells, cells.get((icb_code, *rest)), members)


def _partition_relations(
    cells: _Cells,
    rows: pl.DataFrame,
    layout_of: Callable[[str], MetricLayout],
    key_of: Callable[[int, Role], int | None],
    relations: set,
) -> None:
    """Groups partitioning a breakdown's denominator; breakdowns partitioning a whole."""
    by_breakdown: dict[tuple, dict[str, int]] = defaultdict(dict)
    by_metric: dict[tuple, set[str]] = defaultdict(set)
    for position, row in enumerate(rows.iter_rows(named=True)):
        where = (row["org_code"], row["reporting_year"], row["metric_id"])
        by_breakdown[(*where, row["breakdown"])][row["group"]] = position
        by_metric[where].add(row["breakdown"])

    for (org, year, metric, breakdown), groups in by_breakdown.items():
        layout = layout_of(metric)
        if not layout.partition_groups:
            continue
        any_row = next(iter(groups.values()))
        total = key_of(any_row, "denominator")
        members = [
            key_of(groups[g], "numerator")
            if g in groups
            else cells.placeholder((org, year, metric, breakdown, g, "numerator"))
            for g in layout.partition_groups
        ]
        _add_relation(relations, cells, total, [m for m in members if m is not None])

    for (org, year, metric), breakdowns in by_metric.items():
        layout = layout_of(metric)
        for partition in layout.breakdown_partitions:
            if partition.whole not in breakdowns:
                continue
            if partition.by_prefix:
                parts = sorted(b for b in breakdowns if b.startswith(partition.parts))
            else:
                parts = list(partition.parts)
            whole_groups = by_breakdown[(org, year, metric, partition.whole)]
            for group, whole_row in whole_groups.items():
                if partition.groups is not None and group not in partition.groups:
                    continue
                roles: list[Role] = ["numerator"]
                if layout.denominator_scope != "metric":
                    roles.append("denominator")
                for role in roles:
                    members = []
                    for part in parts:
                        part_row = by_breakdown.get((org, year, metric, part), {}).get(group)
                        if part_row is not None:
                            members.append(key_of(part_row, role))
                        else:
                            members.append(
                                cells.placeholder((org, year, metric, part, group, role))
                            )
                    _add_relation(
                        relations,
                        cells,
                        key_of(whole_row, role),
                        [m for m in members if m is not None],
                    )


def _primary_reasons(
    rows: pl.DataFrame, layout_of: Callable[[str], MetricLayout], settings: DisclosureSettings
) -> np.ndarray:
    metrics = rows.get_column("metric_id").to_list()
    survey = np.array([layout_of(m).survey for m in metrics], dtype=bool)
    denominator_is_count = np.array(
        [layout_of(m).denominator_is_count for m in metrics], dtype=bool
    )
    numerator = rows.get_column("numerator").cast(pl.Float64).fill_null(np.nan).to_numpy()
    denominator = rows.get_column("denominator").cast(pl.Float64).fill_null(np.nan).to_numpy()
    record = primary_count_mask(numerator, settings.min_count) | (
        denominator_is_count & primary_count_mask(denominator, settings.min_count)
    )
    with np.errstate(invalid="ignore"):
        few_responses = ~(denominator >= settings.min_survey_responses)
    reasons = np.full(rows.height, None, dtype=object)
    reasons[~survey & record] = REASON_PRIMARY_COUNT
    reasons[survey & few_responses] = REASON_PRIMARY_SURVEY
    return reasons


def _validate(frame: pl.DataFrame) -> None:
    missing = [c for c in (*INDICATOR_KEYS, "numerator", "denominator") if c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks the indicator columns {', '.join(missing)}")
    for column in ("suppressed", "suppression_reason"):
        if column in frame.columns:
            raise ValueError(f"frame already has a {column!r} column")
    if frame.select(INDICATOR_KEYS).is_duplicated().any():
        raise ValueError("frame has more than one row for an indicator key")


def apply_disclosure_control(
    frame: pl.DataFrame,
    *,
    icb_code: str,
    settings: DisclosureSettings = DEFAULT_SETTINGS,
    layouts: Mapping[str, MetricLayout] | None = None,
    survey_metrics: Collection[str] | Callable[[str], bool] = (),
    masked_columns: Sequence[str] = MASKED_COLUMNS,
) -> pl.DataFrame:
    """Disclosure-control an indicator table (long shape): module docstring.

    icb_code: org_code of the system rows (the totals across trusts).
    settings: thresholds (``DisclosureSettings``, from ``ics.yaml``).
    layouts: per-metric layouts added to (or replacing) ``DEFAULT_LAYOUTS``;
        a metric with no layout is an error rather than a guess.
    survey_metrics: further metric ids (or a predicate) to treat as survey.
    masked_columns: columns nulled on suppressed rows, where present.
    Returns ``frame`` in its order with ``suppressed`` (bool) and
    ``suppression_reason`` (``primary_count``, ``primary_survey``,
    ``secondary``, ``derived``, or null).
    """
    _validate(frame)
    layout_of = _layout_lookup(layouts, survey_metrics)
    order = "__sdc_row__"
    indexed = frame.with_row_index(order)
    # Rows (and so cells) are numbered in key order: the result does not depend on row order.
    is_count_row = pl.col("numerator").is_not_null() | pl.col("denominator").is_not_null()
    count_rows = indexed.filter(is_count_row).sort([*INDICATOR_KEYS, order])
    derived_rows = indexed.filter(~is_count_row)

    resolved = _resolve_aliases(_row_cell_keys(count_rows, layout_of))
    cells = _build_cells(resolved)

    def key_of(position: int, role: Role) -> int | None:
        entry = resolved[position].get(role)
        return cells.index[entry[0]] if entry else None

    relations: set[Relation] = set()
    _across_trust_relations(cells, icb_code, relations)
    _partition_relations(cells, count_rows, layout_of, key_of, relations)

    primary = _primary_reasons(count_rows, layout_of, settings)
    result = suppress(
        cells.values,
        sorted(relations, key=lambda r: (r.total, r.members)),
        primary != None,  # noqa: E711 - elementwise on an object array
        item_cells=[tuple(cells.index[key] for key, _ in row.values()) for row in resolved],
    )
    decided = count_rows.select(
        order,
        pl.Series("suppressed", result.suppressed, dtype=pl.Boolean),
        pl.Series(
            "suppression_reason",
            np.where(result.secondary, REASON_SECONDARY, primary).tolist(),
            dtype=pl.String,
        ),
    )
    flags = pl.concat([decided, _derived_flags(count_rows, derived_rows, decided, order)])
    controlled = indexed.join(flags, on=order, how="left").sort(order).drop(order)
    return _mask(controlled, masked_columns)


def _build_cells(resolved: list[dict[str, tuple[CellKey, float]]]) -> _Cells:
    cells = _Cells()
    entries = {entry for row in resolved for entry in row.values()}
    for key, value in sorted(entries, key=lambda entry: repr(entry[0])):
        cells.add(key, value)
    return cells


def _derived_flags(
    count_rows: pl.DataFrame, derived_rows: pl.DataFrame, decided: pl.DataFrame, order: str
) -> pl.DataFrame:
    """Comparison rows are suppressed (``derived``) when any row of their breakdown is."""
    breakdown_keys = ["org_code", "reporting_year", "metric_id", "breakdown"]
    by_breakdown = (
        count_rows.select(order, *breakdown_keys)
        .join(decided.select(order, "suppressed"), on=order)
        .group_by(breakdown_keys)
        .agg(pl.col("suppressed").any())
    )
    derived = derived_rows.select(order, *breakdown_keys).join(
        by_breakdown, on=breakdown_keys, how="left", nulls_equal=True
    )
    orphans = derived.filter(pl.col("suppressed").is_null())
    if not orphans.is_empty():
        example = orphans.row(0, named=True)
        raise ValueError(
            "a row without counts (a comparison row) has no count rows in its breakdown to be "
            f"checked against: {', '.join(str(example[k]) for k in breakdown_keys)}; run "
            "disclosure control on the complete rows and select the published ones afterwards"
        )
    return derived.select(
        order,
        pl.col("suppressed"),
        pl.when(pl.col("suppressed"))
        .then(pl.lit(REASON_DERIVED))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("suppression_reason"),
    )


def _mask(frame: pl.DataFrame, masked_columns: Sequence[str]) -> pl.DataFrame:
    hidden = pl.col("suppressed")
    masked = [
        pl.when(hidden).then(None).otherwise(pl.col(name)).alias(name)
        for name in masked_columns
        if name in frame.columns
    ]
    if "note" in frame.columns:
        masked.append(
            pl.when(hidden).then(pl.lit(SUPPRESSED_NOTE)).otherwise(pl.col("note")).alias("note")
        )
    return frame.with_columns(masked)
