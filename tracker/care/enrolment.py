"""Enrolling patients, inviting staff, and accepting invitations.

Invitation links are issued by the e-mail worker, never here: `send_invitation` records an
invitation whose stored hash no token can produce and queues its id; the worker's
`invitation_letter` draws the token, keeps only its hash and e-mails the link (see
`tracker.messaging.emails`). The clear token is therefore never written anywhere.

Enrolling an address that already has an account in another clinic must not tell the staff
member that this stranger uses Laminar elsewhere. `enrol_patient` then changes nothing,
e-mails the account holder that a clinic tried to enrol them, and returns exactly what the
caller would show after a normal enrolment.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tracker.messaging import emails
from tracker.models import CareTeamMember, Clinic, Invitation, Patient, Role, User
from tracker.models.people import hash_token

UNSENT_PREFIX = "unsent-"


class AlreadyEnrolled(Exception):
    """The address belongs to someone in the enrolling clinic (staff may be told so)."""


class Enrolment(NamedTuple):
    """The outcome of `enrol_patient`. `patient` is None when the address belongs to someone
    outside the clinic: views must answer the same way either way."""

    patient: Patient | None
    invitation: Invitation | None


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("accept-invitation", args=[token])


def unsent_token_hash() -> str:
    """A unique stand-in for `token_hash`: not hexadecimal, so no token's SHA-256 matches it."""
    return UNSENT_PREFIX + secrets.token_hex(28)


def send_invitation(user: User, invited_by: User | None) -> Invitation:
    """Record an invitation and queue its e-mail; the worker issues the link."""
    invitation = Invitation.objects.create(
        token_hash=unsent_token_hash(),
        user=user,
        created_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    emails.queue("invitation", invitation.pk)
    return invitation


def invitation_letter(invitation_id: int) -> emails.Letter | None:
    """In the worker: a fresh token for the invitation (only its hash is saved) and its e-mail.

    Running twice issues a second token and the first link stops working, so at most one
    link per invitation is ever valid. A spent invitation is not re-issued.
    """
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    issued = Invitation.objects.filter(
        pk=invitation_id, used_at__isnull=True, user__is_active=True
    ).update(token_hash=hash_token(token), expires_at=expires_at)
    if not issued:
        return None
    user = User.objects.select_related("clinic").get(invitations__pk=invitation_id)
    context = {
        "name": user.full_name,
        "clinic": user.clinic.name if user.clinic else "Laminar",
        "days": settings.INVITATION_VALID_DAYS,
        "link": invitation_link(token),
    }
    return emails.Letter(user.email, context)


@transaction.atomic
def enrol_patient(clinic: Clinic, data: dict, enrolled_by: User) -> Enrolment:
    """Create the patient and queue their invitation (see the module note on existing
    addresses). Raises AlreadyEnrolled for an address already used in this clinic."""
    email = User.objects.normalize_email(data["email"]).lower()
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return _enrolment_attempt(clinic, existing)
    user = User.objects.create_user(
        email=email, full_name=data["full_name"], role=Role.PATIENT, clinic=clinic
    )
    patient = Patient.objects.create(
        user=user,
        clinic=clinic,
        date_of_birth=data["date_of_birth"],
        surgery_date=data["surgery_date"],
        procedure=data["procedure"],
        levels=data["levels"],
        surgeon=data.get("surgeon"),
        baseline_back_pain=data.get("baseline_back_pain"),
        baseline_leg_pain=data.get("baseline_leg_pain"),
        time_zone=data["time_zone"],
        enrolled_by=enrolled_by,
    )
    set_care_team(patient, data["care_team"])
    return Enrolment(patient, send_invitation(user, enrolled_by))


def _enrolment_attempt(clinic: Clinic, existing: User) -> Enrolment:
    if existing.clinic_id == clinic.pk:
        raise AlreadyEnrolled(existing.email)
    # Someone elsewhere: they hear about it, the enrolling clinic learns nothing.
    emails.queue("enrolment_attempt", existing.pk, clinic.pk)
    return Enrolment(None, None)


def enrolment_attempt_letter(user_id: int, clinic_id: int) -> emails.Letter | None:
    """In the worker: tell an account holder that another clinic tried to enrol them."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if user is None or clinic is None:
        return None
    context = {
        "name": user.full_name,
        "clinic": clinic.name,
        "link": settings.SITE_URL + reverse("login"),
    }
    return emails.Letter(user.email, context)


def set_care_team(patient: Patient, staff: list[User]) -> None:
    wanted = {member.pk for member in staff}
    patient.memberships.exclude(staff_id__in=wanted).delete()
    existing = set(patient.memberships.values_list("staff_id", flat=True))
    CareTeamMember.objects.bulk_create(
        [CareTeamMember(patient=patient, staff_id=pk) for pk in sorted(wanted - existing)]
    )


@transaction.atomic
def invite_staff(clinic: Clinic, data: dict, invited_by: User) -> tuple[User, Invitation]:
    user = User.objects.create_user(
        email=data["email"],
        full_name=data["full_name"],
        role=data["role"],
        clinician_kind=data.get("clinician_kind", ""),
        clinic=clinic,
    )
    return user, send_invitation(user, invited_by)


@transaction.atomic
def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the password and spend the invitation. Refuses an invitation already used."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.used_at is not None or locked.expires_at <= timezone.now():
        raise ValueError("This invitation has already been used or has expired.")
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    user = locked.user
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
