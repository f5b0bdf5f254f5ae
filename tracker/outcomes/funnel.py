"""The funnel plot: each surgeon's share of patients improved against the clinic's share,
with 95 % and 99.8 % control limits, as a plotly figure the chart pages already draw."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tracker.outcomes.statistics import Z_95, Z_998, funnel_limits

LIMIT_STEPS = 60  # points along each control-limit curve


def _percent(value: float) -> float:
    return round(100 * value, 1)


def limit_sizes(top: int) -> list[int]:
    """The numbers of patients the control-limit curves are drawn through, from 1 to `top`:
    at most LIMIT_STEPS + 1 of them, however many patients the clinic has."""
    return sorted(
        {max(1, round(1 + (top - 1) * step / LIMIT_STEPS)) for step in range(LIMIT_STEPS + 1)}
    )


def funnel_figure(units: Sequence, clinic_share: float, largest: int) -> dict[str, Any]:
    """`units` have name, with_data, improved and share; `clinic_share` is a fraction and
    `largest` the widest x axis needed (the clinic's patients with data)."""
    top = max(largest, max((unit.with_data for unit in units), default=1), 2)
    sizes = limit_sizes(top)
    traces: list[dict[str, Any]] = []
    for z, label, dash in (
        (Z_998, _("99.8 % limits"), "dot"),
        (Z_95, _("95 % limits"), "dash"),
    ):
        limits = [funnel_limits(clinic_share, n, z) for n in sizes]
        for index, part in enumerate(("lower", "upper")):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": label,
                    "legendgroup": label,
                    "showlegend": index == 0,
                    "x": sizes,
                    "y": [_percent(limit[index]) for limit in limits],
                    "line": {"color": "#5c6770", "dash": dash, "width": 1.5},
                    "hoverinfo": "skip",
                    "meta": part,
                }
            )
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Clinic: %(share)s %%") % {"share": _percent(clinic_share)},
            "x": [sizes[0], sizes[-1]],
            "y": [_percent(clinic_share)] * 2,
            "line": {"color": "#1f5f8b", "width": 2},
            "hoverinfo": "skip",
        }
    )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": _("Surgeons"),
            "x": [unit.with_data for unit in units],
            "y": [_percent(unit.share) for unit in units],
            "text": [unit.name for unit in units],
            "textposition": "top center",
            "marker": {"size": 11, "color": "#b3261e", "symbol": "diamond"},
            "hovertemplate": _("%{text}: %{y} % of %{x} patients<extra></extra>"),
        }
    )
    layout = {
        "autosize": True,
        "showlegend": True,
        "margin": {"l": 48, "r": 8, "t": 8, "b": 44},
        "font": {"family": "system-ui, sans-serif", "size": 12},
        "legend": {"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top", "font": {"size": 11}},
        "hovermode": "closest",
        "dragmode": False,
        "xaxis": {
            "title": {"text": _("Patients with data"), "standoff": 4},
            "fixedrange": True,
            "rangemode": "tozero",
        },
        "yaxis": {
            "title": {"text": _("Improved (%)")},
            "fixedrange": True,
            "range": [0, 105],
        },
        "transition": {"duration": 0},
    }
    config = {"responsive": True, "displayModeBar": False, "scrollZoom": False}
    return {"data": traces, "layout": layout, "config": config}


def outside_limits(unit, clinic_share: float) -> str:
    """ "above 99.8 %", "above 95 %", "within", "below 95 %" or "below 99.8 %" for the table."""
    for z, label in ((Z_998, "99.8 %"), (Z_95, "95 %")):
        low, high = funnel_limits(clinic_share, unit.with_data, z)
        if unit.share > high:
            return _("above the %(limit)s limit") % {"limit": label}
        if unit.share < low:
            return _("below the %(limit)s limit") % {"limit": label}
    return _("within the limits")


SVG_WIDTH, SVG_HEIGHT = 520, 210
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 10, 8, 30


def funnel_svg(units: Sequence, clinic_share: float, largest: int) -> SafeString:
    """The funnel plot as an SVG element for the printed page (no browser on the server)."""
    top = max(largest, max((unit.with_data for unit in units), default=1), 2)
    width = SVG_WIDTH - _LEFT - _RIGHT
    height = SVG_HEIGHT - _TOP - _BOTTOM

    def x(n: float) -> float:
        return _LEFT + width * n / top

    def y(share: float) -> float:
        return _TOP + height * (1 - share)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" height="{SVG_HEIGHT}" '
        f'viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" role="img" '
        f"aria-label={quoteattr(_('Funnel plot: the table beside it gives the same figures.'))} "
        'font-family="DejaVu Sans, sans-serif" font-size="9">',
        f'<line x1="{_LEFT}" y1="{y(0):.1f}" x2="{_LEFT + width}" y2="{y(0):.1f}" stroke="#333"/>',
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{y(0):.1f}" stroke="#333"/>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<text x="{_LEFT - 4}" y="{y(tick) + 3:.1f}" text-anchor="end">'
            f"{round(100 * tick)} %</text>"
        )
    parts.append(
        f'<text x="{_LEFT + width / 2:.1f}" y="{SVG_HEIGHT - 4}" text-anchor="middle">'
        f"{escape(_('Patients with data'))} (0–{top})</text>"
    )
    sizes = limit_sizes(top)
    for z, dash in ((Z_998, "2 2"), (Z_95, "5 3")):
        for index in (0, 1):
            points = " ".join(
                f"{x(n):.1f},{y(funnel_limits(clinic_share, n, z)[index]):.1f}" for n in sizes
            )
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="#5c6770" '
                f'stroke-dasharray="{dash}"/>'
            )
    parts.append(
        f'<line x1="{x(1):.1f}" y1="{y(clinic_share):.1f}" x2="{x(top):.1f}" '
        f'y2="{y(clinic_share):.1f}" stroke="#1f5f8b" stroke-width="1.5"/>'
    )
    for unit in units:
        cx, cy = x(unit.with_data), y(unit.share)
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="#b3261e"/>')
        parts.append(
            f'<text x="{cx:.1f}" y="{cy - 6:.1f}" text-anchor="middle">{escape(unit.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
