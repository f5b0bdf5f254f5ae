"""Trends: the patient's trends page, and chart data for the patient and the care team.

One URL serves a page and, for htmx, its `#trends` fragment (the range switch). Chart data
endpoints answer in the Chart.js shape (`tracker.charts.figures.chartjs_data`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tracker.auth.access import get_patient
from tracker.auth.roles import care_staff_required, patient_required
from tracker.charts import figures as charts
from tracker.charts import patient_charts as trend_charts
from tracker.flags.engine import thresholds_for
from tracker.models import Flag, Patient
from tracker.models.timelines import patient_timeline
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


def chart_data(request: HttpRequest, patient: Patient, series: str, flags=None) -> JsonResponse:
    key = range_key(request.GET.get("range"))
    if key is None:
        message = _("range must be one of: %(ranges)s") % {"ranges": ", ".join(RANGES)}
        return JsonResponse({"error": message}, status=400)
    period = period_for(patient, key)
    markers = flag_markers(flags) if flags is not None else []
    chart = trend_charts.build_chart(
        series,
        patient_timeline(patient),
        period,
        flags=markers,
        care_team=flags is not None,
        change_table=thresholds_for(patient).meaningful_change,
        clinic_bands=patient.clinic.own_recovery_band() if flags is not None else None,
    )
    return JsonResponse(charts.chartjs_data(chart))


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
    return chart_data(request, patient, series, flags=list(patient.flags.order_by("opened_at")))


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
