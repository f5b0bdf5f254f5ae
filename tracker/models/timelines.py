"""Reading a patient's recorded history back as a pure `Timeline`, in a constant number of queries.

Rules, trends, charts and reports take a `Timeline` (plain data, no ORM); this is the one place
that builds it from the check-ins, their exercise logs and the questionnaire responses.

`patient_timeline(s)` read the whole history (charts, reports, exports). The flag rules read
much less: `rule_timeline(s)` read only the days, fields and questionnaires the rules to run
name (`tracker.rules.days_needed_for`, from each rule's `RuleInfo.days`), so a save or a
nightly run reads weeks of check-ins in full and, for the few rules that look further back
(§4 P1's lowest 7-day mean since surgery, P10's days 90-180), only the numbers they read.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import batched

from django.db.models import (
    Case,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    When,
)
from django.db.models.functions import Cast, Least

from tracker.questionnaires.scoring import partial_code
from tracker.rules.days_read import DateSpan, DaysNeeded, merge, within
from tracker.timeline import DayRecord, QuestionnaireScore, Timeline

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
    for batch in batched(patients, batch_size):
        yield from _timelines(list(batch))


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
        days[patient_id].append(_day_record(record, exercise.get(pk)))
    scores: dict[int, list] = {pk: [] for pk in ids}
    responses = QuestionnaireResponse.objects.filter(patient_id__in=ids).order_by(
        "patient_id", "day", "id"
    )
    for response in responses:
        scores[response.patient_id].append(response.as_score())
    for patient in patients:
        yield patient, _timeline_of(patient, days[patient.pk], scores[patient.pk])


def _day_record(record: dict, exercise: tuple[int, int] | None) -> DayRecord:
    """A DayRecord from a check-in row's values by column name (columns left out, or read as
    None, take the DayRecord's default)."""
    if "symptoms" in record:
        record["symptoms"] = dict(record["symptoms"] or {})
    if "safety" in record:
        record["safety_answers"] = frozenset(
            code for code, yes in (record.pop("safety") or {}).items() if yes
        )
    if record.get("temperature_c") is not None:
        record["temperature_c"] = float(record["temperature_c"])
    for name in ("leg_side", "new_numbness_side"):
        if name in record:
            record[name] = record[name] or ""
    if "temperature_readings" in record:
        record["temperature_readings"] = day_readings(record["temperature_readings"])
    if exercise is not None:
        record["exercise_done"], record["exercise_prescribed"] = exercise
    return DayRecord(**record)


# The check-in column behind each DayRecord field read from the check-in itself.
_COLUMNS = {
    **{name: name for name in TIMELINE_FIELDS[1:] if name != "safety"},
    "safety_answers": "safety",
}
_EXERCISE_FIELDS = ("exercise_done", "exercise_prescribed")
_JSON_COLUMNS = frozenset({"symptoms", "safety", "temperature_readings"})


def rule_timeline(patient: Patient, needed: DaysNeeded) -> Timeline:
    """The part of the patient's timeline that `needed` names, in at most four queries
    whatever its length: the check-ins of the days needed with the fields read (a field no
    rule reads keeps its default; symptoms, answers and temperature readings are decoded only
    on the days they are read, empty elsewhere); exercise totals where read; the
    questionnaires of the instruments read (with their incomplete versions) up to as_of; the
    date of the latest check-in on or before as_of when `needed.latest_checkin` (§4 P12)."""
    return next(rule_timelines([(patient, needed)]))[1]


def rule_timelines(
    pairs: Iterable[tuple[Patient, DaysNeeded]], batch_size: int = 200
) -> Iterator[tuple[Patient, Timeline]]:
    """(patient, timeline) for each (patient, what the rules need of them), a constant
    number of queries per batch (see `rule_timeline`).

    Within a batch a field may come with a day its own patient does not need (each field is
    read on the days any patient of the batch needs it); never a day beyond as_of, nor a
    check-in on a day its patient does not need.
    """
    for batch in batched(pairs, batch_size):
        yield from _rule_timelines(list(batch))


def _in_spans(spans: Sequence[DateSpan]) -> Q:
    condition = Q(pk__in=[])
    for first, last in spans:
        condition |= Q(day__lte=last) if first is None else Q(day__range=(first, last))
    return condition


def _rule_timelines(batch: list[tuple[Patient, DaysNeeded]]) -> Iterator[tuple[Patient, Timeline]]:
    needs = {patient.pk: needed for patient, needed in batch}
    ids = list(needs)
    rows = merge(span for needed in needs.values() for span in needed.rows)
    spans = {
        name: merge(span for needed in needs.values() for span in needed.fields.get(name, ()))
        for name in {name for needed in needs.values() for name in needed.fields}
    }
    days: dict[int, list[DayRecord]] = {pk: [] for pk in ids}
    if rows:
        _read_checkins(needs, rows, spans, days)
    if any(needed.latest_checkin for needed in needs.values()):
        _add_latest_checkins(needs, days)
    scores = _questionnaire_scores(needs)
    for patient, _needed in batch:
        yield patient, _timeline_of(patient, days[patient.pk], scores[patient.pk])


def _read_checkins(
    needs: dict[int, DaysNeeded],
    rows: tuple[DateSpan, ...],
    spans: dict[str, tuple[DateSpan, ...]],
    days: dict[int, list[DayRecord]],
) -> None:
    """The check-ins of `rows` with the columns some rule reads, and their exercise totals
    where those are read, in one query. A JSON column is read as text and decoded only on
    the days it is needed: over a year of check-ins, most days need two numbers of P1."""
    ids = list(needs)
    columns: list[str] = []
    selected: list[str] = []
    as_text: dict[str, Cast | Case] = {}
    for name, column in _COLUMNS.items():
        if name not in spans:
            continue  # no rule to run reads it
        columns.append(column)
        if column in _JSON_COLUMNS and spans[name] != rows:
            as_text[f"{column}_text"] = Cast(column, TextField())
            selected.append(f"{column}_text")
        else:
            selected.append(column)
    wanted = merge(span for name in _EXERCISE_FIELDS for span in spans.get(name, ()))
    exercise = bool(wanted)
    if exercise:
        # Sessions done (each exercise counted up to its prescription) and prescribed, as
        # `exercise_totals` counts them, with the check-in itself, on the days they are read.
        logs = ExerciseLog.objects.filter(checkin_id=OuterRef("pk")).values("checkin_id")
        done = logs.annotate(total=Sum(Least(F("sessions_done"), F("sessions_prescribed"))))
        prescribed = logs.annotate(total=Sum("sessions_prescribed"))
        for name, totals in (("sessions_done", done), ("sessions_prescribed", prescribed)):
            as_text[name] = Case(
                When(_in_spans(wanted), then=Subquery(totals.values("total").order_by())),
                default=None,
                output_field=IntegerField(),
            )
        selected += ["sessions_done", "sessions_prescribed"]
    found = (
        CheckIn.objects.filter(_in_spans(rows), patient_id__in=ids)
        .annotate(**as_text)
        .order_by("patient_id", "day")
        .values_list("patient_id", "day", *selected)
    )
    # Within a batch, a patient's own days are a part of the batch's: keep only theirs.
    exact = {pk for pk, needed in needs.items() if merge(needed.rows) == rows}
    reads = [
        (_FIELD_OF[column], _CONVERT.get(column), _ReadOn(spans[_FIELD_OF[column]], rows))
        for column in columns
    ]
    for patient_id, day, *values in found:
        if patient_id not in exact and not needs[patient_id].needs_row(day):
            continue
        fields: dict = {"day": day}
        for (field, convert, read_on), value in zip(reads, values, strict=False):
            if value is not None and read_on(day):
                fields[field] = value if convert is None else convert(value)
        if exercise and values[-1] is not None:
            fields["exercise_done"], fields["exercise_prescribed"] = values[-2], values[-1]
        days[patient_id].append(DayRecord(**fields))


class _ReadOn:
    """Whether a field is read on a day of `rows`: always, from a day on (the usual window
    ending on as_of), or on some spans."""

    def __init__(self, spans: tuple[DateSpan, ...], rows: tuple[DateSpan, ...]) -> None:
        self.spans = spans
        self.always = spans == rows
        single = len(spans) == 1 and spans[0][0] is not None and spans[0][1] >= rows[-1][1]
        self.first = spans[0][0] if single else None

    def __call__(self, day: date) -> bool:
        if self.always:
            return True
        if self.first is not None:
            return day >= self.first
        return within(self.spans, day)


def _json(value):
    """A JSON column read as text (decoded here, on the days it is read) or as data."""
    return json.loads(value) if isinstance(value, str) else value


# How a column's value becomes its DayRecord field (None: as it is); a None value leaves the
# field at its default.
_CONVERT = {
    "symptoms": lambda value: dict(_json(value) or {}),
    "safety": lambda value: frozenset(code for code, yes in (_json(value) or {}).items() if yes),
    "temperature_c": float,
    "temperature_readings": lambda value: day_readings(_json(value)),
}
_FIELD_OF = {column: name for name, column in _COLUMNS.items()}


def _add_latest_checkins(needs: dict[int, DaysNeeded], days: dict[int, list[DayRecord]]) -> None:
    """Add to each patient that needs it the date of their latest check-in on or before
    as_of, however old (one query): a record with nothing but its date."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for pk, needed in needs.items():
        if needed.latest_checkin:
            by_day[needed.as_of].append(pk)
    condition = Q(pk__in=[])
    for as_of, pks in by_day.items():
        condition |= Q(patient_id__in=pks, day__lte=as_of)
    found = (
        CheckIn.objects.filter(condition)
        .values("patient_id")
        .annotate(last=Max("day"))
        .values_list("patient_id", "last")
        .order_by()
    )
    for patient_id, last in found:
        records = days[patient_id]
        if all(record.day != last for record in records):
            records.append(DayRecord(day=last))
            records.sort(key=lambda record: record.day)


def _questionnaire_scores(needs: dict[int, DaysNeeded]) -> dict[int, list[QuestionnaireScore]]:
    """The scores of the instruments each patient's rules read (an incomplete response kept
    under its partial code with them), up to their as_of, oldest first (one query)."""
    scores: dict[int, list[QuestionnaireScore]] = {pk: [] for pk in needs}
    codes = {
        pk: needed.questionnaires | {partial_code(code) for code in needed.questionnaires}
        for pk, needed in needs.items()
    }
    wanted = set().union(*codes.values())
    if not wanted:
        return scores
    rows = (
        QuestionnaireResponse.objects.filter(
            patient_id__in=list(needs),
            instrument__in=sorted(wanted),
            day__lte=max(needed.as_of for needed in needs.values()),
        )
        .order_by("patient_id", "day", "id")
        .values_list("patient_id", "instrument", "day", "total", "item_scores")
    )
    for patient_id, instrument, day, total, items in rows:
        if instrument in codes[patient_id] and day <= needs[patient_id].as_of:
            scores[patient_id].append(
                QuestionnaireScore(
                    instrument=instrument,
                    day=day,
                    total=float(total),
                    items={str(k): int(v) for k, v in (items or {}).items()},
                )
            )
    return scores


def _timeline_of(patient: Patient, days: list, scores: list) -> Timeline:
    return Timeline(
        surgery_date=patient.surgery_date,
        days=tuple(days),
        questionnaires=tuple(scores),
        baseline_back_pain=patient.baseline_back_pain,
        baseline_leg_pain=patient.baseline_leg_pain,
    )
