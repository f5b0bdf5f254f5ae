"""The care team's caseload: each patient with the figures a physiotherapist scans first.

A constant number of queries whatever the number of patients or the length of their
histories: the last check-in and open flags are annotated in the database, and the trends
(7-day pain trend, adherence) are computed by `tracker.trends.series` from the last two weeks only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.auth.access import patients_visible_to
from tracker.charts.patient_charts import BACK_COLOR, LEG_COLOR
from tracker.charts.svg import sparkline_svg
from tracker.models import ACTIVE_STATUSES, CheckIn, Flag, Patient, User
from tracker.models.timelines import exercise_totals
from tracker.programmes.changes import day_record
from tracker.timeline import Timeline
from tracker.trends.series import WINDOW_DAYS, Adherence, adherence_between, pain_trend

# Two 7-day windows for the trend, and a day's margin for patients in other time zones.
RECENT_DAYS = 2 * WINDOW_DAYS + 1
SPARK_DAYS = 2 * WINDOW_DAYS


@dataclass(frozen=True)
class CaseloadRow:
    patient: Patient
    weeks_since_surgery: int
    last_checkin: date | None
    pain_trend: str | None  # "up", "down", "flat"; None with too few check-ins
    adherence: Adherence  # exercise sessions in the last 7 days
    open_flags: int
    # Back and leg pain of each of the last SPARK_DAYS days (None: no check-in), oldest first.
    back_pain_days: tuple[float | None, ...] = ()
    leg_pain_days: tuple[float | None, ...] = ()

    @property
    def pain_sparkline(self):
        """The last 14 days of back and leg pain as a small chart, described in words."""

        def words(values):
            return ", ".join("–" if v is None else f"{v:g}" for v in values)

        description = _("Pain, last 14 days, oldest first. Back: %(back)s. Leg: %(leg)s.") % {
            "back": words(self.back_pain_days),
            "leg": words(self.leg_pain_days),
        }
        return sparkline_svg(
            [
                (str(_("Back")), BACK_COLOR, list(self.back_pain_days)),
                (str(_("Leg")), LEG_COLOR, list(self.leg_pain_days)),
            ],
            str(description),
        )


# Sorts (validated against this table). All but adherence are done by the database, so a
# page costs the same for 100 or 1,000 patients; adherence comes from tracker.trends.series (the one
# implementation), so sorting by it reads two weeks of every patient's check-ins.
DB_SORTS = {
    "name": ("user__full_name", "pk"),
    "weeks": ("-surgery_date", "pk"),
    "last_checkin": ("last_checkin", "pk"),  # oldest first: the quietest patients first
    "flags": ("-open_flags", "pk"),  # most first
}
SORTS = {*DB_SORTS, "adherence"}
DEFAULT_SORT = "name"
SORT_OPTIONS = [
    ("name", _("name")),
    ("weeks", _("weeks since surgery")),
    ("last_checkin", _("last check-in, oldest first")),
    ("adherence", _("exercise, lowest first")),
    ("flags", _("open flags, most first")),
]


def valid_sort(value: str | None) -> str:
    """The requested sort ("-" in front reverses it), or the default."""
    value = value or ""
    return value if value.removeprefix("-") in SORTS else DEFAULT_SORT


def caseload_queryset(user: User, sort: str = DEFAULT_SORT):
    """The patients on `user`'s care teams, annotated and ordered in the database."""
    latest_checkin = CheckIn.objects.filter(patient=OuterRef("pk")).order_by("-day")
    active_flags = (
        Flag.objects.filter(patient=OuterRef("pk"), status__in=ACTIVE_STATUSES)
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    patients = (
        patients_visible_to(user)
        .select_related("user")
        .annotate(
            last_checkin=Subquery(latest_checkin.values("day")[:1]),
            open_flags=Coalesce(Subquery(active_flags, output_field=IntegerField()), 0),
        )
    )
    key = valid_sort(sort).removeprefix("-")
    if key in DB_SORTS:
        fields = DB_SORTS[key]
        if sort.startswith("-"):
            fields = tuple(f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in fields)
        patients = patients.order_by(*fields)
    return patients


def caseload_rows(patients) -> list[CaseloadRow]:
    """Rows for these (annotated) patients: two more queries, whatever their number."""
    patients = list(patients)
    ids = [patient.pk for patient in patients]
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    totals = exercise_totals(ids, since=since)
    recent: dict[int, list] = {pk: [] for pk in ids}
    for checkin in CheckIn.objects.filter(patient_id__in=ids, day__gte=since).order_by("day"):
        recent[checkin.patient_id].append(day_record(checkin, totals))
    return [row_for(patient, recent[patient.pk]) for patient in patients]


def sorted_by_adherence(rows: list[CaseloadRow], reverse: bool) -> list[CaseloadRow]:
    return sorted(
        rows,
        key=lambda row: (row.adherence.percent is None, row.adherence.percent),
        reverse=reverse,
    )


def row_for(patient: Patient, records: list) -> CaseloadRow:
    today = patient.local_date()
    timeline = Timeline(surgery_date=patient.surgery_date, days=tuple(records))
    by_day = {record.day: record for record in records}
    days = [today - timedelta(days=n) for n in range(SPARK_DAYS - 1, -1, -1)]
    return CaseloadRow(
        patient=patient,
        weeks_since_surgery=patient.weeks_since_surgery(today),
        last_checkin=patient.last_checkin,
        pain_trend=pain_trend(timeline, today),
        adherence=adherence_between(timeline, today - timedelta(days=WINDOW_DAYS - 1), today),
        open_flags=patient.open_flags,
        back_pain_days=tuple(getattr(by_day.get(day), "back_pain", None) for day in days),
        leg_pain_days=tuple(getattr(by_day.get(day), "leg_pain", None) for day in days),
    )
