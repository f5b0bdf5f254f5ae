"""The funnel plot: each surgeon's share of patients improved against the clinic's share,
with 95 % and 99.8 % control limits, as a plotly figure the chart pages already draw."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from tracker.outcomes.statistics import Z_95, Z_998, funnel_limits

LIMIT_STEPS = 60  # points along each control-limit curve


def _percent(value: float) -> float:
    return round(100 * value, 1)


def funnel_figure(units: Sequence, clinic_share: float, largest: int) -> dict[str, Any]:
    """`units` have name, with_data, improved and share; `clinic_share` is a fraction and
    `largest` the widest x axis needed (the clinic's patients with data)."""
    top = max(largest, max((unit.with_data for unit in units), default=1), 2)
    sizes = sorted({max(1, round(1 + (top - 1) * step / LIMIT_STEPS)) for step in range(61)})
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
