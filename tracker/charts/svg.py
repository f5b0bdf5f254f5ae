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

FONT = 'font-family="DejaVu Sans, sans-serif"'


@dataclass(frozen=True)
class Layout:
    """Sizes in SVG units. The drawing scales to its box, text with it."""

    width: int
    plot_height: int
    margin_left: int
    margin_right: int
    margin_top: int
    axis_height: int
    legend_row: int
    font_size: float
    dot: float  # diameter of a day's point

    @property
    def char_width(self) -> float:
        """About the width of one character of the legend's text."""
        return self.font_size * 0.65


# Sized for an A4/Letter page (the PDF report).
PRINT = Layout(680, 190, 40, 10, 8, 34, 16, 8, 2.8)
# Sized for a phone held upright (the trends pages draw this first, plotly on a tap): at
# 360 px wide its text is about the size of the page's small print.
SCREEN = Layout(360, 190, 34, 8, 8, 40, 19, 11, 3.4)


@dataclass(frozen=True)
class Frame:
    """Maps chart values to SVG coordinates."""

    first: date
    last: date
    low: float
    high: float
    slots: int  # bar charts: one slot per chart day; 0 for dated x
    layout: Layout = PRINT

    @property
    def plot_width(self) -> float:
        return self.layout.width - self.layout.margin_left - self.layout.margin_right

    def x_of_day(self, day: date) -> float:
        span = max((self.last - self.first).days, 1)
        return self.layout.margin_left + (day - self.first).days / span * self.plot_width

    def x_of_slot(self, index: int) -> float:
        return self.layout.margin_left + (index + 0.5) * self.plot_width / max(self.slots, 1)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1
        share = (min(max(value, self.low), self.high) - self.low) / span
        return self.layout.margin_top + (1 - share) * self.layout.plot_height


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _frame(chart: Chart, layout: Layout = PRINT) -> Frame:
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
    return Frame(first, last, float(low), float(high), len(chart.days) if bars else 0, layout)


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
    layout = frame.layout
    left, right = layout.margin_left, layout.width - layout.margin_right
    size = _num(layout.font_size)
    parts = []
    bottom = layout.margin_top + layout.plot_height
    for value in nice_ticks(frame.low, frame.high):
        y = frame.y(value)
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{right}" '
            f'y2="{_fmt(y)}" stroke="#d0d5dc" stroke-width="0.5"/>'
            f'<text x="{left - 4}" y="{_fmt(y + layout.font_size * 0.375)}" text-anchor="end" '
            f'font-size="{size}" {FONT}>{escape(number(value))}</text>'
        )
    positions, labels = week_ticks(chart, max_ticks=12 if layout.width >= 600 else 6)
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
            f'<text x="{_fmt(x)}" y="{_num(bottom + 4 + layout.font_size)}" '
            f'text-anchor="middle" font-size="{size}" {FONT}>{escape(label)}</text>'
        )
    middle = layout.margin_top + layout.plot_height / 2
    title_x = _num(layout.font_size + 1)
    parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" '
        f'stroke="#4a5360" stroke-width="0.8"/>'
        f'<text x="{_fmt(left + frame.plot_width / 2)}" '
        f'y="{_num(bottom + 9 + 2 * layout.font_size)}" text-anchor="middle" '
        f'font-size="{size}" {FONT}>{escape(_("Weeks since surgery"))}</text>'
        f'<text x="{title_x}" y="{_fmt(middle)}" font-size="{size}" text-anchor="middle" '
        f'transform="rotate(-90 {title_x} {_fmt(middle)})" {FONT}>'
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
        f'<path d="{dots}" fill="none" stroke={quoteattr(series.color)} '
        f'stroke-width="{_num(frame.layout.dot)}" '
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


def _legend(series: list[Series], top: float, layout: Layout = PRINT) -> tuple[str, int]:
    parts, x, row = [], float(layout.margin_left), 0
    seen: set[str] = set()
    for item in series:
        if item.label in seen:
            continue
        seen.add(item.label)
        width = 22 + layout.char_width * len(item.label)
        if x + width > layout.width - layout.margin_right and x > layout.margin_left:
            row += 1
            x = layout.margin_left
        y = top + row * layout.legend_row
        dash = ' stroke-dasharray="4 3"' if item.kind == Kind.REFERENCE else ""
        parts.append(
            f'<line x1="{_fmt(x)}" y1="{_fmt(y)}" x2="{_fmt(x + 14)}" y2="{_fmt(y)}" '
            f'stroke={quoteattr(_solid(item.color))} stroke-width="3"{dash}/>'
            f'<text x="{_fmt(x + 18)}" y="{_fmt(y + layout.font_size * 0.375)}" '
            f'font-size="{_num(layout.font_size)}" {FONT}>{escape(item.label)}</text>'
        )
        x += width
    return "".join(parts), row + 1


def _num(value: float) -> str:
    return f"{value:g}"


def _solid(color: str) -> str:
    """An rgba() colour as the #rrggbb of its red, green and blue (SVG takes opacity apart)."""
    if not color.startswith("rgba("):
        return color
    red, green, blue = (int(part) for part in color[5:-1].split(",")[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"


def chart_svg(chart: Chart, layout: Layout = PRINT, *, label: bool = True) -> SafeString:
    """The chart as an inline <svg> element (all text escaped), sized for an A4/Letter page
    by default, or for a phone with `SCREEN`. Without `label` the drawing is hidden from
    screen readers: the element around it then carries the text alternative."""
    frame = _frame(chart, layout)
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
    legend_top = layout.margin_top + layout.plot_height + layout.axis_height
    shown = [s for s in chart.series if s.kind != Kind.BAND_HIGH]
    legend, rows = _legend(shown, legend_top, layout)
    height = legend_top + rows * layout.legend_row
    if label:
        names = f'role="img" aria-label={quoteattr(chart.description)}'
    else:
        names = 'aria-hidden="true" focusable="false"'
    return mark_safe(  # noqa: S308 - every text above is escaped, every attribute quoted
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width} {height}" '
        f'width="{layout.width}" height="{height}" {names}>'
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
