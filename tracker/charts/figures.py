"""Charts as plain data, rendered as Chart.js-shaped JSON, plotly figure specs and tables.

A `Chart` (built from a patient's trends by `tracker.charts.patient_charts`) is rendered three ways:
`chartjs_data` (the JSON of the chart data endpoints), `plotly_figure` (a plain-dict figure
drawn by static/js/charts.js) and `table` (the accessible alternative shown under every
chart). No database, no request.

The x axis is dated, with ticks labelled in weeks since surgery (week 0 = the day of surgery
and the 6 days after it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tracker.trends.wording import number


class Kind(StrEnum):
    POINTS = "points"  # one marker per recorded day
    LINE = "line"  # a trend line (7-day mean, scores over time)
    REFERENCE = "reference"  # a constant line: baseline, meaningful improvement
    BAND_LOW = "band-low"  # lower and upper edge of the typical-recovery band
    BAND_HIGH = "band-high"
    BARS = "bars"
    FLAGS = "flags"  # flag markers (care team), each with a link


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    kind: Kind
    values: tuple[float | None, ...]  # one per `Chart.days`
    color: str = "#0b5cad"
    texts: tuple[str, ...] = ()  # flags: what each marker says
    links: tuple[str, ...] = ()  # flags: where each marker leads


@dataclass(frozen=True)
class Period:
    """The days a chart covers (inclusive)."""

    start: date
    end: date


@dataclass(frozen=True)
class FlagMarker:
    """A flag drawn on the care team's charts: tapping it opens `href`."""

    day: date
    label: str
    level: str
    href: str


@dataclass(frozen=True)
class Chart:
    name: str  # the series name of the data endpoint, e.g. "leg-pain"
    title: str
    y_title: str
    surgery: date
    period: Period
    days: tuple[date, ...]
    series: tuple[Series, ...]
    summary: str  # plain-language text shown above the chart
    notes: tuple[str, ...] = ()  # what the reference lines mean, for the table caption
    y_range: tuple[float, float] | None = None
    stacked: bool = False

    @property
    def weeks(self) -> tuple[int, ...]:
        return tuple((day - self.surgery).days // 7 for day in self.days)

    @property
    def has_data(self) -> bool:
        """False when nothing was recorded: the page then shows no chart at all."""
        return any(
            value is not None
            for series in self.series
            if series.kind in (Kind.POINTS, Kind.LINE, Kind.BARS)
            for value in series.values
        )

    @property
    def description(self) -> str:
        """The text alternative of the drawn chart (its aria-label)."""
        return _("%(title)s, %(start)s to %(end)s. %(summary)s") % {
            "title": self.title,
            "start": date_format(self.period.start, "j M Y"),
            "end": date_format(self.period.end, "j M Y"),
            "summary": self.summary,
        }


# Renderings ----------------------------------------------------------------------------------


def chartjs_data(chart: Chart) -> dict[str, Any]:
    """{"labels": [ISO dates], "weeks": [...], "datasets": [{"label", "data", …}]}."""
    datasets = []
    for series in chart.series:
        dataset: dict[str, Any] = {
            "label": series.label,
            "data": [_rounded(value) for value in series.values],
            "type": "bar" if series.kind == Kind.BARS else "line",
        }
        if series.kind in (Kind.POINTS, Kind.FLAGS):
            dataset["showLine"] = False
        if series.kind == Kind.REFERENCE:
            dataset["borderDash"] = [6, 4]
        if series.kind == Kind.BAND_LOW:
            dataset["fill"] = "-1"
        if series.kind == Kind.FLAGS:
            dataset["texts"] = list(series.texts)
            dataset["links"] = list(series.links)
        datasets.append(dataset)
    return {
        "labels": [day.isoformat() for day in chart.days],
        "weeks": list(chart.weeks),
        "datasets": datasets,
    }


def _rounded(value: float | None) -> float | None:
    if value is None or isinstance(value, int):
        return value
    return round(value, 2)


def week_ticks(chart: Chart, max_ticks: int = 6) -> tuple[list[str], list[str]]:
    """Tick positions (ISO dates of week starts) and labels (weeks since surgery)."""
    first = min(chart.period.start, chart.days[0]) if chart.days else chart.period.start
    first_week = max((first - chart.surgery).days // 7, 0)
    if (first - chart.surgery).days > 7 * first_week:
        first_week += 1
    last_week = (chart.period.end - chart.surgery).days // 7
    count = last_week - first_week + 1
    step = next((s for s in (1, 2, 4, 8, 13, 26, 52) if count / s <= max_ticks), 104)
    weeks = [week for week in range(first_week, last_week + 1) if week % step == 0]
    return (
        [(chart.surgery + timedelta(days=7 * week)).isoformat() for week in weeks],
        [str(week) for week in weeks],
    )


def plotly_figure(chart: Chart) -> dict[str, Any]:
    """A plain-dict plotly figure: {"data": traces, "layout": …, "config": …}."""
    x = [day.isoformat() for day in chart.days]
    weeks = list(chart.weeks)
    hover = _("%(date)s, week %(week)s") % {"date": "%{x|%-d %b %Y}", "week": "%{customdata}"}
    traces = [_trace(series, x, weeks, hover) for series in chart.series]
    tickvals, ticktext = week_ticks(chart)
    xaxis: dict[str, Any] = {
        "type": "date",
        "tickmode": "array",
        "tickvals": tickvals,
        "ticktext": ticktext,
        "title": {"text": _("Weeks since surgery"), "standoff": 4},
        "fixedrange": True,
    }
    if not any(series.kind == Kind.BARS for series in chart.series):
        xaxis["range"] = [
            (chart.period.start - timedelta(days=1)).isoformat(),
            (chart.period.end + timedelta(days=1)).isoformat(),
        ]
    yaxis: dict[str, Any] = {
        "title": {"text": chart.y_title},
        "fixedrange": True,
        "rangemode": "tozero",
    }
    if chart.y_range is not None:
        yaxis["range"] = list(chart.y_range)
    layout = {
        "autosize": True,
        "showlegend": True,  # also for a single series: the legend names what is drawn
        "margin": {"l": 44, "r": 8, "t": 8, "b": 44},
        "font": {"family": "system-ui, sans-serif", "size": 12},
        # The legend goes under the plot, so that a 360 px screen keeps its height for data.
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top", "font": {"size": 11}},
        "hovermode": "closest",
        "dragmode": False,
        "barmode": "stack" if chart.stacked else "group",
        "xaxis": xaxis,
        "yaxis": yaxis,
        "transition": {"duration": 0},
    }
    config = {"responsive": True, "displayModeBar": False, "scrollZoom": False}
    return {"data": traces, "layout": layout, "config": config}


def _trace(series: Series, x: list[str], weeks: list[int], hover: str) -> dict[str, Any]:
    trace: dict[str, Any] = {"name": series.label, "type": "scatter"}
    template = f"{hover}: %{{y}}<extra>{series.label}</extra>"
    if series.kind in (Kind.POINTS, Kind.FLAGS):
        kept = [i for i, value in enumerate(series.values) if value is not None]
        trace.update(
            mode="markers",
            x=[x[i] for i in kept],
            y=[series.values[i] for i in kept],
            customdata=[weeks[i] for i in kept],
            hovertemplate=template,
            marker={"color": series.color, "size": 6, "opacity": 0.55},
        )
        if series.kind == Kind.FLAGS:
            trace["marker"] = {"color": series.color, "size": 13, "symbol": "triangle-down"}
            trace["text"] = [series.texts[i] for i in kept]
            trace["customdata"] = [[weeks[i], series.links[i]] for i in kept]
            trace["hovertemplate"] = (
                f"%{{text}}<br>{hover.replace('customdata', 'customdata[0]')}<extra></extra>"
            )
            trace["meta"] = "flag-links"
        return trace
    values = [_rounded(value) for value in series.values]
    trace.update(x=x, y=values, customdata=weeks, hovertemplate=template)
    if series.kind == Kind.LINE:
        trace.update(
            mode="lines+markers" if len(x) < 60 else "lines",
            line={"color": series.color, "width": 3},
        )
        trace["marker"] = {"color": series.color, "size": 6}
    elif series.kind == Kind.REFERENCE:
        trace.update(
            mode="lines",
            x=[x[0], x[-1]] if x else [],
            y=[values[0], values[-1]] if values else [],
            customdata=[weeks[0], weeks[-1]] if weeks else [],
            line={"color": series.color, "width": 2, "dash": "dash"},
            hoverinfo="skip",
        )
        trace.pop("hovertemplate")
    elif series.kind in (Kind.BAND_HIGH, Kind.BAND_LOW):
        trace.update(mode="lines", line={"width": 0, "color": series.color}, hoverinfo="skip")
        trace.pop("hovertemplate")
        if series.kind == Kind.BAND_LOW:
            trace.update(fill="tonexty", fillcolor=series.color)
        else:
            trace["showlegend"] = False
    elif series.kind == Kind.BARS:
        trace.update(type="bar", marker={"color": series.color})
    return trace


# The accessible table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = field(default=())


def table(chart: Chart) -> Table:
    """The chart's numbers as a table: one row per date with a recorded value."""
    shown = [s for s in chart.series if s.kind in (Kind.POINTS, Kind.LINE, Kind.BARS, Kind.FLAGS)]
    headers = (_("Date"), _("Week since surgery"), *(_column_label(chart, s) for s in shown))
    rows = []
    for index, day in enumerate(chart.days):
        values = [series.values[index] for series in shown]
        if all(value is None for value in values):
            continue
        cells = [Cell(date_format(day, "j M Y")), Cell(str(chart.weeks[index]))]
        for series, value in zip(shown, values, strict=True):
            if series.kind == Kind.FLAGS:
                cells.append(Cell(series.texts[index], series.links[index]))
            else:
                cells.append(Cell("–" if value is None else number(value)))
        rows.append(tuple(cells))
    return Table(headers, tuple(rows), chart.notes)


def _column_label(chart: Chart, series: Series) -> str:
    if series.kind in (Kind.POINTS, Kind.LINE) and series.key in ("daily", "mean"):
        return f"{chart.title}: {series.label.lower()}"
    return series.label
