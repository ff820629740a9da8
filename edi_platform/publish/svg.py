"""A small chart renderer: a scene (two axes, marks, a legend) written as inline SVG.

``charts`` describes each chart as a ``Scene``: the axes (label, linear or log,
fixed or automatic limits and ticks) and a list of marks in data coordinates:
``Lines`` (polylines sharing a stroke, optionally with markers), ``Points``,
``Rule`` (a line across the whole plot at one value) and ``Label`` (text next
to a data point). ``render(scene, id_prefix)`` lays it out the way the
matplotlib charts it replaces did (same figure sizes, 9 pt text, 10 pt title,
5% data margins, "nice" ticks, a legend to the right of the plot, a tight
bounding box padded by 0.1 inch) and returns the SVG string.

Guarantees of the output, relied on by the report:

* no ``<text>`` element and no input string anywhere in it: text is drawn as
  glyph outlines of DejaVu Sans (the font matplotlib ships, and the old charts
  used), read once per process with fontTools. Each glyph a chart uses is
  defined once in its ``<defs>`` and placed with ``<use>``;
* every ``id`` starts with ``f"{id_prefix}-"`` and every ``href`` points to
  one of them, so several charts can share a page;
* it starts with ``<svg``: no XML prolog, comment, metadata, namespace or
  other external reference (an inline HTML SVG needs no ``xmlns``; add one to
  use the SVG as a file or data URI). It is well-formed XML;
* deterministic: the same scene gives the same bytes. Coordinates are in
  points (1/72 inch), rounded to 2 decimals; the plot area's top left corner
  is (0, 0), so a mark's coordinates can be checked by hand.

Why not matplotlib: its figure machinery (text layout, tick formatters, legend
artists, glyph paths laid out again for every chart) took about 0.24 s of CPU a
chart, 22 s for the 92 charts of a year's page; written directly a chart takes
under 10 ms (most of it the funnel limits and polars).
"""

from __future__ import annotations

import functools
import importlib.util
import math
from dataclasses import dataclass, field
from pathlib import Path

# The layout of the matplotlib charts this replaces (rcParams and subplot defaults), in points.
POINTS_PER_INCH = 72.0
PLOT_FRACTION = (0.775, 0.77)  # of the figure: subplot right - left, top - bottom
FONT_SIZE = 9.0
TITLE_SIZE = 10.0
LEGEND_SIZE = 7.0
TICK_LENGTH = 3.5
TICK_PAD = 3.5
LABEL_PAD = 4.0
TITLE_PAD = 6.0
AXIS_WIDTH = 0.8
TIGHT_PAD = 7.2  # 0.1 inch around everything drawn, as matplotlib's bbox_inches="tight"
MARGIN = 0.05  # data margins on automatic limits
LINE_SPACING = 1.2
# Vertical font metrics in em: the height of "l" and depth of "p" (text boxes), cap
# height (centring labels on a tick or a legend marker) and the font's full ascent.
ASCENT, DESCENT, CAP_HEIGHT, FONT_ASCENT = 0.76, 0.24, 0.73, 0.93
DASHES = {"solid": (), "dashed": (3.7, 1.6), "dotted": (1.0, 1.65)}  # times the line width
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
LOG_SUBS = ((1, 1.5, 2, 3, 5), (1, 2, 5), (1, 3), (1,))
TICK_BINS = 8  # nice ticks: steps of at least 1/8 of the range, so 4 to 9 ticks
MAX_TICKS = 8  # log ticks
MINUS = "\u2212"  # a typographic minus in tick labels, as matplotlib's


# --- the scene ----------------------------------------------------------------------


@dataclass(frozen=True)
class Stroke:
    colour: str
    width: float = 1.5
    dash: str = "solid"  # a key of DASHES
    opacity: float = 1.0


@dataclass(frozen=True)
class Marker:
    shape: str  # a matplotlib marker letter: one of MARKER_SHAPES
    size: float  # across, in points (matplotlib's markersize)
    fill: str
    edge: str | None = "#000000"
    edge_width: float = 1.0


@dataclass
class Lines:
    """Polylines (``runs`` of (x, y) in data units) sharing one stroke: one path."""

    runs: list[list[tuple[float, float]]]
    stroke: Stroke
    marker: Marker | None = None  # drawn at every vertex
    label: str = ""  # its legend entry, if any


@dataclass
class Points:
    xy: list[tuple[float, float]]
    marker: Marker
    label: str = ""


@dataclass
class Rule:
    """A line across the plot at ``value``: horizontal on axis "y", vertical on "x"."""

    axis: str
    value: float
    stroke: Stroke
    label: str = ""


@dataclass
class Label:
    """``text`` by the point (x, y), moved ``offset`` points right and up (its baseline)."""

    x: float
    y: float
    text: str
    offset: tuple[float, float]
    size: float = FONT_SIZE


@dataclass
class Axis:
    label: str
    log: bool = False
    limits: tuple[float, float] | None = None  # else the data's, with margins
    ticks: tuple[tuple[float, str], ...] | None = None  # (value, label); else nice ticks


@dataclass
class Scene:
    size: tuple[float, float]  # the old matplotlib figure, inches: the plot is 77.5% x 77% of it
    x: Axis
    y: Axis
    title: str = ""  # lines separated by "\n"
    marks: list = field(default_factory=list)
    note: str = ""  # centred on the plot, when there is nothing to show

    def legend(self) -> list[str]:
        """The legend's entries, in the order the marks were added."""
        return [mark.label for mark in self.marks if getattr(mark, "label", "")]

    def labels(self) -> list[str]:
        return [mark.text for mark in self.marks if isinstance(mark, Label)]


# --- glyphs -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Font:
    units_per_em: int
    cmap: dict
    glyphs: object  # fontTools glyph set
    advances: dict
    kerning: dict
    order: dict  # glyph name -> glyph id, for element ids


@functools.cache
def _font() -> _Font:
    """matplotlib's own DejaVu Sans (the same glyphs on every machine, whatever fonts are
    installed), found without importing matplotlib, which takes almost half a second."""
    from fontTools.ttLib import TTFont

    package = Path(importlib.util.find_spec("matplotlib").origin).parent
    font = TTFont(package / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf", lazy=True)
    kerning = {}
    if "kern" in font:  # matplotlib (FreeType) kerns with this table, not GPOS
        for table in font["kern"].kernTables:
            kerning.update(getattr(table, "kernTable", {}))
    return _Font(
        units_per_em=font["head"].unitsPerEm,
        cmap=font.getBestCmap(),
        glyphs=font.getGlyphSet(),
        advances=font["hmtx"].metrics,
        kerning=kerning,
        order={name: i for i, name in enumerate(font.getGlyphOrder())},
    )


@functools.cache
def _glyph_name(char: str) -> str:
    return _font().cmap.get(ord(char), ".notdef")  # a missing glyph draws a box


@functools.cache
def glyph_path(name: str) -> str:
    """A glyph's outline in font units, y pointing down as in SVG ("" for a space)."""
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen

    pen = SVGPathPen(_font().glyphs)
    _font().glyphs[name].draw(TransformPen(pen, (1, 0, 0, -1, 0, 0)))
    return pen.getCommands()


@functools.lru_cache(maxsize=8192)
def layout(text: str) -> tuple[tuple[tuple[str, int], ...], int]:
    """Each glyph of ``text`` with its x in font units (advances and kerning), and the
    width: tick labels and trust codes repeat across charts, so laid out once."""
    font = _font()
    placed, x, previous = [], 0, None
    for char in text:
        name = _glyph_name(char)
        x += font.kerning.get((previous, name), 0)
        placed.append((name, x))
        x += font.advances[name][0]
        previous = name
    return tuple(placed), x


def text_width(text: str, size: float) -> float:
    return layout(text)[1] * size / _font().units_per_em


# --- numbers and ticks --------------------------------------------------------------


def number(value: float) -> str:
    """A coordinate for path data: 2 decimals, no trailing zeros, never "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def nice_ticks(low: float, high: float) -> tuple[list[float], int]:
    """Ticks at multiples of 1, 2, 2.5 or 5 x 10^k in [low, high], 4 to 9 of them (as
    matplotlib's AutoLocator, with 8 bins), and the decimals that label them exactly."""
    span = high - low
    if not (math.isfinite(span) and span > 0):
        return [], 0
    raw = span / TICK_BINS
    scale = 10.0 ** math.floor(math.log10(raw))
    # The smallest nice step of at least span / 8: at most twice that (2 to 2.5 is less),
    # so there are always 4 or more ticks in range.
    multiple = next(m for m in NICE_STEPS if m * scale >= raw * (1 - 1e-9))
    step = multiple * scale
    first = math.ceil(low / step - 1e-9)
    ticks = [round((first + i) * step, 12) for i in range(int(span / step) + 2)]
    ticks = [t + 0.0 for t in ticks if low - step * 1e-9 <= t <= high + step * 1e-9]  # no -0.0
    if multiple == 10.0:
        multiple, scale = 1.0, scale * 10
    decimals = max(0, -round(math.log10(scale)) + (1 if multiple == 2.5 else 0))
    return ticks, decimals


def tick_label(value: float, decimals: int) -> str:
    text = f"{abs(value):.{decimals}f}"
    return MINUS + text if value < 0 and float(text) != 0 else text


def log_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Ticks on a log axis (limits given as values): 1, 1.5, 2, 3, 5 x 10^k, thinned to
    1, 2, 5 and so on for wide ranges; linear nice ticks for a narrow range."""
    if not (0 < low < high):
        return []
    decades = range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
    for subs in LOG_SUBS:
        ticks = [round(s * 10.0**k, 12) for k in decades for s in subs]
        ticks = [t for t in ticks if low <= t <= high]
        if len(ticks) <= MAX_TICKS:
            break
    ticks = ticks[:: math.ceil(len(ticks) / MAX_TICKS) or 1]  # decades apart: every few
    if len(ticks) >= 3:
        return [(t, f"{t:g}") for t in ticks]
    linear, decimals = nice_ticks(low, high)
    return [(t, tick_label(t, decimals)) for t in linear]


# --- marker outlines ----------------------------------------------------------------

_PLUS = [(-1, -3), (1, -3), (1, -1), (3, -1), (3, 1), (1, 1), (1, 3), (-1, 3), (-1, 1), (-3, 1)]
_PLUS += [(-3, -1), (-1, -1)]
_CROSS = [(-1, -2), (0, -1), (1, -2), (2, -1), (1, 0), (2, 1), (1, 2), (0, 1), (-1, 2), (-2, 1)]
_CROSS += [(-1, 0), (-2, -1)]
_HALF_DIAGONAL = math.sqrt(0.5)
# matplotlib's filled markers, 1 across (markersize 1), y pointing down as in SVG
MARKER_SHAPES = {
    "s": [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)],
    "^": [(0, -0.5), (-0.5, 0.5), (0.5, 0.5)],
    "v": [(0, 0.5), (-0.5, -0.5), (0.5, -0.5)],
    "<": [(-0.5, 0), (0.5, -0.5), (0.5, 0.5)],
    ">": [(0.5, 0), (-0.5, -0.5), (-0.5, 0.5)],
    "D": [(0, -_HALF_DIAGONAL), (_HALF_DIAGONAL, 0), (0, _HALF_DIAGONAL), (-_HALF_DIAGONAL, 0)],
    "P": [(x / 6, y / 6) for x, y in _PLUS],
    "X": [(x / 4, y / 4) for x, y in _CROSS],
    "h": [(0.5 * math.sin(a * math.pi / 3), -0.5 * math.cos(a * math.pi / 3)) for a in range(6)],
}


def marker_path(shape: str, size: float) -> str:
    if shape == "o":
        r = number(size / 2)
        return f"M{r} 0A{r} {r} 0 1 0 -{r} 0A{r} {r} 0 1 0 {r} 0Z"
    corners = MARKER_SHAPES[shape]
    return "M" + "L".join(f"{number(x * size)} {number(y * size)}" for x, y in corners) + "Z"


# --- scales -------------------------------------------------------------------------


class _Scale:
    """Data values to points along one axis (y grows downwards in SVG)."""

    def __init__(self, axis: Axis, values: list[float], length: float, downwards: bool):
        self.axis, self.log, self.length, self.downwards = axis, axis.log, length, downwards
        if axis.limits is not None:
            self.low, self.high = self.transform(axis.limits[0]), self.transform(axis.limits[1])
        else:
            self.low, self.high = _auto_limits([self.transform(v) for v in values])

    def transform(self, value: float) -> float:
        if self.log:
            return math.log10(value) if value > 0 else math.nan
        return value

    def __call__(self, value: float) -> float:
        fraction = (self.transform(value) - self.low) / (self.high - self.low)
        return self.length * (1.0 - fraction if self.downwards else fraction)

    def ticks(self) -> list[tuple[float, str]]:
        """(value, label) of each tick within the limits."""
        if self.axis.ticks is not None:
            return [(v, text) for v, text in self.axis.ticks if self.inside(v)]
        if self.log:
            return log_ticks(10.0**self.low, 10.0**self.high)
        values, decimals = nice_ticks(self.low, self.high)
        return [(v, tick_label(v, decimals)) for v in values]

    def inside(self, value: float) -> bool:
        at = self(value)
        return -0.01 <= at <= self.length + 0.01


def _auto_limits(values: list[float]) -> tuple[float, float]:
    """The data's range widened by 5% each side (matplotlib's margins); a single value
    is first widened by 5% of itself, and no data at all shows 0 to 1."""
    values = [v for v in values if math.isfinite(v)]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if high - low <= 1e-12 * max(abs(low), abs(high), 1e-300):
        low, high = (low - 0.05 * abs(low), high + 0.05 * abs(high)) if low else (-0.05, 0.05)
    pad = (high - low) * MARGIN
    return low - pad, high + pad


def _data_values(marks: list, axis: str) -> list[float]:
    """Everything plotted along ``axis`` ("x" or "y"): what the automatic limits cover."""
    index = 0 if axis == "x" else 1
    values = []
    for mark in marks:
        if isinstance(mark, Lines):
            values += [point[index] for run in mark.runs for point in run]
        elif isinstance(mark, Points):
            values += [point[index] for point in mark.xy]
        elif isinstance(mark, Rule) and mark.axis == axis:
            values.append(mark.value)
    return values


# --- the canvas ---------------------------------------------------------------------


class _Canvas:
    """SVG elements in points, the glyphs and markers they use, and their bounding box."""

    def __init__(self, id_prefix: str):
        self.prefix = id_prefix
        self.body: list[str] = []
        self.glyphs: set[str] = set()
        self.markers: dict[Marker, int] = {}
        self.box = [math.inf, math.inf, -math.inf, -math.inf]

    def extend(self, x0: float, y0: float, x1: float, y1: float) -> None:
        box = self.box
        box[0], box[1] = min(box[0], x0, x1), min(box[1], y0, y1)
        box[2], box[3] = max(box[2], x0, x1), max(box[3], y0, y1)

    def polyline(self, runs: list[list[tuple[float, float]]], stroke: Stroke) -> None:
        """Runs in points; a non-finite point breaks a run (a masked value)."""
        parts = []
        for run in runs:
            command = "M"
            for x, y in run:
                if not (math.isfinite(x) and math.isfinite(y)):
                    command = "M"
                    continue
                parts.append(f"{command}{number(x)} {number(y)}")
                command = "L" if command == "M" else " "
            finite = [(x, y) for x, y in run if math.isfinite(x) and math.isfinite(y)]
            if finite:
                xs, ys = [x for x, _ in finite], [y for _, y in finite]
                self.extend(min(xs), min(ys), max(xs), max(ys))
        if parts:
            self.body.append(f'<path d="{"".join(parts)}" fill="none"{_stroke(stroke)}/>')

    def marker(self, x: float, y: float, marker: Marker) -> None:
        if not (math.isfinite(x) and math.isfinite(y)):
            return
        index = self.markers.setdefault(marker, len(self.markers))
        self.body.append(f'<use href="#{self.prefix}-m{index}" x="{number(x)}" y="{number(y)}"/>')
        half = marker.size * (_HALF_DIAGONAL if marker.shape == "D" else 0.5) + marker.edge_width
        self.extend(x - half, y - half, x + half, y + half)

    def text(self, x: float, y: float, text: str, size: float, align: float = 0.0) -> None:
        """``text`` on the baseline through (x, y): align 0 starts it there, 0.5 centres it."""
        if not (math.isfinite(x) and math.isfinite(y)):
            return  # the label of a point a log axis cannot show
        placed, width = layout(text)
        scale = size / _font().units_per_em
        left = x - align * width * scale
        self._glyphs(placed, f"translate({number(left)} {number(y)}) scale({scale:.6g})")
        self.extend(left, y - FONT_ASCENT * size, left + width * scale, y + DESCENT * size)

    def upright_text(self, x: float, y: float, text: str, size: float) -> None:
        """``text`` reading upwards, centred on y, its baseline the vertical line at x."""
        placed, width = layout(text)
        scale = size / _font().units_per_em
        start = y + width * scale / 2
        transform = f"translate({number(x)} {number(start)}) rotate(-90) scale({scale:.6g})"
        self._glyphs(placed, transform)
        self.extend(x - FONT_ASCENT * size, start - width * scale, x + DESCENT * size, start)

    def _glyphs(self, placed, transform: str) -> None:
        uses = []
        for name, x in placed:
            if glyph_path(name):
                self.glyphs.add(name)
                at = f' x="{x}"' if x else ""
                uses.append(f'<use href="#{self.prefix}-g{_font().order[name]}"{at}/>')
        if uses:
            self.body.append(f'<g transform="{transform}">{"".join(uses)}</g>')

    def svg(self) -> str:
        x0, y0, x1, y1 = self.box
        x0, y0 = math.floor((x0 - TIGHT_PAD) * 100) / 100, math.floor((y0 - TIGHT_PAD) * 100) / 100
        width = math.ceil((x1 + TIGHT_PAD - x0) * 100) / 100
        height = math.ceil((y1 + TIGHT_PAD - y0) * 100) / 100
        size = f"{number(x0)} {number(y0)} {number(width)} {number(height)}"
        glyphs = sorted(self.glyphs, key=_font().order.__getitem__)
        defs = [
            f'<path id="{self.prefix}-g{_font().order[name]}" d="{glyph_path(name)}"/>'
            for name in glyphs
        ] + [
            f'<path id="{self.prefix}-m{index}" d="{marker_path(m.shape, m.size)}"'
            f' fill="{m.fill}"{_edge(m)}/>'
            for m, index in self.markers.items()
        ]
        background = f'<rect x="{number(x0)}" y="{number(y0)}" width="{number(width)}"'
        background += f' height="{number(height)}" fill="#ffffff"/>'
        return (
            f'<svg width="{number(width)}pt" height="{number(height)}pt" viewBox="{size}">'
            f"<defs>{''.join(defs)}</defs>{background}{''.join(self.body)}</svg>"
        )


def _stroke(stroke: Stroke) -> str:
    out = f' stroke="{stroke.colour}" stroke-width="{number(stroke.width)}"'
    if DASHES[stroke.dash]:
        dashes = " ".join(number(d * stroke.width) for d in DASHES[stroke.dash])
        out += f' stroke-dasharray="{dashes}"'
    if stroke.opacity != 1.0:
        out += f' stroke-opacity="{number(stroke.opacity)}"'
    return out


def _edge(marker: Marker) -> str:
    if not marker.edge:
        return ""
    return f' stroke="{marker.edge}" stroke-width="{number(marker.edge_width)}"'


# --- rendering ----------------------------------------------------------------------


def plot_size(scene: Scene) -> tuple[float, float]:
    """The plot area in points: the old figure's size times matplotlib's subplot fractions."""
    return (
        scene.size[0] * POINTS_PER_INCH * PLOT_FRACTION[0],
        scene.size[1] * POINTS_PER_INCH * PLOT_FRACTION[1],
    )


def _scales(scene: Scene) -> tuple[_Scale, _Scale]:
    width, height = plot_size(scene)
    x = _Scale(scene.x, _data_values(scene.marks, "x"), width, downwards=False)
    y = _Scale(scene.y, _data_values(scene.marks, "y"), height, downwards=True)
    return x, y


def ticks(scene: Scene) -> tuple[list[tuple[float, str]], list[tuple[float, str]]]:
    """The (value, label) ticks the scene's x and y axes get."""
    x, y = _scales(scene)
    return x.ticks(), y.ticks()


def render(scene: Scene, id_prefix: str) -> str:
    """The scene as an inline SVG string (see the module docstring)."""
    x, y = _scales(scene)
    canvas = _Canvas(id_prefix)
    for mark in scene.marks:  # in order: later marks are drawn on top
        _draw(canvas, mark, x, y)
    _axes(canvas, scene.x.label, scene.y.label, x, y)
    for mark in scene.marks:  # labels above every line and marker, as matplotlib's texts
        if isinstance(mark, Label):
            dx, dy = mark.offset
            canvas.text(x(mark.x) + dx, y(mark.y) - dy, mark.text, mark.size)
    if scene.note:
        middle = y.length / 2 + CAP_HEIGHT * FONT_SIZE / 2
        canvas.text(x.length / 2, middle, scene.note, FONT_SIZE, align=0.5)
    _legend(canvas, scene.marks, x.length, y.length)
    _title(canvas, scene.title)
    return canvas.svg()


def _draw(canvas: _Canvas, mark, x: _Scale, y: _Scale) -> None:
    width, height = x.length, y.length
    if isinstance(mark, Lines):
        runs = [[(x(a), y(b)) for a, b in run] for run in mark.runs]
        canvas.polyline(runs, mark.stroke)
        for run in runs if mark.marker else []:
            for a, b in run:
                canvas.marker(a, b, mark.marker)
    elif isinstance(mark, Points):
        for a, b in mark.xy:
            canvas.marker(x(a), y(b), mark.marker)
    elif isinstance(mark, Rule):
        if mark.axis == "y":
            canvas.polyline([[(0.0, y(mark.value)), (width, y(mark.value))]], mark.stroke)
        else:
            canvas.polyline([[(x(mark.value), 0.0), (x(mark.value), height)]], mark.stroke)


def _axes(canvas: _Canvas, x_label: str, y_label: str, x: _Scale, y: _Scale) -> None:
    """Left and bottom spines, outward ticks with their labels, and the axis labels."""
    width, height = x.length, y.length
    axis = Stroke("#000000", AXIS_WIDTH)
    canvas.polyline([[(0.0, 0.0), (0.0, height), (width, height)]], axis)
    tick_marks = []
    label_top = height + TICK_LENGTH + TICK_PAD
    for value, text in x.ticks():
        tick_marks.append([(x(value), height), (x(value), height + TICK_LENGTH)])
        canvas.text(x(value), label_top + ASCENT * FONT_SIZE, text, FONT_SIZE, 0.5)
    widest = 0.0
    for value, text in y.ticks():
        tick_marks.append([(0.0, y(value)), (-TICK_LENGTH, y(value))])
        baseline = y(value) + CAP_HEIGHT * FONT_SIZE / 2
        canvas.text(-TICK_LENGTH - TICK_PAD, baseline, text, FONT_SIZE, 1.0)
        widest = max(widest, text_width(text, FONT_SIZE))
    canvas.polyline(tick_marks, axis)
    if x_label:
        top = label_top + (ASCENT + DESCENT) * FONT_SIZE + LABEL_PAD
        canvas.text(width / 2, top + ASCENT * FONT_SIZE, x_label, FONT_SIZE, 0.5)
    if y_label:
        right = -TICK_LENGTH - TICK_PAD - widest - LABEL_PAD
        canvas.upright_text(right - DESCENT * FONT_SIZE, height / 2, y_label, FONT_SIZE)


def _title(canvas: _Canvas, title: str) -> None:
    """Left-aligned over the plot, its last line 6 pt above it, earlier lines above that."""
    lines = title.split("\n") if title else []
    baseline = -TITLE_PAD - DESCENT * TITLE_SIZE
    for i, line in enumerate(reversed(lines)):
        canvas.text(0.0, baseline - i * LINE_SPACING * TITLE_SIZE, line, TITLE_SIZE)


def _legend(canvas: _Canvas, marks: list, width: float, height: float) -> None:
    """matplotlib's legend at "center left" of (1, 0.5), frameless, 7 pt: a handle
    14 pt long, then the label; one row every 10.5 pt, centred on the plot."""
    entries = [mark for mark in marks if getattr(mark, "label", "")]
    left = width + 0.9 * LEGEND_SIZE  # border axes pad and border pad
    handle = 2.0 * LEGEND_SIZE
    pitch = 1.5 * LEGEND_SIZE
    for i, mark in enumerate(entries):
        middle = height / 2 + (i - (len(entries) - 1) / 2) * pitch
        if isinstance(mark, Lines | Rule):
            canvas.polyline([[(left, middle), (left + handle, middle)]], mark.stroke)
        marker = mark.marker if isinstance(mark, Lines | Points) else None
        if marker:
            canvas.marker(left + handle / 2, middle, marker)
        text_left = left + handle + 0.8 * LEGEND_SIZE
        canvas.text(text_left, middle + CAP_HEIGHT * LEGEND_SIZE / 2, mark.label, LEGEND_SIZE)
