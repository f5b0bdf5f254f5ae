"""Exercise programmes (clinical-reference §6): the one place they are changed and logged.

Every change to a programme goes through these functions, which write the change history
the patient sees ("what changed"). Exercise logs are written by `record_exercise_logs`,
called by `tracker.checkins.recording.record_checkin` inside the check-in's transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker.models import (
    CheckIn,
    Clinic,
    Exercise,
    ExerciseLog,
    Patient,
    Programme,
    ProgrammeChange,
    ProgrammeItem,
    Restriction,
    User,
)
from tracker.models.programmes import DOSE_FIELDS, MAX_SESSIONS_LOGGED
from tracker.programmes.library import (
    DEFAULT_RESTRICTIONS,
    PHASES,
    default_restriction_until,
)
from tracker.timeline import DayRecord
from tracker.trends.series import ExerciseSessions

ITEM_FIELDS = (*DOSE_FIELDS, "each_side", "start_week", "end_week", "note")


def library_for(clinic: Clinic | None) -> QuerySet[Exercise]:
    """The seeded library and the clinic's own exercises."""
    return Exercise.objects.filter(clinic__isnull=True) | Exercise.objects.filter(clinic=clinic)


def dose_text(dose) -> str:
    """A dose in plain words, e.g. "10 repetitions, 5 s hold, each side · 2 times a day"."""
    parts = []
    if dose.sets:
        parts.append(ngettext("%(n)s set", "%(n)s sets", dose.sets) % {"n": dose.sets})
    if dose.repetitions:
        parts.append(
            ngettext("%(n)s repetition", "%(n)s repetitions", dose.repetitions)
            % {"n": dose.repetitions}
        )
    if dose.hold_seconds:
        parts.append(_("hold %(n)s s") % {"n": dose.hold_seconds})
    if dose.minutes:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", dose.minutes) % {"n": dose.minutes})
    if dose.each_side:
        parts.append(_("each side"))
    sessions = ngettext("once a day", "%(n)s times a day", dose.sessions_per_day) % {
        "n": dose.sessions_per_day
    }
    if dose.days_per_week and dose.days_per_week < 7:
        sessions += ", " + ngettext("%(n)s day a week", "%(n)s days a week", dose.days_per_week) % {
            "n": dose.days_per_week
        }
    return ", ".join(parts) + (" · " if parts else "") + sessions


# Programmes --------------------------------------------------------------------------------


def active_programme(patient: Patient) -> Programme | None:
    return patient.programmes.filter(active=True).first()


def programme_for_editing(patient: Patient, by: User) -> Programme:
    """The patient's active programme, started (empty) when there is none."""
    programme = active_programme(patient)
    if programme is None:
        programme = Programme.objects.create(patient=patient, created_by=by)
    return programme


def current_items(programme: Programme | None) -> QuerySet[ProgrammeItem]:
    if programme is None:
        return ProgrammeItem.objects.none()
    return programme.items.filter(removed_at__isnull=True).select_related("exercise")


def record_change(programme: Programme, by: User | None, summary: str, details: list) -> None:
    ProgrammeChange.objects.create(
        programme=programme, changed_by=by, summary=summary, details=details
    )


@transaction.atomic
def add_item(programme: Programme, exercise: Exercise, values: dict, by: User) -> ProgrammeItem:
    item = ProgrammeItem(programme=programme, exercise=exercise)
    for name in ITEM_FIELDS:
        if name in values:
            setattr(item, name, values[name])
    item.full_clean()
    item.save()
    record_change(
        programme,
        by,
        _("Added %(exercise)s: %(dose)s, %(weeks)s.")
        % {"exercise": exercise.name, "dose": dose_text(item), "weeks": item.weeks_label},
        [{"exercise": exercise.name, "field": "added", "before": None, "after": item_values(item)}],
    )
    return item


def item_values(item: ProgrammeItem) -> dict:
    return {name: getattr(item, name) for name in ITEM_FIELDS}


FIELD_WORDS = {
    "sets": _("sets"),
    "repetitions": _("repetitions"),
    "hold_seconds": _("hold (seconds)"),
    "minutes": _("minutes"),
    "sessions_per_day": _("sessions a day"),
    "days_per_week": _("days a week"),
    "each_side": _("each side"),
    "start_week": _("start week"),
    "end_week": _("end week"),
    "note": _("note"),
}


def shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


@transaction.atomic
def update_item(item: ProgrammeItem, values: dict, by: User) -> bool:
    """Apply new dose and weeks; returns False (and records nothing) when nothing changed."""
    before = item_values(item)
    for name in ITEM_FIELDS:
        if name in values:
            setattr(item, name, values[name])
    after = item_values(item)
    changed = [name for name in ITEM_FIELDS if before[name] != after[name]]
    if not changed:
        return False
    item.full_clean()
    item.save(update_fields=changed)
    words = "; ".join(
        _("%(field)s %(before)s → %(after)s")
        % {"field": FIELD_WORDS[name], "before": shown(before[name]), "after": shown(after[name])}
        for name in changed
    )
    record_change(
        item.programme,
        by,
        _("Changed %(exercise)s: %(changes)s.")
        % {"exercise": item.exercise.name, "changes": words},
        [
            {
                "exercise": item.exercise.name,
                "field": name,
                "before": before[name],
                "after": after[name],
            }
            for name in changed
        ],
    )
    return True


@transaction.atomic
def remove_item(item: ProgrammeItem, by: User) -> None:
    item.removed_at = timezone.now()
    item.save(update_fields=["removed_at"])
    record_change(
        item.programme,
        by,
        _("Stopped %(exercise)s.") % {"exercise": item.exercise.name},
        [{"exercise": item.exercise.name, "field": "removed", "before": None, "after": None}],
    )


def library_values(exercise: Exercise) -> dict:
    """An exercise's default dose over its usual weeks (§6)."""
    values = exercise.dose_values()
    values.update(start_week=exercise.phase_start_week, end_week=exercise.phase_end_week)
    return values


def template_values(exercise: Exercise, phase: str) -> dict:
    """An exercise's default dose, within the weeks of a §6 phase."""
    phase_start, phase_end = PHASES[phase]
    start = max(exercise.phase_start_week, phase_start)
    ends = [end for end in (exercise.phase_end_week, phase_end) if end is not None]
    values = exercise.dose_values()
    values.update(start_week=start, end_week=min(ends) if ends else None)
    return values


def template_exercises(clinic: Clinic | None, phase: str) -> list[Exercise]:
    """The library exercises whose usual weeks overlap the phase (§6)."""
    phase_start, phase_end = PHASES[phase]
    return [
        exercise
        for exercise in library_for(clinic).filter(clinic__isnull=True)
        if (phase_end is None or exercise.phase_start_week < phase_end)
        and (exercise.phase_end_week is None or exercise.phase_end_week > phase_start)
    ]


@transaction.atomic
def apply_phase_template(programme: Programme, phase: str, by: User) -> list[ProgrammeItem]:
    """Add the phase's exercises the programme does not have yet, with default doses."""
    present = set(current_items(programme).values_list("exercise_id", flat=True))
    return [
        add_item(programme, exercise, template_values(exercise, phase), by)
        for exercise in template_exercises(programme.patient.clinic, phase)
        if exercise.pk not in present
    ]


def prescribed_items(patient: Patient) -> QuerySet[ProgrammeItem]:
    """The current items of the patient's active programme, without fetching the programme."""
    return ProgrammeItem.objects.filter(
        programme__patient=patient, programme__active=True, removed_at__isnull=True
    ).select_related("exercise")


def scheduled_items(patient: Patient, day: date) -> list[ProgrammeItem]:
    """The exercises prescribed to `patient` on `day` (one query)."""
    return [
        item for item in prescribed_items(patient) if item.scheduled_on(day, patient.surgery_date)
    ]


# Exercise logs --------------------------------------------------------------------------


def record_exercise_logs(checkin: CheckIn, exercises: dict | None) -> None:
    """Write what the patient did of each exercise prescribed on the check-in's day.

    `exercises` maps a programme item's public id (text) to {"done": sessions or None,
    "pain": 0-10 or None, "too_hard": bool}. None means the exercises were not asked about
    (a diary import): nothing is written. When they were asked, every exercise prescribed
    that day gets a log; one left unanswered counts as not done.
    Called inside the check-in's transaction; a constant number of queries per call.
    """
    if exercises is None:
        return
    patient = checkin.patient
    items = {
        str(item.public_id): item
        for item in prescribed_items(patient)
        if item.scheduled_on(checkin.day, patient.surgery_date) or str(item.public_id) in exercises
    }
    existing = {log.item_id: log for log in checkin.exercise_logs.all()}
    now = timezone.now()
    new, changed = [], []
    for key, item in items.items():
        answer = exercises.get(key) or {}
        prescribed = min(max(item.sessions_per_day, 1), MAX_SESSIONS_LOGGED)
        done = answer.get("done")
        values = {
            "sessions_done": min(max(int(done or 0), 0), prescribed),
            "sessions_prescribed": prescribed,
            "pain_during": answer.get("pain"),
            "too_hard": bool(answer.get("too_hard")),
            "updated_at": now,
        }
        log = existing.get(item.pk)
        if log is None:
            new.append(ExerciseLog(checkin=checkin, item=item, **values))
        else:
            for name, value in values.items():
                setattr(log, name, value)
            changed.append(log)
    ExerciseLog.objects.bulk_create(new)
    ExerciseLog.objects.bulk_update(
        changed, ["sessions_done", "sessions_prescribed", "pain_during", "too_hard", "updated_at"]
    )


def logged_answers(checkin: CheckIn | None) -> dict:
    """A saved check-in's exercise answers, in the shape `record_exercise_logs` takes."""
    if checkin is None:
        return {}
    return {
        str(log.item.public_id): {
            "done": log.sessions_done,
            "pain": log.pain_during,
            "too_hard": log.too_hard,
        }
        for log in checkin.exercise_logs.select_related("item")
    }


def day_record(checkin: CheckIn, totals: dict[int, tuple[int, int]]) -> DayRecord:
    """The check-in's day record with `exercise_done` / `exercise_prescribed` filled in."""
    record = checkin.as_day_record()
    if checkin.pk in totals:
        done, prescribed = totals[checkin.pk]
        record = replace(record, exercise_done=done, exercise_prescribed=prescribed)
    return record


def exercise_sessions(patient: Patient, start: date, end: date) -> list[ExerciseSessions]:
    """Each exercise log of `patient` dated start … end, as plain data for the trends."""
    logs = ExerciseLog.objects.filter(
        checkin__patient=patient, checkin__day__range=(start, end)
    ).values("checkin__day", "item__exercise__name", "sessions_done", "sessions_prescribed")
    return [
        ExerciseSessions(
            row["checkin__day"],
            row["item__exercise__name"],
            row["sessions_done"],
            row["sessions_prescribed"],
        )
        for row in logs
    ]


# Restrictions ---------------------------------------------------------------------------


def restrictions_in_force(patient: Patient, day: date | None = None) -> QuerySet[Restriction]:
    return patient.restrictions.in_force(day or patient.local_date())


@transaction.atomic
def apply_default_restrictions(patient: Patient, by: User) -> list[Restriction]:
    """The §6 default restrictions that are not already in force, dated from surgery."""
    today = patient.local_date()
    present = set(restrictions_in_force(patient, today).values_list("kind", flat=True))
    created = []
    for default in DEFAULT_RESTRICTIONS:
        until = default_restriction_until(patient.surgery_date, default.weeks)
        if default.kind in present or (until is not None and until < today):
            continue
        created.append(
            Restriction.objects.create(
                patient=patient, kind=default.kind, text=_(default.text), until=until, set_by=by
            )
        )
    return created


def lift_restriction(restriction: Restriction, by: User) -> None:
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = by
    restriction.save(update_fields=["lifted_at", "lifted_by"])
