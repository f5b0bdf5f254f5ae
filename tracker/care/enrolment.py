"""Enrolling patients, inviting staff, and accepting invitations."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.messaging.tasks import send_email
from tracker.models import CareTeamMember, Clinic, Invitation, Patient, Role, User


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("accept-invitation", args=[token])


def send_invitation(user: User, invited_by: User | None) -> str:
    """Issue an invitation and queue its e-mail; returns the link."""
    _invitation, token = Invitation.issue(user, invited_by)
    link = invitation_link(token)
    clinic_name = user.clinic.name if user.clinic else "Laminar"
    body = _(
        "Hello %(name)s,\n\n%(clinic)s has invited you to Laminar.\n"
        "Open this link to choose your password (it works once, for %(days)s days):\n\n"
        "%(link)s\n"
    ) % {
        "name": user.full_name,
        "clinic": clinic_name,
        "days": settings.INVITATION_VALID_DAYS,
        "link": link,
    }
    transaction.on_commit(
        lambda: send_email.enqueue([user.email], _("Your Laminar invitation"), body)
    )
    return link


@transaction.atomic
def enrol_patient(clinic: Clinic, data: dict, enrolled_by: User) -> tuple[Patient, str]:
    user = User.objects.create_user(
        email=data["email"], full_name=data["full_name"], role=Role.PATIENT, clinic=clinic
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
    link = send_invitation(user, enrolled_by)
    return patient, link


def set_care_team(patient: Patient, staff: list[User]) -> None:
    wanted = {member.pk for member in staff}
    patient.memberships.exclude(staff_id__in=wanted).delete()
    existing = set(patient.memberships.values_list("staff_id", flat=True))
    CareTeamMember.objects.bulk_create(
        [CareTeamMember(patient=patient, staff_id=pk) for pk in sorted(wanted - existing)]
    )


@transaction.atomic
def invite_staff(clinic: Clinic, data: dict, invited_by: User) -> tuple[User, str]:
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
