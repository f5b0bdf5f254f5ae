"""Recording a daily check-in: the one path used by the form, the diary import and the demo.

A check-in, its revision and whatever the rules raise are written in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.flags.engine import evaluate_patient, thresholds_for
from tracker.models import CheckIn, CheckInRevision, Patient, Source, User
from tracker.models.checkins import (
    READING_ANSWER_FIELDS,
    reading,
    reading_time,
    reading_value,
)
from tracker.models.outcome_points import refresh_after_save
from tracker.models.summaries import write_summaries
from tracker.models.timelines import rule_timeline
from tracker.programmes.changes import record_exercise_logs
from tracker.rules.registry import RED_FLAG_RULES, days_needed_for, safety_findings_for_day
from tracker.timeline import Finding

# `answers["temperature_time"]` when nobody knows when the reading was taken (a phone that did
# not say, a diary without a time).
TIME_NOT_KNOWN = "not-known"


@dataclass
class CheckInResult:
    checkin: CheckIn
    created: bool
    # True when this submission had already been applied (double tap, retry): nothing changed.
    repeated: bool = False
    # What the safety rules noticed on this day, most severe first (clinical-reference §3).
    findings: list[Finding] = field(default_factory=list)


def record_checkin(
    patient: Patient,
    day: date,
    answers: dict,
    *,
    by: User | None,
    submission_id: uuid.UUID | None = None,
    source: str = Source.FORM,
    notify: bool = True,
) -> CheckInResult:
    """Create or update `patient`'s check-in for `day` with validated `answers`.

    `answers` holds every field of CheckIn.ANSWER_FIELDS (None or "" for not answered): a
    submission replaces the day's answers and the previous ones are kept in a revision.
    Temperature readings are added to the day's, never replaced (see `set_answers`).
    The same `submission_id` is applied once only, however often it arrives.
    `notify=False` (imports of past days) raises flags without sending notifications.
    """
    submission_id = submission_id or uuid.uuid4()
    try:
        with transaction.atomic():
            return _apply(patient, day, answers, by, submission_id, source, notify)
    except IntegrityError:
        # A concurrent request of this patient's applied the same submission first.
        applied = CheckInRevision.objects.filter(
            submission_id=submission_id, checkin__patient=patient
        )
        if not applied.exists():
            raise
    checkin = CheckIn.objects.get(patient=patient, day=day)
    return CheckInResult(
        checkin, created=False, repeated=True, findings=safety_findings(patient, checkin)
    )


def set_answers(checkin: CheckIn, answers: dict, now: datetime | None = None) -> None:
    """Put `answers` (every field of ANSWER_FIELDS, None or "" for not answered) on `checkin`.

    Temperatures (RF-FEVER) are readings added to those the day already has, so a second
    check-in the same day with another temperature keeps both:
    - `temperature_readings` (a list as `CheckIn.answers()` gives it): each is added; the
      `temperature_c` beside it is then only their summary, as in `answers()`;
    - otherwise `temperature_c` is one reading, taken at `temperature_time`: a clock time on
      the check-in's day in the patient's time zone, an aware datetime, None for "just now"
      (this submission's moment, when that falls on the check-in's day), or TIME_NOT_KNOWN.
    A reading already held (same time and value, or a value without time that the day holds)
    is not added twice. `temperature_c` is stored as the day's highest reading.
    """
    for name in CheckIn.ANSWER_FIELDS:
        if name in READING_ANSWER_FIELDS or name == "temperature_c":
            continue
        value = answers.get(name)
        if name in ("symptoms", "safety"):
            value = dict(value or {})
        elif name in ("leg_side", "note", "new_numbness_side"):
            value = value or ""
        setattr(checkin, name, value)
    readings = [dict(entry) for entry in checkin.temperature_readings or []]
    for entry in _new_readings(checkin, answers, now or timezone.now()):
        if not _held(readings, entry):
            readings.append(entry)
    readings.sort(key=lambda entry: (entry["at"] is not None, entry["at"] or ""))
    checkin.temperature_readings = readings
    checkin.temperature_c = max((reading_value(e) for e in readings), default=None)


def _new_readings(checkin: CheckIn, answers: dict, now: datetime) -> list[dict]:
    if answers.get("temperature_readings") is not None:
        return [reading(reading_time(e), reading_value(e)) for e in answers["temperature_readings"]]
    if answers.get("temperature_c") is None:
        return []
    at = reading_moment(checkin, answers.get("temperature_time"), now)
    return [reading(at, answers["temperature_c"])]


def _held(readings: list[dict], entry: dict) -> bool:
    value = reading_value(entry)
    if entry["at"] is None:
        return any(reading_value(other) == value for other in readings)
    return any(
        reading_value(other) == value and reading_time(other) == reading_time(entry)
        for other in readings
    )


def reading_moment(checkin: CheckIn, when, now: datetime) -> datetime | None:
    """When a reading was taken, in UTC to the minute (see `set_answers` for `when`).

    None (not known) for TIME_NOT_KNOWN, a time later than `now`, or one off the check-in's
    day: the form refuses those with a message, and nothing else may store a wrong time.
    """
    if when == TIME_NOT_KNOWN or checkin.patient_id is None:
        return None
    zone = checkin.patient.zone
    if isinstance(when, datetime):
        at = when
    elif isinstance(when, time):
        at = datetime.combine(checkin.day, when.replace(tzinfo=None), tzinfo=zone)
    else:
        at = now
    if at.utcoffset() is None:
        return None
    at = at.astimezone(UTC).replace(second=0, microsecond=0)
    if at > now or at.astimezone(zone).date() != checkin.day:
        return None
    return at


def answers_as_stored(answers: dict) -> dict:
    """`answers` as a revision stores them (`CheckIn.answers()`), to compare with one."""
    checkin = CheckIn()
    set_answers(checkin, answers)
    return checkin.answers()


def _apply(patient, day, answers, by, submission_id, source, notify) -> CheckInResult:
    applied = (
        CheckInRevision.objects.filter(submission_id=submission_id)
        .select_related("checkin")
        .first()
    )
    if applied is not None and applied.checkin.patient_id != patient.pk:
        # An id copied from another patient's form must neither show nor swallow theirs.
        submission_id, applied = uuid.uuid4(), None
    if applied is not None:
        checkin = applied.checkin
        return CheckInResult(
            checkin, created=False, repeated=True, findings=safety_findings(patient, checkin)
        )

    now = timezone.now()
    checkin, created = _lock_or_create(patient, day, now)
    before = {} if created else checkin.answers()
    set_answers(checkin, answers, now)
    checkin.updated_at = now
    checkin.updated_by = by
    checkin.full_clean(exclude=["patient"], validate_unique=False, validate_constraints=False)
    checkin.save()
    record_exercise_logs(checkin, answers.get("exercises"))
    CheckInRevision.objects.create(
        checkin=checkin,
        submission_id=submission_id,
        changed_by=by,
        changed_at=now,
        source=source,
        before=before,
        after=checkin.answers(),
    )
    findings = after_checkin_saved(patient, checkin, notify=notify)
    return CheckInResult(checkin, created=created, findings=findings)


def _lock_or_create(patient: Patient, day: date, now) -> tuple[CheckIn, bool]:
    existing = CheckIn.objects.select_for_update().filter(patient=patient, day=day).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return CheckIn.objects.create(patient=patient, day=day, created_at=now), True
    except IntegrityError:
        # Another submission for the same day created it a moment ago.
        return CheckIn.objects.select_for_update().get(patient=patient, day=day), False


def safety_findings(patient: Patient, checkin: CheckIn) -> list[Finding]:
    """The §3 findings that this check-in's answers raise (evidence dated on its day).

    Findings resting only on other days (a questionnaire answered last week, say) were shown
    when those were submitted; the response to a check-in speaks of the check-in. Only the
    days the §3 rules read are loaded (a few days, and the PHQ-9s of RF-PHQ9-ITEM9).
    """

    thresholds = thresholds_for(patient)
    needed = days_needed_for(RED_FLAG_RULES, patient.surgery_date, checkin.day, thresholds)
    timeline = rule_timeline(patient, needed)
    findings = safety_findings_for_day(timeline, checkin.day, thresholds)
    return findings_dated(findings, checkin.day)


def findings_dated(findings: list[Finding], day: date) -> list[Finding]:
    wanted = day.isoformat()
    return [f for f in findings if any(e.get("date") == wanted for e in f.evidence)]


def after_checkin_saved(patient: Patient, checkin: CheckIn, *, notify: bool) -> list[Finding]:
    """The one place the rules run after a check-in is saved, inside its transaction.

    Flags are stored for the care team; the patient is told what this check-in raised (the
    §3 answers of its day) and any pattern that became a flag just now. Only the rules whose
    window contains the check-in's day run, over the days they read (every §3 rule does: each
    reads the day itself); the others cannot find anything new in it.
    """

    refresh_after_save(patient, thresholds_for(patient))  # the clinic outcomes' row
    findings, outcome = evaluate_patient(
        patient,
        checkin.day,
        fresh_days=frozenset({checkin.day}),
        notify=notify,
        saved_day=checkin.day,
    )
    write_summaries([patient])  # the caseload's row, in this same transaction
    news = {flag.rule_id for flag in outcome.opened + outcome.escalated}
    dated = findings_dated(findings, checkin.day)
    return [
        f for f in findings if (f.rule_id.startswith("RF-") and f in dated) or f.rule_id in news
    ]
