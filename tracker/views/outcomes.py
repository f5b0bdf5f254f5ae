"""The clinic's outcomes page for clinicians, and each of its figures as CSV.

One set of filters (the cohort: surgery period, surgeon, procedure, levels; the alarms' period;
the funnel plot's measure) drives the page and every download, so a CSV holds what the page
shows. No patient is named: the figures count patients, and surgeons are staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from tracker.auth.roles import role_required
from tracker.exports.csv_export import csv_lines
from tracker.flags.engine import clinic_thresholds
from tracker.models import Role
from tracker.outcomes.alarms import alarm_response
from tracker.outcomes.cohort import CohortForm
from tracker.outcomes.completeness import (
    checkins_by_week,
    follow_up_groups,
    questionnaire_completion,
    silent_now,
)
from tracker.outcomes.forms import FunnelForm, PeriodForm
from tracker.outcomes.funnel import funnel_figure, funnel_svg, outside_limits
from tracker.outcomes.improvement import (
    MEASURES,
    by_surgeon,
    current_points,
    outcome_table,
    time_points,
)
from tracker.outcomes.statistics import wilson_interval
from tracker.questionnaires.definitions import available_definitions, default_schedules

clinician_required = role_required(Role.CLINICIAN)


@dataclass
class Outcomes:
    """The page's figures for one request, each computed when first asked for."""

    request: object

    def __post_init__(self):
        clinic = self.request.user.clinic
        self.clinic = clinic
        self.today = clinic.local_date()
        self.thresholds = clinic_thresholds(clinic)
        query = self.request.GET or None
        self.cohort_form = CohortForm(clinic, query)
        self.period_form = PeriodForm(self.today, query)
        self.funnel_form = FunnelForm(MEASURES, time_points(self.thresholds), query)
        self.patients = self.cohort_form.patients()

    @property
    def forms(self):
        return (self.cohort_form, self.period_form, self.funnel_form)

    @cached_property
    def counted(self):
        """The patients, once each one's outcome row (tracker.models.outcome_points) is written
        where missing or out of date: once for all the figures (one query when none is)."""
        current_points(self.patients, self.thresholds)
        return self.patients

    @cached_property
    def table(self):
        return outcome_table(self.counted, self.today, self.thresholds, rows_current=True)

    @cached_property
    def funnel(self):
        measure, point = self.funnel_form.chosen()
        # The clinic's own cell of the improvement table: not counted a second time.
        row = self.table[time_points(self.thresholds).index(point)]
        clinic = next(cell for cell in row if cell.measure == measure)
        units = by_surgeon(
            self.counted, measure, point, self.today, self.thresholds, rows_current=True
        )
        share = clinic.share
        rows = [
            {
                "unit": unit,
                "interval": wilson_interval(unit.improved, unit.with_data),
                "position": outside_limits(unit, share) if share is not None else "",
            }
            for unit in units
        ]
        drawn = share is not None
        figure = funnel_figure(units, share, clinic.with_data) if drawn else None
        svg = funnel_svg(units, share, clinic.with_data) if drawn else None
        return {
            "measure": measure,
            "point": point,
            "clinic": clinic,
            "rows": rows,
            "figure": figure,
            "svg": svg,
        }

    @cached_property
    def groups(self):
        return follow_up_groups(self.counted, self.today, rows_current=True)

    @cached_property
    def weeks(self):
        return checkins_by_week(self.counted, self.today, rows_current=True, groups=self.groups)

    @cached_property
    def questionnaires(self):
        titles = {definition.code: definition.title for definition in available_definitions()}
        return questionnaire_completion(
            self.counted,
            self.today,
            default_schedules(),
            titles,
            rows_current=True,
            groups=self.groups,
        )

    @cached_property
    def silence(self):
        return silent_now(self.counted, self.today, self.thresholds, rows_current=True)

    @cached_property
    def alarms(self):
        start, end = self.period_form.period()
        return alarm_response(self.clinic, start, end, patients=self.patients)

    @cached_property
    def query(self) -> str:
        """The filters as a query string, for the download links."""
        return self.request.GET.urlencode()


@clinician_required
@require_GET
def outcomes(request):
    return render(request, "tracker/outcomes/outcomes.html", {"outcomes": Outcomes(request)})


@clinician_required
@require_GET
def outcomes_pdf(request):
    """The page's figures on one landscape A4 page, for the audit meeting."""
    # Imported here: WeasyPrint takes a moment to import and only this path needs it.
    from weasyprint import HTML

    page = Outcomes(request)
    html = render_to_string("tracker/outcomes/outcomes_pdf.html", {"outcomes": page}, request)
    response = HttpResponse(
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(),
        content_type="application/pdf",
    )
    name = f"clinic-outcomes-{page.today.isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv(name: str, header, rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _number(value, digits=1):
    return "" if value is None else round(value, digits)


def _percent(value):
    return "" if value is None else round(100 * value, 1)


@clinician_required
@require_GET
def improvement_csv(request):
    """The improvement table as on screen: one row per time point and measure."""
    page = Outcomes(request)
    header = (
        "time_point",
        "measure",
        "eligible",
        "with_data",
        "improved",
        "improved_percent",
        "ci95_low_percent",
        "ci95_high_percent",
        "median_change",
    )

    def rows():
        for row in page.table:
            for cell in row:
                low, high = cell.interval or (None, None)
                yield [
                    cell.point.key,
                    cell.measure.key,
                    cell.eligible,
                    cell.with_data,
                    cell.improved,
                    _percent(cell.share),
                    _percent(low),
                    _percent(high),
                    _number(cell.median_change, 2),
                ]

    return _csv(f"outcomes-improvement-{page.today.isoformat()}", header, rows())


@clinician_required
@require_GET
def funnel_csv(request):
    """The funnel plot's table: each surgeon, then the clinic."""
    page = Outcomes(request)
    funnel = page.funnel
    header = (
        "surgeon",
        "measure",
        "time_point",
        "with_data",
        "improved",
        "improved_percent",
        "ci95_low_percent",
        "ci95_high_percent",
        "against_clinic",
    )
    clinic = funnel["clinic"]
    key = (funnel["measure"].key, funnel["point"].key)
    rows = [
        [
            row["unit"].name,
            *key,
            row["unit"].with_data,
            row["unit"].improved,
            _percent(row["unit"].share),
            _percent(row["interval"][0]),
            _percent(row["interval"][1]),
            row["position"],
        ]
        for row in funnel["rows"]
    ]
    low, high = clinic.interval or (None, None)
    rows.append(
        [
            "clinic",
            *key,
            clinic.with_data,
            clinic.improved,
            _percent(clinic.share),
            _percent(low),
            _percent(high),
            "",
        ]
    )
    return _csv(f"outcomes-funnel-{page.today.isoformat()}", header, rows)


@clinician_required
@require_GET
def completeness_csv(request):
    """Check-in days recorded by week since surgery, and the patients silent now."""
    page = Outcomes(request)
    header = ("week", "patients", "checkin_days", "possible_days", "percent")
    rows = [
        [week.week, week.patients, week.checkin_days, 7 * week.patients, _number(week.percent)]
        for week in page.weeks
    ]
    rows.append(["silent_now", page.silence.in_follow_up, page.silence.silent, "", ""])
    return _csv(f"outcomes-completeness-{page.today.isoformat()}", header, rows)


@clinician_required
@require_GET
def questionnaires_csv(request):
    """Questionnaire completion at each due point, as on screen."""
    page = Outcomes(request)
    header = ("questionnaire", "first_day", "last_day", "patients", "completed", "percent")
    rows = [
        [
            row.instrument,
            row.first_day,
            row.last_day,
            row.patients,
            row.completed,
            _number(row.percent),
        ]
        for row in page.questionnaires
    ]
    return _csv(f"outcomes-questionnaires-{page.today.isoformat()}", header, rows)


@clinician_required
@require_GET
def alarms_csv(request):
    """The alarm-response table as on screen: the whole period first, then month by month."""
    alarms = Outcomes(request).alarms
    header = (
        "level",
        "month",
        "alarms",
        "acknowledged",
        "median_minutes_to_acknowledge",
        "p90_minutes_to_acknowledge",
        "waiting_now",
        "longest_waiting_minutes",
    )
    rows = (
        [
            row.level,
            row.month.strftime("%Y-%m") if row.month else "all",
            row.alarms,
            row.acknowledged,
            _number(row.median_minutes),
            _number(row.p90_minutes),
            row.waiting,
            _number(row.longest_waiting_minutes),
        ]
        for row in [*alarms.overall, *alarms.by_month]
    )
    return _csv(f"alarm-response-{alarms.start.isoformat()}-{alarms.end.isoformat()}", header, rows)
