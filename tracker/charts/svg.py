"""A small vector renderer: a `tracker.charts.figures.Chart` drawn as an SVG element for the PDF.

The same chart objects feed the plotly pages, so the report shows exactly the series the
care team sees on screen. No browser and no plotting library are needed on the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tracker.charts.figures import Chart, Kind, Series, week_ticks
from tracker.trends.wording import number

WIDTH = 680
PLOT_HEIGHT = 190
MARGIN_LEFT = 40
MARGIN_RIGHT = 10
MARGIN_TOP = 8
AXIS_HEIGHT = 34
LEGEND_ROW = 16
FONT = 'font-family="DejaVu Sans, sans-serif"'


@dataclass(frozen=True)
class Frame:
    """Maps chart values to SVG coordinates."""

    first: date
    last: date
    low: float
    high: float
    slots: int  # bar charts: one slot per chart day; 0 for dated x

    @property
    def plot_width(self) -> float:
        return WIDTH - MARGIN_LEFT - MARGIN_RIGHT

    def x_of_day(self, day: date) -> float:
        span = max((self.last - self.first).days, 1)
        return MARGIN_LEFT + (day - self.first).days / span * self.plot_width

    def x_of_slot(self, index: int) -> float:
        return MARGIN_LEFT + (index + 0.5) * self.plot_width / max(self.slots, 1)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1
        share = (min(max(value, self.low), self.high) - self.low) / span
        return MARGIN_TOP + (1 - share) * PLOT_HEIGHT


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _frame(chart: Chart) -> Frame:
    bars = any(series.kind == Kind.BARS for series in chart.series)
    if chart.y_range is not None:
        low, high = chart.y_range
    else:
        values = [
            value
            for series in chart.series
            if series.kind != Kind.FLAGS
            for value in series.values
            if value is not None
        ] + _stacked_tops(chart)
        low, high = 0.0, max([*values, 1.0]) * 1.1
    first = min(chart.period.start, *chart.days) if chart.days else chart.period.start
    last = max(chart.period.end, *chart.days) if chart.days else chart.period.end
    return Frame(first, last, float(low), float(high), len(chart.days) if bars else 0)


def _stacked_tops(chart: Chart) -> list[float]:
    if not chart.stacked:
        return []
    bars = [s for s in chart.series if s.kind == Kind.BARS]
    return [sum(s.values[i] or 0 for s in bars) for i in range(len(chart.days))]


TICK_STEPS = (0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values from low to high: at most `most` + 1 of them."""
    span = high - low
    step = next((s for s in TICK_STEPS if span / s <= most), TICK_STEPS[-1])
    value = math.ceil(low / step) * step
    ticks = []
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _axes(chart: Chart, frame: Frame) -> list[str]:
    parts = []
    bottom = MARGIN_TOP + PLOT_HEIGHT
    for value in nice_ticks(frame.low, frame.high):
        y = frame.y(value)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{_fmt(y)}" x2="{WIDTH - MARGIN_RIGHT}" '
            f'y2="{_fmt(y)}" stroke="#d0d5dc" stroke-width="0.5"/>'
            f'<text x="{MARGIN_LEFT - 4}" y="{_fmt(y + 3)}" text-anchor="end" font-size="8" '
            f"{FONT}>{escape(number(value))}</text>"
        )
    positions, labels = week_ticks(chart, max_ticks=12)
    for iso, label in zip(positions, labels, strict=True):
        day = date.fromisoformat(iso)
        if frame.slots:
            if day not in chart.days:
                continue
            x = frame.x_of_slot(chart.days.index(day))
        else:
            if not frame.first <= day <= frame.last:
                continue
            x = frame.x_of_day(day)
        parts.append(
            f'<line x1="{_fmt(x)}" y1="{bottom}" x2="{_fmt(x)}" y2="{bottom + 3}" '
            f'stroke="#4a5360" stroke-width="0.5"/>'
            f'<text x="{_fmt(x)}" y="{bottom + 12}" text-anchor="middle" font-size="8" '
            f"{FONT}>{escape(label)}</text>"
        )
    parts.append(
        f'<line x1="{MARGIN_LEFT}" y1="{bottom}" x2="{WIDTH - MARGIN_RIGHT}" y2="{bottom}" '
        f'stroke="#4a5360" stroke-width="0.8"/>'
        f'<text x="{MARGIN_LEFT + frame.plot_width / 2}" y="{bottom + 25}" text-anchor="middle" '
        f'font-size="8" {FONT}>{escape(_("Weeks since surgery"))}</text>'
        f'<text x="9" y="{MARGIN_TOP + PLOT_HEIGHT / 2}" font-size="8" text-anchor="middle" '
        f'transform="rotate(-90 9 {MARGIN_TOP + PLOT_HEIGHT / 2})" {FONT}>'
        f"{escape(chart.y_title)}</text>"
    )
    return parts


def _x(chart: Chart, frame: Frame, index: int) -> float:
    return frame.x_of_slot(index) if frame.slots else frame.x_of_day(chart.days[index])


def _line(chart: Chart, frame: Frame, series: Series, dash: str = "") -> str:
    segments: list[str] = []
    pen_down = False
    for index, value in enumerate(series.values):
        if value is None:
            pen_down = False
            continue
        command = "L" if pen_down else "M"
        segments.append(f"{command}{_fmt(_x(chart, frame, index))} {_fmt(frame.y(value))}")
        pen_down = True
    if not segments:
        return ""
    width = "1.6" if series.kind == Kind.LINE else "1"
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<path d="{" ".join(segments)}" fill="none" stroke={quoteattr(series.color)} '
        f'stroke-width="{width}"{dashes}/>'
    )


def _points(chart: Chart, frame: Frame, series: Series) -> str:
    # One path of round dots rather than an element per day: a year is 365 dots, and the
    # PDF renderer's cost grows with the number of elements.
    dots = " ".join(
        f"M{_fmt(_x(chart, frame, i))} {_fmt(frame.y(v))}h0.1"
        for i, v in enumerate(series.values)
        if v is not None
    )
    if not dots:
        return ""
    return (
        f'<path d="{dots}" fill="none" stroke={quoteattr(series.color)} stroke-width="2.8" '
        'stroke-linecap="round" stroke-opacity="0.55"/>'
    )


def _band(chart: Chart, frame: Frame, high: Series, low: Series) -> str:
    upper, lower = [], []
    for index, (top, bottom) in enumerate(zip(high.values, low.values, strict=True)):
        if top is None or bottom is None:
            continue
        x = _fmt(_x(chart, frame, index))
        upper.append(f"{x},{_fmt(frame.y(top))}")
        lower.append(f"{x},{_fmt(frame.y(bottom))}")
    if not upper:
        return ""
    points = " ".join(upper + lower[::-1])
    fill = _solid(high.color)
    return f'<polygon points="{points}" fill="{fill}" fill-opacity="0.14" stroke="none"/>'


def _bars(chart: Chart, frame: Frame, bars: list[Series]) -> str:
    width = frame.plot_width / max(frame.slots, 1) * 0.7
    each = width if chart.stacked else width / max(len(bars), 1)
    parts = []
    base = [0.0] * len(chart.days)
    for position, series in enumerate(bars):
        for index, value in enumerate(series.values):
            if not value:
                continue
            start = base[index] if chart.stacked else 0.0
            left = _x(chart, frame, index) - width / 2 + (0 if chart.stacked else position * each)
            top, bottom = frame.y(start + value), frame.y(start)
            parts.append(
                f'<rect x="{_fmt(left)}" y="{_fmt(top)}" width="{_fmt(each)}" '
                f'height="{_fmt(max(bottom - top, 0))}" fill={quoteattr(series.color)}/>'
            )
            if chart.stacked:
                base[index] += value
    return "".join(parts)


def _flags(chart: Chart, frame: Frame, series: Series) -> str:
    parts = []
    for index, value in enumerate(series.values):
        if value is None:
            continue
        x, y = _x(chart, frame, index), frame.y(value)
        parts.append(
            f'<path d="M{_fmt(x - 4)} {_fmt(y - 4)} L{_fmt(x + 4)} {_fmt(y - 4)} '
            f'L{_fmt(x)} {_fmt(y + 3)} Z" fill={quoteattr(series.color)}/>'
        )
    return "".join(parts)


def _legend(series: list[Series], top: float) -> tuple[str, int]:
    parts, x, row = [], float(MARGIN_LEFT), 0
    seen: set[str] = set()
    for item in series:
        if item.label in seen:
            continue
        seen.add(item.label)
        width = 22 + 5.2 * len(item.label)
        if x + width > WIDTH - MARGIN_RIGHT:
            row += 1
            x = MARGIN_LEFT
        y = top + row * LEGEND_ROW
        dash = ' stroke-dasharray="4 3"' if item.kind == Kind.REFERENCE else ""
        parts.append(
            f'<line x1="{_fmt(x)}" y1="{_fmt(y)}" x2="{_fmt(x + 14)}" y2="{_fmt(y)}" '
            f'stroke={quoteattr(_solid(item.color))} stroke-width="3"{dash}/>'
            f'<text x="{_fmt(x + 18)}" y="{_fmt(y + 3)}" font-size="8" {FONT}>'
            f"{escape(item.label)}</text>"
        )
        x += width
    return "".join(parts), row + 1


def _solid(color: str) -> str:
    """An rgba() colour as the #rrggbb of its red, green and blue (SVG takes opacity apart)."""
    if not color.startswith("rgba("):
        return color
    red, green, blue = (int(part) for part in color[5:-1].split(",")[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def chart_svg(chart: Chart) -> SafeString:
    """The chart as an inline <svg> element (all text escaped), sized for an A4/Letter page."""
    frame = _frame(chart)
    body = _axes(chart, frame)
    by_key = {series.key: series for series in chart.series}
    for band in ("clinic-band", "band"):
        if f"{band}-high" in by_key and f"{band}-low" in by_key:
            body.append(_band(chart, frame, by_key[f"{band}-high"], by_key[f"{band}-low"]))
    bars = [series for series in chart.series if series.kind == Kind.BARS]
    if bars:
        body.append(_bars(chart, frame, bars))
    for series in chart.series:
        if series.kind == Kind.REFERENCE:
            body.append(_line(chart, frame, series, dash="5 3"))
        elif series.kind == Kind.POINTS:
            body.append(_points(chart, frame, series))
        elif series.kind == Kind.LINE:
            body.append(_line(chart, frame, series))
        elif series.kind == Kind.FLAGS:
            body.append(_flags(chart, frame, series))
    legend_top = MARGIN_TOP + PLOT_HEIGHT + AXIS_HEIGHT
    shown = [s for s in chart.series if s.kind != Kind.BAND_HIGH]
    legend, rows = _legend(shown, legend_top)
    height = legend_top + rows * LEGEND_ROW
    return mark_safe(  # noqa: S308 - every text above is escaped, every attribute quoted
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label={quoteattr(chart.description)}>'
        f"{''.join(body)}{legend}</svg>"
    )


SPARK_WIDTH, SPARK_HEIGHT = 84, 24


def sparkline_svg(
    series: list[tuple[str, str, list[float | None]]], description: str
) -> SafeString:
    """A small inline chart of a few 0–10 series over the same days (one point per day, a
    missing day breaks the line), for lists. `series` holds (label, colour, values)."""
    days = max((len(values) for _label, _color, values in series), default=0)
    step = SPARK_WIDTH / max(days - 1, 1)
    lines = []
    for _label, color, values in series:
        runs, run = [], []
        for index, value in enumerate(values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            y = SPARK_HEIGHT - 2 - (SPARK_HEIGHT - 4) * max(0.0, min(float(value), 10.0)) / 10
            run.append(f"{_fmt(index * step)},{_fmt(y)}")
        if run:
            runs.append(run)
        for points in runs:
            if len(points) == 1:
                x, y = points[0].split(",")
                lines.append(f'<circle cx="{x}" cy="{y}" r="1.6" fill={quoteattr(color)}/>')
            else:
                lines.append(
                    f'<polyline points="{" ".join(points)}" fill="none" '
                    f'stroke={quoteattr(color)} stroke-width="1.6"/>'
                )
    return mark_safe(  # noqa: S308 - numbers and escaped text only
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{SPARK_WIDTH}" '
        f'height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" role="img" '
        f"aria-label={quoteattr(description)}>{''.join(lines)}</svg>"
    )
