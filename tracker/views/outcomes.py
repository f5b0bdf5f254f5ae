"""The clinic's outcomes page for clinicians, and its figures as CSV."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tracker.auth.roles import role_required
from tracker.exports.csv_export import csv_lines
from tracker.models import Role
from tracker.outcomes.alarms import alarm_response
from tracker.outcomes.forms import PeriodForm

clinician_required = role_required(Role.CLINICIAN)

ALARM_COLUMNS = (
    "level",
    "month",
    "alarms",
    "acknowledged",
    "median_minutes_to_acknowledge",
    "p90_minutes_to_acknowledge",
    "waiting_now",
    "longest_waiting_minutes",
)


def _response(request):
    clinic = request.user.clinic
    form = PeriodForm(clinic.local_date(), request.GET or None)
    start, end = form.period()
    return form, alarm_response(clinic, start, end)


@clinician_required
@require_GET
def outcomes(request):
    form, alarms = _response(request)
    return render(request, "tracker/outcomes/outcomes.html", {"form": form, "alarms": alarms})


@clinician_required
@require_GET
def alarms_csv(request):
    """The alarm-response table as on screen: the whole period first, then month by month."""
    _form, alarms = _response(request)

    def minutes(value):
        return "" if value is None else round(value, 1)

    rows = (
        [
            row.level,
            row.month.strftime("%Y-%m") if row.month else "all",
            row.alarms,
            row.acknowledged,
            minutes(row.median_minutes),
            minutes(row.p90_minutes),
            row.waiting,
            minutes(row.longest_waiting_minutes),
        ]
        for row in [*alarms.overall, *alarms.by_month]
    )
    response = StreamingHttpResponse(csv_lines(ALARM_COLUMNS, rows), content_type="text/csv")
    name = f"alarm-response-{alarms.start.isoformat()}-{alarms.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
