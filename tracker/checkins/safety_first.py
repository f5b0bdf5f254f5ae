"""Safety answers are kept even when the rest of a submission is wrong (clinical-reference §0.1).

A patient who answers "yes" to losing bladder control and leaves back pain empty must still
see the emergency screen, and the care team must still get the flag and its e-mail. So when a
check-in form does not validate, the answers that passed their own checks are recorded over
the day's saved ones, and kept only if they raise an emergency or urgent finding; otherwise
nothing is written and the form is shown again as usual.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import transaction

from tracker.checkins.recording import CheckInResult, record_checkin
from tracker.models import CheckIn, Patient, Source, User
from tracker.models.checkins import ANSWER_FIELDS, SCALAR_ANSWER_FIELDS, YES_NO_ANSWER_FIELDS
from tracker.timeline import Finding, Level
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES, SIDED_SYMPTOMS, SYMPTOM_CODES

# The levels that must reach the patient and the care team at once, whatever else is wrong.
ACT_NOW_LEVELS = (Level.EMERGENCY, Level.URGENT)


def acts_now(findings: list[Finding]) -> bool:
    return any(f.level in ACT_NOW_LEVELS for f in findings)


def partial_answers(
    form, existing: CheckIn | None, *, readings: list | None = None, time_default=None
) -> dict:
    """The answers of an invalid check-in form that passed their own checks, laid over the
    day's saved answers (or nothing). A field with an error keeps its saved value.

    The day's temperature readings stay; the form's new reading is added when both its value
    and its time passed. `readings`: a diary row's valid readings, added instead of the
    form's one. `time_default` stands for the reading's time when the form left it empty
    (see `set_answers`).
    """
    answers = existing.answers() if existing else dict.fromkeys(ANSWER_FIELDS)
    # The saved readings stay whatever happens; only a new one is added (set_answers).
    answers.pop("temperature_readings", None)
    answers["temperature_c"] = None
    answers["symptoms"] = dict(answers.get("symptoms") or {})
    answers["safety"] = dict(answers.get("safety") or {})
    errors = form.errors  # validates the form first if nobody has
    cleaned = getattr(form, "cleaned_data", {})
    for name in SCALAR_ANSWER_FIELDS:
        if name in errors or name not in cleaned or name == "temperature_c":
            continue
        value = cleaned[name]
        if name in YES_NO_ANSWER_FIELDS:
            value = {"yes": True, "no": False}.get(value or "")
        if value in (None, "") and answers.get(name) not in (None, ""):
            continue  # an empty field does not wipe what was saved earlier today
        answers[name] = value
    for code in SAFETY_ANSWER_CODES:
        value = cleaned.get(f"safety_{code}")
        if f"safety_{code}" not in errors and value in ("yes", "no"):
            answers["safety"][code] = value == "yes"
    for code in SYMPTOM_CODES:
        if not cleaned.get(f"symptom_{code}"):
            continue
        side = cleaned.get(f"symptom_{code}_side", "") if code in SIDED_SYMPTOMS else ""
        if f"symptom_{code}_side" in errors:
            side = answers["symptoms"].get(code, "")
        answers["symptoms"][code] = side
    if not {"temperature_c", "temperature_time"} & set(errors):
        answers["temperature_c"] = cleaned.get("temperature_c")
        answers["temperature_time"] = cleaned.get("temperature_time") or time_default
    if answers.get("temperature_c") is not None and not answers["safety"].get("feverish"):
        answers["temperature_c"] = None  # a new reading is taken only with a fever
    if readings:
        # A diary row's readings, its `temperature_c` among them (time not known).
        answers["temperature_readings"] = list(readings)
    if not answers["safety"].get("new_numbness"):
        answers["new_numbness_side"] = ""
    if answers.get("leg_side") is None:
        answers["leg_side"] = ""
    if answers.get("note") is None:
        answers["note"] = ""
    answers["exercises"] = None  # exercise answers wait for the corrected form
    return answers


def record_safety_answers(
    patient: Patient,
    day: date,
    form,
    *,
    by: User | None,
    submission_id: uuid.UUID | None,
    source: str = Source.FORM,
    notify: bool = True,
    readings: list | None = None,
    time_default=None,
) -> CheckInResult | None:
    """Record what is valid of an invalid form when it raises an emergency or urgent finding.

    Returns the result (the check-in as stored, its findings) when something was kept, and
    None when nothing was: the submission raised nothing that must act now.
    """
    existing = patient.checkins.filter(day=day).first()
    answers = partial_answers(form, existing, readings=readings, time_default=time_default)
    with transaction.atomic():
        result = record_checkin(
            patient,
            day,
            answers,
            by=by,
            submission_id=submission_id,
            source=source,
            notify=notify,
        )
        if not acts_now(result.findings):
            transaction.set_rollback(True)
            return None
    return result
