"""What the chart data endpoints read: one chart's part of a patient's timeline in one query,
and when anything a chart shows last changed, also in one query.

`chart_timeline` reads only what `tracker.charts.patient_charts.CHART_READS` says a chart
reads, so a year of check-ins costs one narrow query instead of the whole timeline.
`last_changes` is what the endpoints' ETag and Last-Modified are made from: a conditional
request that finds nothing changed answers 304 without building the chart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db import connection
from django.db.models import Count, DateTimeField, F, IntegerField, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tracker.charts.patient_charts import CHART_READS
from tracker.timeline import DayRecord, Timeline

from .checkins import CheckIn
from .flags import Flag, ThresholdChange
from .people import Patient
from .programmes import ExerciseLog
from .questionnaires import QuestionnaireResponse


def chart_timeline(patient: Patient, chart: str) -> Timeline:
    """The part of `patient`'s timeline that chart `chart` reads (a key of CHART_READS), in
    one query; the other fields of each day are left empty."""
    reads = CHART_READS[chart]
    days: tuple[DayRecord, ...] = ()
    scores: tuple = ()
    if reads.day_fields:
        rows = (
            CheckIn.objects.filter(patient=patient)
            .order_by("day")
            .values_list("day", *reads.day_fields)
        )
        days = tuple(
            DayRecord(day, **_day_values(reads.day_fields, values)) for day, *values in rows
        )
    elif reads.exercise:
        # As tracker.models.timelines.exercise_totals counts them: sessions beyond an
        # exercise's prescription are not counted.
        rows = (
            ExerciseLog.objects.filter(checkin__patient=patient)
            .values("checkin__day")
            .annotate(
                done=Sum(Least(F("sessions_done"), F("sessions_prescribed"))),
                prescribed=Sum("sessions_prescribed"),
            )
            .order_by("checkin__day")
            .values_list("checkin__day", "done", "prescribed")
        )
        days = tuple(
            DayRecord(day, exercise_done=done, exercise_prescribed=prescribed)
            for day, done, prescribed in rows
        )
    elif reads.instruments:
        responses = QuestionnaireResponse.objects.filter(
            patient=patient, instrument__in=reads.instruments
        ).order_by("day", "id")
        scores = tuple(response.as_score() for response in responses)
    return Timeline(
        surgery_date=patient.surgery_date,
        days=days,
        questionnaires=scores,
        baseline_back_pain=patient.baseline_back_pain,
        baseline_leg_pain=patient.baseline_leg_pain,
    )


def _day_values(fields: tuple[str, ...], values: list) -> dict:
    record = dict(zip(fields, values, strict=True))
    if "symptoms" in record:
        record["symptoms"] = dict(record["symptoms"] or {})
    return record


@dataclass(frozen=True)
class LastChanges:
    """When each thing a chart shows last changed, and how many there are (a deletion leaves
    the latest time as it was but changes the count). None: there is none."""

    checkins: tuple[datetime | None, int]
    exercise_logs: tuple[datetime | None, int]
    questionnaires: tuple[datetime | None, int]
    flags: tuple[datetime | None, int]
    thresholds: datetime | None

    @property
    def latest(self) -> datetime | None:
        """The most recent of these times."""
        times = [
            self.checkins[0],
            self.exercise_logs[0],
            self.questionnaires[0],
            self.flags[0],
            self.thresholds,
        ]
        found = [moment for moment in times if moment is not None]
        return max(found) if found else None

    def fingerprint(self) -> str:
        parts = (self.checkins, self.exercise_logs, self.questionnaires, self.flags)
        stamps = [f"{_stamp(moment)}/{count}" for moment, count in parts]
        return ";".join([*stamps, _stamp(self.thresholds)])


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _latest(queryset, group: str, field: str = "updated_at") -> Subquery:
    grouped = queryset.order_by().values(group).annotate(latest=Max(field)).values("latest")
    return Subquery(grouped[:1], output_field=DateTimeField())


def _count(queryset, group: str) -> Subquery:
    grouped = queryset.order_by().values(group).annotate(count=Count("pk")).values("count")
    return Subquery(grouped[:1], output_field=IntegerField())


LAST_CHANGE_COLUMNS = (
    "checkins_at",
    "checkins_n",
    "logs_at",
    "logs_n",
    "answers_at",
    "answers_n",
    "flags_at",
    "flags_n",
    "thresholds_at",
)
_NO_PATIENT = -1  # stands for the patient's id while the query is compiled


@functools.cache
def _last_changes_sql() -> tuple[str, tuple]:
    """The last-change query, compiled once: building nine subqueries through the ORM costs
    more than running them, and a 304 is this query and little else."""
    checkins = CheckIn.objects.filter(patient=OuterRef("pk"))
    logs = ExerciseLog.objects.filter(checkin__patient=OuterRef("pk"))
    answers = QuestionnaireResponse.objects.filter(patient=OuterRef("pk"))
    flags = Flag.objects.filter(patient=OuterRef("pk"))
    changes = ThresholdChange.objects.filter(clinic=OuterRef("clinic_id"))
    query = (
        Patient.objects.filter(pk=_NO_PATIENT)
        .annotate(
            checkins_at=_latest(checkins, "patient"),
            checkins_n=_count(checkins, "patient"),
            logs_at=_latest(logs, "checkin__patient"),
            logs_n=_count(logs, "checkin__patient"),
            answers_at=_latest(answers, "patient"),
            answers_n=_count(answers, "patient"),
            flags_at=_latest(flags, "patient"),
            flags_n=_count(flags, "patient"),
            thresholds_at=_latest(changes, "clinic", "changed_at"),
        )
        .values_list(*LAST_CHANGE_COLUMNS)
        .order_by()
    )
    sql, params = query.query.sql_with_params()
    if list(params).count(_NO_PATIENT) != 1:
        raise RuntimeError("the last-change query should take the patient's id once")
    return sql, tuple(params)


def _moment(value) -> datetime | None:
    """A time as the database driver returns it (SQLite: text) as an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def last_changes(patient: Patient) -> LastChanges:
    """When the patient's check-ins, exercise logs, questionnaire answers and flags, and their
    clinic's thresholds, last changed: one query of small index-bound subqueries.

    What these times do not cover comes with the patient row already loaded (surgery date,
    pre-operative baselines, time zone, the clinic's thresholds and recovery band): the
    caller adds it to the ETag itself.
    """
    sql, params = _last_changes_sql()
    values = [patient.pk if value == _NO_PATIENT else value for value in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = dict(zip(LAST_CHANGE_COLUMNS, cursor.fetchone(), strict=True))
    return LastChanges(
        checkins=(_moment(row["checkins_at"]), row["checkins_n"] or 0),
        exercise_logs=(_moment(row["logs_at"]), row["logs_n"] or 0),
        questionnaires=(_moment(row["answers_at"]), row["answers_n"] or 0),
        flags=(_moment(row["flags_at"]), row["flags_n"] or 0),
        thresholds=_moment(row["thresholds_at"]),
    )


def start_of_day(day: date, patient: Patient) -> datetime:
    """The first moment of the patient's `day`, in UTC."""
    return datetime.combine(day, time.min, patient.zone).astimezone(UTC)
