"""Trends: the patient's trends page, and chart data for the patient and the care team.

One URL serves a page and, for htmx, its `#trends` fragment (the range switch). Chart data
endpoints answer in the Chart.js shape (`tracker.charts.figures.chartjs_data`), built from one
query for the chart's series, with an ETag and Last-Modified: a request whose If-None-Match
still matches gets 304 after one query for the patient's last changes.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tracker.auth.access import get_patient
from tracker.auth.roles import care_staff_required, patient_required
from tracker.charts import figures as charts
from tracker.charts import patient_charts as trend_charts
from tracker.charts.svg import SCREEN, chart_svg
from tracker.flags.engine import thresholds_for
from tracker.models import Flag, Patient
from tracker.models.chart_data import LastChanges, chart_timeline, last_changes, start_of_day
from tracker.models.timelines import patient_timeline
from tracker.trends import series as trend_series
from tracker.trends import wording as trend_wording
from tracker.trends.wording import care_summary

# Range key -> days shown (None: since surgery).
RANGES = {"30": 30, "90": 90, "all": None}
RANGE_LABELS = {
    "30": gettext_lazy("30 days"),
    "90": gettext_lazy("90 days"),
    "all": gettext_lazy("Since surgery"),
}
DEFAULT_RANGE = "90"
# Shown even without data (the summary then says what to do); the others only with data.
ALWAYS_SHOWN = frozenset({"back-pain", "leg-pain", "symptoms", "walking", "peg"})


@dataclass(frozen=True)
class ChartView:
    chart: charts.Chart
    figure: dict[str, Any]
    table: charts.Table

    @property
    def figure_id(self) -> str:
        return f"figure-{self.chart.name}"

    @property
    def svg(self) -> str:
        """The chart drawn on the server, shown first; plotly redraws it when the patient
        taps it (static/js/charts.js). The element around it carries the text alternative."""
        return chart_svg(self.chart, SCREEN, label=False)

    @property
    def shown(self) -> bool:
        return self.chart.has_data or self.chart.name in ALWAYS_SHOWN


def range_key(value: str | None) -> str | None:
    """The range asked for (default when absent); None when it is not one we know."""
    if value in (None, ""):
        return DEFAULT_RANGE
    return value if value in RANGES else None


def period_for(patient: Patient, key: str) -> charts.Period:
    today = patient.local_date()
    days = RANGES[key]
    start = patient.surgery_date
    if days is not None:
        start = max(start, today - timedelta(days=days - 1))
    return charts.Period(min(start, today), today)


def flag_markers(flags: list[Flag]) -> list[charts.FlagMarker]:
    """Markers that open the flag when tapped."""
    return [flag.marker(reverse("flag-detail", args=[flag.public_id])) for flag in flags]


def trends_context(
    request: HttpRequest,
    patient: Patient,
    key: str,
    base_url: str,
    *,
    flags: list[Flag] | None = None,
) -> dict[str, Any]:
    """Everything the `#trends` fragment needs. With `flags`, the care team's charts.
    Meaningful change follows the patient's clinic's §2 table, as the rules do."""
    timeline = patient_timeline(patient)
    period = period_for(patient, key)
    care_team = flags is not None
    markers = flag_markers(flags) if care_team else []
    change_table = thresholds_for(patient).meaningful_change
    views = []
    for name in trend_charts.CHARTS:
        chart = trend_charts.build_chart(
            name,
            timeline,
            period,
            flags=markers,
            care_team=care_team,
            change_table=change_table,
            clinic_bands=patient.clinic.own_recovery_band() if care_team else None,
        )
        views.append(ChartView(chart, charts.plotly_figure(chart), charts.table(chart)))
    return {
        "change_table": change_table,
        "timeline": timeline,
        "charts": [view for view in views if view.shown],
        "period": period,
        "range": key,
        "ranges": [
            {"key": k, "label": label, "url": f"{base_url}?range={k}", "current": k == key}
            for k, label in RANGE_LABELS.items()
        ],
    }


def render_with_fragment(request: HttpRequest, template: str, context: dict[str, Any]):
    """The whole page, or only its `#trends` partial for an htmx request."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template += "#trends"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@patient_required
@require_GET
def trends_page(request):
    patient = get_patient(request, "trends")
    key = range_key(request.GET.get("range")) or DEFAULT_RANGE
    context = trends_context(request, patient, key, reverse("trends"))
    context["patient"] = patient
    return render_with_fragment(request, "tracker/patient/trends.html", context)


def chart_data(request: HttpRequest, patient: Patient, series: str, flags=None) -> HttpResponse:
    """One chart's data, or 304 when the request's ETag shows nothing it draws has changed.

    Called after the access check (and its access-log row), so a 304 is only ever an answer
    to someone allowed to look. `flags` (the care team's charts) is a callable giving the
    patient's flags; it runs only when the chart is built.
    """
    key = range_key(request.GET.get("range"))
    if key is None:
        message = _("range must be one of: %(ranges)s") % {"ranges": ", ".join(RANGES)}
        return JsonResponse({"error": message}, status=400)
    care_team = flags is not None
    today = patient.local_date()
    changes = last_changes(patient)
    etag = chart_etag(patient, series, key, today, changes, care_team=care_team)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        period = period_for(patient, key)
        markers = flag_markers(flags()) if care_team else []
        chart = trend_charts.build_chart(
            series,
            chart_timeline(patient, series),
            period,
            flags=markers,
            care_team=care_team,
            change_table=thresholds_for(patient).meaningful_change,
            clinic_bands=patient.clinic.own_recovery_band() if care_team else None,
        )
        response = JsonResponse(charts.chartjs_data(chart))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(
        max(filter(None, (changes.latest, start_of_day(today, patient)))).timestamp()
    )
    # On the patient's own phone the browser keeps the data and asks again with its ETag;
    # the care team's (often shared) computers keep nothing (tracker.auth.middleware).
    response.private_revalidated = not care_team
    return response


def chart_etag(
    patient: Patient,
    series: str,
    key: str,
    today: date,
    changes: LastChanges,
    *,
    care_team: bool,
) -> str:
    """A quoted ETag over everything the chart's JSON depends on: who and which chart, the
    day (ranges end today), the language, the patient's own fields the charts read, their
    clinic's thresholds and recovery band (loaded with the patient), the times and counts of
    every recorded change, and the code that draws it."""
    clinic = patient.clinic
    thresholds = getattr(clinic, "thresholds", None)
    band = getattr(clinic, "recovery_band", None) if care_team else None
    parts = [
        chart_code_version(),
        str(patient.public_id),
        "care" if care_team else "patient",
        series,
        key,
        today.isoformat(),
        get_language() or "",
        patient.surgery_date.isoformat(),
        str(patient.baseline_back_pain),
        str(patient.baseline_leg_pain),
        patient.time_zone,
        json.dumps(thresholds.values if thresholds else {}, sort_keys=True, default=str),
        f"{band.computed_on}/{band.min_patients}" if band else "",
        changes.fingerprint(),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


@functools.cache
def chart_code_version() -> str:
    """A digest of the code that shapes chart data: a new release never answers 304 for data
    an older one drew."""
    digest = hashlib.sha256()
    for module in (charts, trend_charts, trend_series, trend_wording):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:12]


@patient_required
@require_GET
def patient_chart_data(request, series: str):
    if series not in trend_charts.CHARTS:
        raise Http404
    patient = get_patient(request, "trends data")
    return chart_data(request, patient, series)


@care_staff_required
@require_GET
def care_chart_data(request, patient_id, series: str):
    if series not in trend_charts.CHARTS:
        raise Http404
    patient = get_patient(request, f"trends data: {series}", patient_id)
    return chart_data(
        request, patient, series, flags=lambda: list(patient.flags.order_by("opened_at"))
    )


def care_trends_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The care team's charts (with flags and the recovery band) and one-screen summary."""
    flags = list(patient.flags.order_by("-opened_at", "-id"))
    key = range_key(request.GET.get("range")) or DEFAULT_RANGE
    base_url = reverse("patient-summary", args=[patient.public_id])
    context = trends_context(request, patient, key, base_url, flags=flags)
    context.update(
        flags=flags,
        open_flags=sum(1 for flag in flags if flag.is_active),
        summary=care_summary(context["timeline"], patient.local_date(), context["change_table"]),
    )
    return context
