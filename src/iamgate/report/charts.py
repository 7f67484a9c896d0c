"""Geometry of the page's inline SVG charts, computed here and drawn by the template.

Only numbers and labels leave this module; the template writes the SVG elements (with
autoescaping), so no markup is ever built by string concatenation. Coordinates are rounded to
one decimal so the output is stable and small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from math import floor, log10

from iamgate.model.history import HistoryEntry


def _r(x: float) -> float:
    return round(x, 1)


def nice_ticks(maximum: int, most: int = 5) -> tuple[int, ...]:
    """0 and round steps (1, 2, 5 x 10^k) up to at least ``maximum``, at most ``most`` + 1."""
    if maximum <= 0:
        return (0, 1)
    raw = maximum / most
    base = 10 ** floor(log10(raw)) if raw >= 1 else 1
    step = next(m * base for m in (1, 2, 5, 10) if m * base >= raw)
    top = -(-maximum // step) * step
    return tuple(range(0, top + 1, step))


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str  # "new" or "expired": the CSS class that draws it
    x: float
    width: float
    value: int


MAX_LABEL = 15  # characters that fit left of the bars; longer labels are cut, with a tooltip


def short_label(label: str, most: int = MAX_LABEL) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str  # as drawn (cut to MAX_LABEL)
    full_label: str
    key: str  # CSS hook, e.g. the severity
    total: int
    y: float
    segments: tuple[Segment, ...]
    value_x: float  # where the number is written


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: tuple[BarRow, ...]

    @property
    def empty(self) -> bool:
        return not any(r.total for r in self.rows)


def bar_chart(
    rows: Sequence[tuple[str, str, Sequence[tuple[str, int]]]],
    *,
    width: int = 480,
    label_width: int = 110,
    row_height: int = 30,
    bar_height: int = 18,
) -> BarChart:
    """Horizontal stacked bars: ``rows`` of (label, key, [(kind, value), ...]), drawn in order,
    all on one scale (the largest total fills the bar area)."""
    value_room = 44
    area = width - label_width - value_room
    largest = max((sum(v for _, v in parts) for _, _, parts in rows), default=0) or 1
    out: list[BarRow] = []
    for i, (label, key, parts) in enumerate(rows):
        x = float(label_width)
        segments: list[Segment] = []
        for kind, value in parts:
            if value <= 0:
                continue
            w = max(area * value / largest, 2.0)
            segments.append(Segment(kind, _r(x), _r(w), value))
            x += w
        out.append(
            BarRow(
                label=short_label(label),
                full_label=label,
                key=key,
                total=sum(v for _, v in parts),
                y=_r(i * row_height + (row_height - bar_height) / 2),
                segments=tuple(segments),
                value_x=_r(x + 6),
            )
        )
    return BarChart(width, max(len(rows), 1) * row_height, label_width, bar_height, tuple(out))


@dataclass(frozen=True, slots=True)
class Series:
    key: str  # "new", "expired", "accepted"
    label: str
    points: str  # the polyline's "x,y x,y ..." (numbers only)
    dots: tuple[tuple[float, float, int, str], ...]  # (x, y, value, time label) when few runs
    last: int
    first: int


@dataclass(frozen=True, slots=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True, slots=True)
class XLabel:
    text: str
    x: float
    anchor: str  # "start", "middle" or "end"


@dataclass(frozen=True, slots=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    top: int
    bottom: int  # y of the plot's baseline
    ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    x_labels: tuple[XLabel, ...]
    runs: int
    first_time: str
    last_time: str


TREND_SERIES: tuple[tuple[str, str], ...] = (
    ("new", "New"),
    ("expired", "Expired"),
    ("accepted", "Accepted"),
)
MAX_TREND_RUNS = 400
_DOTS_UP_TO = 40


def _stamp(entry: HistoryEntry, form: str = "%Y-%m-%d %H:%M UTC") -> str:
    return f"{entry.time.astimezone(UTC):{form}}"


def line_chart(
    history: Sequence[HistoryEntry],
    *,
    width: int = 1100,
    height: int = 240,
    limit: int = MAX_TREND_RUNS,
) -> LineChart | None:
    """The trend of new, expired and accepted findings over the last ``limit`` runs; None when
    fewer than two runs were recorded (a trend needs two points)."""
    runs = list(history)[-limit:]
    if len(runs) < 2:
        return None
    left, right, top, bottom = 44, width - 16, 14, height - 30
    values = {key: [e.counts[key] for e in runs] for key, _ in TREND_SERIES}
    ticks = nice_ticks(max(max(v) for v in values.values()))
    top_value = ticks[-1]
    step = (right - left) / (len(runs) - 1)

    def xy(i: int, value: int) -> tuple[float, float]:
        return _r(left + i * step), _r(bottom - (bottom - top) * value / top_value)

    series = []
    for key, label in TREND_SERIES:
        coords = [xy(i, v) for i, v in enumerate(values[key])]
        dots = (
            tuple(
                (x, y, v, _stamp(runs[i]))
                for i, ((x, y), v) in enumerate(zip(coords, values[key], strict=True))
            )
            if len(runs) <= _DOTS_UP_TO
            else ((*coords[-1], values[key][-1], _stamp(runs[-1])),)
        )
        series.append(
            Series(
                key=key,
                label=label,
                points=" ".join(f"{x},{y}" for x, y in coords),
                dots=dots,
                last=values[key][-1],
                first=values[key][0],
            )
        )
    # The day under the axis; the time of day when every run was on the same day.
    same_day = _stamp(runs[0], "%Y-%m-%d") == _stamp(runs[-1], "%Y-%m-%d")
    form = "%H:%M UTC" if same_day else "%Y-%m-%d"
    labels = [
        XLabel(_stamp(runs[0], form), float(left), "start"),
        XLabel(_stamp(runs[-1], form), right, "end"),
    ]
    if len(runs) >= 5:
        mid = len(runs) // 2
        labels.insert(1, XLabel(_stamp(runs[mid], form), xy(mid, 0)[0], "middle"))
    return LineChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        ticks=tuple(Tick(t, xy(0, t)[1]) for t in ticks),
        series=tuple(series),
        x_labels=tuple(labels),
        runs=len(runs),
        first_time=_stamp(runs[0]),
        last_time=_stamp(runs[-1]),
    )
