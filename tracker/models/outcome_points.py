"""Each patient's outcome values, kept so the clinic's outcome figures add up one row per
patient instead of reading a year of check-ins for every one of them.

`OutcomePoints` holds, for one patient, what the clinic outcomes page counts (docs/outcomes.md):
the §2 baseline of leg pain, back pain, PEG and ODI and their value at each audit point (for
pain, the window's mean and its number of recorded days, so the clinic's `trend_min_days`
applies when counting), the check-in days of each week since surgery, and the first and last
check-in. `DuePointAnswers` holds, for one patient and one scheduled questionnaire, which of its
due points were answered (one bit each).

Both are derived data, written by one SQL statement per batch of patients (`refresh_points`,
`refresh_due_points`) from the same expressions the figures were always counted with. They stay
true in four ways:

- Database triggers (migration 0011) delete a patient's rows whenever anything they are computed
  from changes: a check-in's day, pain or existence, a questionnaire response, the patient's
  surgery date or pre-operative pain. Every path is caught: forms, imports, bulk writes, raw SQL.
- After a check-in or questionnaire is saved, its transaction writes the patient's rows again
  (`refresh_after_save`), so the page seldom finds one missing.
- Before counting, the outcome figures write the rows that are missing or were computed with
  other time-point windows (`basis`: a clinic changed its thresholds) or other due points.
- Every night, update_recovery_bands writes every patient's rows again
  (tracker.outcomes.upkeep).
"""

from __future__ import annotations

import hashlib
import logging
import operator
from collections.abc import Sequence
from functools import reduce

from django.db import connection, models, transaction
from django.db.models import (
    Avg,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Abs, Cast, Coalesce, Now
from django.utils import timezone

from tracker.questionnaires.definitions import Schedule
from tracker.rules import Thresholds
from tracker.trends import series

from .checkins import CheckIn
from .people import Patient
from .questionnaires import QuestionnaireResponse

logger = logging.getLogger(__name__)

PAIN_FIELDS = ("leg_pain", "back_pain")
QUESTIONNAIRE_CODES = ("peg", "odi")
POINT_KEYS = ("6w", "12w", "6m", "1y")
PAIN_HALF_WINDOW = 3  # days either side of a time point: a 7-day mean
WEEKS = 52  # weeks 0–51 since surgery
FOLLOW_UP_DAYS = 365  # [D] patients are followed for a year; later silence is not counted
MAX_DUE_POINTS = 62  # bits of a signed 64-bit integer, with room to spare


class DaysBetween(Func):
    """Whole days from the date `start` to the date `end` (end − start; negative before)."""

    arity = 2
    output_field = IntegerField()
    # PostgreSQL subtracts two dates to a whole number of days.
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Julian day numbers differ by whole days between two dates (ROUND guards the float).
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class DaysAfter(Func):
    """The date `days` whole days after the date `start`: a bound the (patient, day) index can
    use, where a day number computed on each row would make the database read every row."""

    output_field = DateField()

    def __init__(self, start, days: int, **extra):
        super().__init__(start, **extra)
        self.days = int(days)

    def as_sqlite(self, compiler, connection, **extra_context):
        start, params = compiler.compile(self.source_expressions[0])
        return f"date({start}, %s)", (*params, f"{self.days:+d} days")

    def as_postgresql(self, compiler, connection, **extra_context):
        start, params = compiler.compile(self.source_expressions[0])
        return f"({start} + %s)", (*params, self.days)  # date + integer is a date


def point_windows(thresholds: Thresholds) -> tuple[tuple[str, int, int], ...]:
    """(key, post-operative day, questionnaire tolerance in days) of the four audit points: the
    windows of the rules that read them (P3 at 6 weeks, P4 at 12 weeks), later ones [D]."""
    return (
        ("6w", thresholds.leg_check_day, thresholds.leg_check_tolerance_days),
        ("12w", thresholds.function_check_day, thresholds.function_tolerance_days),
        ("6m", 182, 14),
        ("1y", 365, 28),
    )


def basis_of(windows: Sequence[tuple[str, int, int]]) -> str:
    """What a row's time-point values were computed with, e.g. "6w:42±3 12w:84±7 …"."""
    return " ".join(f"{key}:{day}±{tolerance}" for key, day, tolerance in windows)


class OutcomePoints(models.Model):
    """One patient's outcome values (see the module docstring); fields by measure and point:
    `<measure>_baseline`, `<measure>_<point>` and, for pain, `<measure>_<point>_days`; the
    check-in days of week w since surgery in `week_<w>_days`."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, primary_key=True, related_name="outcome_points"
    )
    basis = models.CharField(max_length=200)  # basis_of(the time-point windows used)
    first_checkin = models.DateField(null=True, blank=True)
    last_checkin = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Outcome values of {self.patient_id}"


def _value_fields() -> list[tuple[str, models.Field]]:
    fields: list[tuple[str, models.Field]] = []
    for measure in PAIN_FIELDS + QUESTIONNAIRE_CODES:
        fields.append((f"{measure}_baseline", models.FloatField(null=True, blank=True)))
        for point in POINT_KEYS:
            fields.append((f"{measure}_{point}", models.FloatField(null=True, blank=True)))
            if measure in PAIN_FIELDS:
                fields.append((f"{measure}_{point}_days", models.PositiveSmallIntegerField()))
    fields += [(f"week_{week}_days", models.PositiveSmallIntegerField()) for week in range(WEEKS)]
    return fields


for _name, _field in _value_fields():
    OutcomePoints.add_to_class(_name, _field)


class DuePointAnswers(models.Model):
    """Which due points of one scheduled questionnaire a patient answered: bit i of `answered`
    is set when a response (of the questionnaire or one that counts for it) falls in the i-th
    window of `due_windows(schedule)`; `windows` is a digest of those windows and codes."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=32)
    windows = models.CharField(max_length=64)
    answered = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument"], name="one_due_point_row_per_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} due points of {self.patient_id}"


# --- what the values are: the expressions the outcome figures have always counted with ----


def pain_baseline(field: str):
    """A patient's §2 pain baseline as a database expression: the pre-operative value, else
    the mean of the first 3 recorded days among post-operative days 1–14."""
    surgery = OuterRef(OuterRef("surgery_date"))
    first_days = (
        CheckIn.objects.filter(
            patient=OuterRef(OuterRef("pk")),
            day__gte=DaysAfter(surgery, series.BASELINE_FIRST_POSTOP_DAY),
            day__lte=DaysAfter(surgery, series.BASELINE_LAST_POSTOP_DAY),
            **{f"{field}__isnull": False},
        )
        .order_by("day")
        .values("pk")[: series.BASELINE_POSTOP_DAYS]
    )
    mean = (
        CheckIn.objects.filter(pk__in=first_days)
        .order_by()
        .values("patient")
        .annotate(mean=Avg(field))
        .values("mean")
    )
    pre_operative = {"leg_pain": "baseline_leg_pain", "back_pain": "baseline_back_pain"}[field]
    return Coalesce(Cast(pre_operative, FloatField()), Subquery(mean, output_field=FloatField()))


def _pain_window(field: str, day: int):
    """The recorded `field` values within PAIN_HALF_WINDOW days of post-operative `day`."""
    surgery = OuterRef("surgery_date")
    return (
        CheckIn.objects.filter(
            patient=OuterRef("pk"),
            day__gte=DaysAfter(surgery, day - PAIN_HALF_WINDOW),
            day__lte=DaysAfter(surgery, day + PAIN_HALF_WINDOW),
            **{f"{field}__isnull": False},
        )
        .order_by()
        .values("patient")
    )


def _pain_mean(field: str, day: int):
    mean = _pain_window(field, day).annotate(mean=Avg(field)).values("mean")
    return Subquery(mean, output_field=FloatField())


def _pain_days(field: str, day: int):
    days = _pain_window(field, day).annotate(days=Count(field)).values("days")
    return Coalesce(Subquery(days, output_field=IntegerField()), 0)


def _scores(instrument: str):
    return QuestionnaireResponse.objects.filter(
        patient=OuterRef("pk"), instrument=instrument
    ).annotate(post_op_day=DaysBetween(F("day"), F("patient__surgery_date")))


def _score_baseline(instrument: str):
    """The latest score before the day of surgery, else the first of the first 3 weeks."""
    before = _scores(instrument).filter(post_op_day__lt=0).order_by("-day").values("total")[:1]
    early = (
        _scores(instrument)
        .filter(post_op_day__gte=0, post_op_day__lte=series.QUESTIONNAIRE_BASELINE_LAST_DAY)
        .order_by("day")
        .values("total")[:1]
    )
    return Coalesce(
        Subquery(before, output_field=FloatField()), Subquery(early, output_field=FloatField())
    )


def _score_value(instrument: str, day: int, tolerance: int):
    """The score closest to post-operative `day` within `tolerance` days (the earlier of two
    equally close)."""
    closest = (
        _scores(instrument)
        .filter(post_op_day__gte=day - tolerance, post_op_day__lte=day + tolerance)
        .annotate(distance=Abs(F("post_op_day") - day))
        .order_by("distance", "day")
        .values("total")[:1]
    )
    return Subquery(closest, output_field=FloatField())


def _week_days(week: int):
    """The check-ins in week `week` since surgery (post-operative days 7w to 7w + 6)."""
    surgery = OuterRef("surgery_date")
    days = (
        CheckIn.objects.filter(
            patient=OuterRef("pk"),
            day__gte=DaysAfter(surgery, 7 * week),
            day__lte=DaysAfter(surgery, 7 * week + 6),
        )
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(days, output_field=IntegerField()), 0)


def _checkin_day(first: bool):
    ordered = CheckIn.objects.filter(patient=OuterRef("pk")).order_by("day" if first else "-day")
    return Subquery(ordered.values("day")[:1], output_field=DateField())


def _point_values(windows: Sequence[tuple[str, int, int]]) -> dict:
    """Every column of OutcomePoints for the outer patient row, as expressions."""
    values = {
        "patient": F("pk"),
        "basis": Value(basis_of(windows)),
        "first_checkin": _checkin_day(first=True),
        "last_checkin": _checkin_day(first=False),
        "computed_at": Now(),  # the database's clock: the statement can be kept and reused
    }
    for field in PAIN_FIELDS:
        values[f"{field}_baseline"] = pain_baseline(field)
        for key, day, _tolerance in windows:
            values[f"{field}_{key}"] = _pain_mean(field, day)
            values[f"{field}_{key}_days"] = _pain_days(field, day)
    for code in QUESTIONNAIRE_CODES:
        values[f"{code}_baseline"] = _score_baseline(code)
        for key, day, tolerance in windows:
            values[f"{code}_{key}"] = _score_value(code, day, tolerance)
    for week in range(WEEKS):
        values[f"week_{week}_days"] = _week_days(week)
    return values


def due_windows(schedule: Schedule) -> list[tuple[int, int]]:
    """The due points of a schedule in the first FOLLOW_UP_DAYS, as (first, last) post-operative
    days, both included: every period of a repeating questionnaire, then each milestone."""
    windows: list[tuple[int, int]] = []
    if schedule.every_days:
        step = schedule.every_days
        windows += [(start, start + step - 1) for start in range(0, FOLLOW_UP_DAYS, step)]
    windows += [
        (max(0, day - schedule.window_days), day + schedule.window_days)
        for day in schedule.milestone_days
    ]
    return windows


def windows_key(windows: Sequence[tuple[int, int]], codes: Sequence[str]) -> str:
    """A short digest of the due points and the questionnaires that count for them."""
    text = " ".join(codes) + ": " + " ".join(f"{first}-{last}" for first, last in windows)
    return hashlib.sha256(text.encode()).hexdigest()


def _answered_mask(codes: Sequence[str], windows: Sequence[tuple[int, int]]):
    """The bits of the due points answered by the outer patient row, as an expression."""
    surgery = OuterRef("surgery_date")
    bits = [
        models.Case(
            models.When(
                Exists(
                    QuestionnaireResponse.objects.filter(
                        patient=OuterRef("pk"),
                        instrument__in=list(codes),
                        day__gte=DaysAfter(surgery, first),
                        day__lte=DaysAfter(surgery, last),
                    )
                ),
                then=Value(1 << index),
            ),
            default=Value(0),
            output_field=models.BigIntegerField(),
        )
        for index, (first, last) in enumerate(windows)
    ]
    total = bits[0]
    for bit in bits[1:]:
        total = total + bit
    return total


# --- writing the rows ----------------------------------------------------------------------


def _upsert(model, rows: QuerySet[Patient], values: dict, conflict: Sequence[str]) -> None:
    """INSERT one `model` row per patient of `rows`, each column from its expression in
    `values`, replacing the row with the same `conflict` columns: one statement however many
    patients."""
    statement, params = _upsert_statement(model, rows, values, conflict)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# One patient's rows are written again after each of their saves. Building the statement (some
# 80 subqueries) costs the ORM about ten times what running it costs the database, so the
# statement for one patient is built once per process and kind of row, for a patient id no
# patient has, and reused with the saved patient's id in that id's place.
_NO_PATIENT = -7_777_777
_ONE_PATIENT_STATEMENTS: dict[tuple, tuple[str, tuple, int]] = {}


def _upsert_one(key: tuple, patient_id: int, build) -> None:
    """Run the statement `build(rows)` makes (see `_upsert_statement`) for one patient."""
    key = (connection.alias, connection.vendor, *key)
    if key not in _ONE_PATIENT_STATEMENTS:
        statement, params = build(_rows_of(Patient.objects.filter(pk=_NO_PATIENT)))
        places = [n for n, value in enumerate(params) if value == _NO_PATIENT]
        if len(places) != 1:  # never cache a statement whose id cannot be told apart
            raise RuntimeError("The one-patient outcome statement has no single patient id.")
        _ONE_PATIENT_STATEMENTS[key] = (statement, tuple(params), places[0])
    statement, params, place = _ONE_PATIENT_STATEMENTS[key]
    with connection.cursor() as cursor:
        cursor.execute(statement, (*params[:place], patient_id, *params[place + 1 :]))


def _upsert_statement(model, rows: QuerySet[Patient], values: dict, conflict: Sequence[str]):
    """The SQL and parameters of `_upsert`."""
    names = list(values)
    selected = rows.annotate(**{f"new_{name}": value for name, value in values.items()})
    sql, params = selected.values(*(f"new_{name}" for name in names)).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in names]
    keys = [quote(model._meta.get_field(name).column) for name in conflict]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    # SQLite needs the SELECT of an upsert to have a WHERE clause; `rows` always filters.
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) {sql} "  # noqa: S608
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )
    return statement, params


def _rows_of(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    return Patient.objects.filter(pk__in=patients.order_by().values("pk")).order_by()


def stale_points(patients: QuerySet[Patient], thresholds: Thresholds | None) -> QuerySet[Patient]:
    """The patients without a row computed with `thresholds`' windows (with None: without a
    row), each found by one primary-key lookup."""
    rows = OutcomePoints.objects.filter(patient=OuterRef("pk"))
    if thresholds is not None:
        rows = rows.filter(basis=basis_of(point_windows(thresholds)))
    return patients.order_by().filter(~Exists(rows))


def refresh_points(patients: QuerySet[Patient], thresholds: Thresholds) -> None:
    """Write the OutcomePoints rows of `patients` with the windows of `thresholds`."""
    values = _point_values(point_windows(thresholds))
    _upsert(OutcomePoints, _rows_of(patients), values, conflict=["patient"])


def _refresh_patient_points(patient_id: int, thresholds: Thresholds) -> None:
    windows = point_windows(thresholds)
    _upsert_one(
        ("points", basis_of(windows)),
        patient_id,
        lambda rows: _upsert_statement(
            OutcomePoints, rows, _point_values(windows), conflict=["patient"]
        ),
    )


def refresh_due_points(patients: QuerySet[Patient], code: str, schedule: Schedule) -> bool:
    """Write the DuePointAnswers rows of `patients` for one schedule; False when it has more
    due points than a row holds (its figures are then counted from the responses)."""
    windows = due_windows(schedule)
    if not windows or len(windows) > MAX_DUE_POINTS:
        return False
    _upsert(DuePointAnswers, _rows_of(patients), *_due_point_values(code, schedule))
    return True


def _due_point_values(code: str, schedule: Schedule) -> tuple[dict, list[str]]:
    windows = due_windows(schedule)
    codes = [code, *schedule.satisfied_by]
    values = {
        "patient": F("pk"),
        "instrument": Value(code),
        "windows": Value(windows_key(windows, codes)),
        "answered": _answered_mask(codes, windows),
    }
    return values, ["patient", "instrument"]


def _refresh_patient_due_points(patient_id: int, code: str, schedule: Schedule) -> None:
    key = windows_key(due_windows(schedule), [code, *schedule.satisfied_by])
    _upsert_one(
        ("due", code, key),
        patient_id,
        lambda rows: _upsert_statement(DuePointAnswers, rows, *_due_point_values(code, schedule)),
    )


def kept_schedules(schedules: dict[str, Schedule]) -> dict[str, Schedule]:
    """The schedules whose due points a row holds (not more than MAX_DUE_POINTS of them)."""
    return {
        code: schedule
        for code, schedule in schedules.items()
        if 0 < len(due_windows(schedule)) <= MAX_DUE_POINTS
    }


def stale_due_points(patients: QuerySet[Patient], schedules: dict[str, Schedule]):
    """The patients lacking a current row of due points for one of `schedules` (those a row
    holds), each found by primary-key lookups."""
    missing = [
        ~Exists(
            DuePointAnswers.objects.filter(
                patient=OuterRef("pk"),
                instrument=code,
                windows=windows_key(due_windows(schedule), [code, *schedule.satisfied_by]),
            )
        )
        for code, schedule in kept_schedules(schedules).items()
    ]
    if not missing:
        return patients.none()
    return patients.order_by().filter(reduce(operator.or_, missing))


def refresh_after_save(
    patient: Patient, thresholds: Thresholds, schedules: dict[str, Schedule] | None = None
) -> None:
    """Write one patient's rows again after a check-in (and, given `schedules`, a
    questionnaire) was saved, inside the save's transaction.

    Derived data must never cost a patient their answers: should writing it fail, the rows
    stay deleted (by the triggers) and the outcome figures write them when next counted.
    """
    try:
        with transaction.atomic():
            _refresh_patient_points(patient.pk, thresholds)
            for code, schedule in kept_schedules(schedules or {}).items():
                _refresh_patient_due_points(patient.pk, code, schedule)
    except Exception:  # noqa: BLE001 - see the docstring: the save must go through
        logger.exception("Outcome values of patient %s not written", patient.pk)
