"""The test factories: one for users, one for patients, one for flags. Plain defaults, every
field can be overridden by keyword, nothing random."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tracker.models import CareTeamMember, Clinic, Flag, FlagLevel, FlagStatus, Patient, Role, User
from tracker.timeline import Level

PASSWORD = "correct horse battery staple"


def make_user(email: str, role: Role, clinic: Clinic | None, **fields) -> User:
    """A user who signs in with `PASSWORD`; the name defaults to the e-mail's local part."""
    return User.objects.create_user(
        email=email,
        password=PASSWORD,
        full_name=fields.pop("full_name", email.split("@")[0].title()),
        role=role,
        clinic=clinic,
        **fields,
    )


def make_patient(
    email: str, clinic: Clinic, *, surgery_days_ago: int = 20, team=(), **fields
) -> Patient:
    """A patient of `clinic` operated on `surgery_days_ago` days before today (L4–L5, London),
    with `team` as their care team. Other keywords set Patient fields."""
    user = make_user(email, Role.PATIENT, clinic, full_name=fields.pop("full_name", "Pat Example"))
    patient = Patient.objects.create(
        user=user,
        clinic=clinic,
        date_of_birth=date(1960, 5, 17),
        surgery_date=timezone.localdate() - timedelta(days=surgery_days_ago),
        levels="L4–L5",
        time_zone=fields.pop("time_zone", "Europe/London"),
        **fields,
    )
    for member in team:
        CareTeamMember.objects.create(patient=patient, staff=member)
    return patient


def make_flag(
    patient: Patient,
    rule_id: str = "RF-FEVER",
    level: str = FlagLevel.URGENT,
    *,
    days_ago: int = 0,
    status: str = FlagStatus.OPEN,
    evidence: dict | None = None,
    **fields,
) -> Flag:
    """A flag as the engine stores it: its one evidence day `days_ago` days before the
    patient's today, opened that long ago. `evidence` holds the values seen on that day;
    other keywords set Flag fields (opened_at, first_evidence_day, resolved_by, ...)."""
    day = patient.local_date() - timedelta(days=days_ago)
    values = {
        "patient": patient,
        "rule_id": rule_id,
        "level": level,
        "level_rank": Level(level).rank,
        "status": status,
        "patient_message": "Call your surgical team today.",
        "clinician_explanation": f"What {rule_id} found.",
        "reference": f"clinical-reference {rule_id}",
        "evidence": [{"date": day.isoformat(), **(evidence or {})}],
        "first_evidence_day": day,
        "last_evidence_day": day,
        "opened_at": timezone.now() - timedelta(days=days_ago),
    }
    values.update(fields)
    return Flag.objects.create(**values)
