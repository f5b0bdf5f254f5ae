"""The one way a view reaches a patient's data.

`get_patient` returns the patient for the patient themself or a member of their care team
and raises Http404 for anyone else (an outsider must not learn that the patient exists).
Every staff access writes one row to the append-only access log.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from tracker.models import AccessLog, Patient, Role, User


def patients_visible_to(user: User) -> QuerySet[Patient]:
    """The patients whose clinical data `user` may see."""
    if not user.is_authenticated or not user.is_active:
        return Patient.objects.none()
    if user.role == Role.PATIENT:
        return Patient.objects.filter(user=user)
    if user.is_care_staff:
        return Patient.objects.filter(clinic_id=user.clinic_id, memberships__staff=user)
    return Patient.objects.none()


def patients_administered_by(user: User) -> QuerySet[Patient]:
    """The enrolments a clinic admin manages (administrative details, not clinical data)."""
    if user.is_authenticated and user.is_active and user.role == Role.ADMIN and user.clinic_id:
        return Patient.objects.filter(clinic_id=user.clinic_id)
    return Patient.objects.none()


def client_address(request: HttpRequest) -> str | None:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _log_row(request: HttpRequest, patient: Patient, action: str) -> AccessLog:
    user = request.user
    return AccessLog(
        actor=user,
        actor_label=f"{user.full_name} <{user.email}> ({user.role_label})",
        patient=patient,
        patient_ref=patient.public_id,
        action=action,
        path=request.get_full_path()[:500],
        ip_address=client_address(request),
    )


def record_access(request: HttpRequest, patient: Patient, action: str) -> None:
    _log_row(request, patient, action).save()


def record_list_access(request: HttpRequest, patients, action: str) -> None:
    """One access-log row per patient shown on a staff list page (one query)."""
    AccessLog.objects.bulk_create(
        [_log_row(request, patient, action) for patient in sorted(patients, key=lambda p: p.pk)]
    )


def get_patient(
    request: HttpRequest,
    action: str,
    public_id: uuid.UUID | str | None = None,
    *,
    for_admin: bool = False,
) -> Patient:
    """The patient a view may show, or Http404.

    Without `public_id` the signed-in patient's own record is returned. With it, the caller
    must be that patient or on the care team; `for_admin=True` also admits the clinic admin
    of the patient's clinic (enrolment pages only). `action` names what is being looked at
    (e.g. "trends", "export:pdf") and goes to the access log for staff.
    """
    user = request.user
    if public_id is None:
        if not user.is_authenticated or user.role != Role.PATIENT:
            raise Http404
        candidates = patients_visible_to(user)
    else:
        candidates = patients_visible_to(user)
        if for_admin and user.is_authenticated and user.role == Role.ADMIN:
            candidates = patients_administered_by(user)
        candidates = candidates.filter(public_id=public_id)
    patient = candidates.select_related("user", "clinic", "surgeon").first()
    if patient is None:
        raise Http404
    if user.role != Role.PATIENT:
        record_access(request, patient, action)
    return patient
