"""Recording a daily check-in: the one path used by the form, the diary import and the demo.

A check-in, its revision and whatever the rules raise are written in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.models import CheckIn, CheckInRevision, Patient, QuestionnaireResponse, Source, User
from tracker.programmes.changes import exercise_totals, record_exercise_logs
from tracker.timeline import DayRecord, Finding, Timeline


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
    The same `submission_id` is applied once only, however often it arrives.
    `notify=False` (imports of past days) raises flags without sending notifications.
    """
    submission_id = submission_id or uuid.uuid4()
    try:
        with transaction.atomic():
            return _apply(patient, day, answers, by, submission_id, source, notify)
    except IntegrityError:
        # A concurrent request applied the same submission first.
        if not CheckInRevision.objects.filter(submission_id=submission_id).exists():
            raise
    checkin = CheckIn.objects.get(patient=patient, day=day)
    return CheckInResult(
        checkin, created=False, repeated=True, findings=safety_findings(patient, checkin)
    )


def _apply(patient, day, answers, by, submission_id, source, notify) -> CheckInResult:
    applied = (
        CheckInRevision.objects.filter(submission_id=submission_id)
        .select_related("checkin")
        .first()
    )
    if applied is not None:
        checkin = applied.checkin
        return CheckInResult(
            checkin, created=False, repeated=True, findings=safety_findings(patient, checkin)
        )

    now = timezone.now()
    checkin, created = _lock_or_create(patient, day, now)
    before = {} if created else checkin.answers()
    for name in CheckIn.ANSWER_FIELDS:
        value = answers.get(name)
        if name in ("symptoms", "safety"):
            value = dict(value or {})
        elif name in ("leg_side", "note"):
            value = value or ""
        setattr(checkin, name, value)
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
    when those were submitted; the response to a check-in speaks of the check-in.
    """
    from tracker.rules.registry import safety_findings_for_day

    timeline = patient_timeline(patient)
    findings = safety_findings_for_day(timeline, checkin.day, thresholds_for(patient))
    return findings_dated(findings, checkin.day)


def findings_dated(findings: list[Finding], day: date) -> list[Finding]:
    wanted = day.isoformat()
    return [f for f in findings if any(e.get("date") == wanted for e in f.evidence)]


def after_checkin_saved(patient: Patient, checkin: CheckIn, *, notify: bool) -> list[Finding]:
    """The one place the rules run after a check-in is saved, inside its transaction.

    Flags are stored for the care team; the patient is told what this check-in raised (the
    §3 answers of its day) and any pattern that became a flag just now.
    """
    from tracker.flags.engine import evaluate_patient

    findings, outcome = evaluate_patient(
        patient, checkin.day, fresh_days=frozenset({checkin.day}), notify=notify
    )
    news = {flag.rule_id for flag in outcome.opened + outcome.escalated}
    dated = findings_dated(findings, checkin.day)
    return [
        f for f in findings if (f.rule_id.startswith("RF-") and f in dated) or f.rule_id in news
    ]


def thresholds_for(patient: Patient):
    from tracker.flags.engine import thresholds_for as clinic_thresholds

    return clinic_thresholds(patient)


def patient_timeline(patient: Patient) -> Timeline:
    """The patient's whole timeline, in a constant number of queries whatever its length."""
    return next(iter(patient_timelines([patient])))[1]


def patient_timelines(patients, batch_size: int = 200):
    """(patient, timeline) for many patients, a constant number of queries per batch."""
    batch: list[Patient] = []
    for patient in patients:
        batch.append(patient)
        if len(batch) == batch_size:
            yield from _timelines(batch)
            batch = []
    if batch:
        yield from _timelines(batch)


TIMELINE_FIELDS = (
    "day",
    "back_pain",
    "leg_pain",
    "leg_side",
    "symptoms",
    "safety",
    "temperature_c",
    "walking_minutes",
    "opioid_doses",
    "took_other_painkillers",
    "took_nerve_pain_medicine",
    "sleep_disturbance",
)


def _timelines(patients: list[Patient]):
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
