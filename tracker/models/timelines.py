"""Reading a patient's recorded history back as a pure `Timeline`, in a constant number of queries.

Rules, trends, charts and reports take a `Timeline` (plain data, no ORM); this is the one place
that builds it from the check-ins, their exercise logs and the questionnaire responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from django.db.models import F, Sum
from django.db.models.functions import Least

from tracker.timeline import DayRecord, Timeline

from .checkins import ANSWER_FIELDS, CheckIn, day_readings
from .people import Patient
from .programmes import ExerciseLog
from .questionnaires import QuestionnaireResponse

# What a rule may read of a day: every answer but the free-text note.
TIMELINE_FIELDS = ("day", *(name for name in ANSWER_FIELDS if name != "note"))


def exercise_totals(
    patient_ids: Iterable[int], since: date | None = None
) -> dict[int, tuple[int, int]]:
    """Sessions (done, prescribed) per check-in id of these patients, in one query.

    Sessions done beyond an exercise's prescription are not counted, so extra work on one
    exercise cannot hide a missed one (`tracker.trends.series.sessions_counted`, per exercise).
    """
    logs = ExerciseLog.objects.filter(checkin__patient_id__in=list(patient_ids))
    if since is not None:
        logs = logs.filter(checkin__day__gte=since)
    rows = (
        logs.values("checkin_id")
        .annotate(
            done=Sum(Least(F("sessions_done"), F("sessions_prescribed"))),
            prescribed=Sum("sessions_prescribed"),
        )
        .order_by()
    )
    return {row["checkin_id"]: (row["done"], row["prescribed"]) for row in rows}


def patient_timeline(patient: Patient) -> Timeline:
    """The patient's whole timeline, in a constant number of queries whatever its length."""
    return next(iter(patient_timelines([patient])))[1]


def patient_timelines(
    patients: Iterable[Patient], batch_size: int = 200
) -> Iterator[tuple[Patient, Timeline]]:
    """(patient, timeline) for many patients, a constant number of queries per batch."""
    batch: list[Patient] = []
    for patient in patients:
        batch.append(patient)
        if len(batch) == batch_size:
            yield from _timelines(batch)
            batch = []
    if batch:
        yield from _timelines(batch)


def _timelines(patients: list[Patient]) -> Iterator[tuple[Patient, Timeline]]:
    ids = [p.pk for p in patients]
    days: dict[int, list] = {pk: [] for pk in ids}
    exercise = exercise_totals(ids)
    # Plain rows, not model instances: the daily run reads years of check-ins per patient.
    rows = (
        CheckIn.objects.filter(patient_id__in=ids)
        .order_by("patient_id", "day")
        .values_list("pk", "patient_id", *TIMELINE_FIELDS)
    )
    for pk, patient_id, *values in rows:
        record = dict(zip(TIMELINE_FIELDS, values, strict=True))
        record["symptoms"] = dict(record["symptoms"] or {})
        record["safety_answers"] = frozenset(
            code for code, yes in (record.pop("safety") or {}).items() if yes
        )
        if record["temperature_c"] is not None:
            record["temperature_c"] = float(record["temperature_c"])
        record["leg_side"] = record["leg_side"] or ""
        record["temperature_readings"] = day_readings(record["temperature_readings"])
        record["new_numbness_side"] = record["new_numbness_side"] or ""
        if pk in exercise:
            record["exercise_done"], record["exercise_prescribed"] = exercise[pk]
        days[patient_id].append(DayRecord(**record))
    scores: dict[int, list] = {pk: [] for pk in ids}
    responses = QuestionnaireResponse.objects.filter(patient_id__in=ids).order_by(
        "patient_id", "day", "id"
    )
    for response in responses:
        scores[response.patient_id].append(response.as_score())
    for patient in patients:
        yield (
            patient,
            Timeline(
                surgery_date=patient.surgery_date,
                days=tuple(days[patient.pk]),
                questionnaires=tuple(scores[patient.pk]),
                baseline_back_pain=patient.baseline_back_pain,
                baseline_leg_pain=patient.baseline_leg_pain,
            ),
        )
