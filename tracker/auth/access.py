"""The one way a view reaches a patient's data, and a flag raised on it.

`get_patient` returns the patient for the patient themself or a member of their care team
and raises Http404 for anyone else (an outsider must not learn that the patient exists).
Every staff access writes one row to the append-only access log.

Views that change the record use the `_for_change` twin: a member of the care team whose
role may only read that part of the record gets 403 (they know the patient already), e.g. a
physiotherapist and restrictions, which only clinicians set. `get_flag` and
`get_flag_for_change` reach a flag through its patient, so the same rules apply.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from tracker.models import AccessLog, Flag, Patient, Role, User

# Who may change a patient's record by default: the care team. Narrower sets name the part
# of the record; the rest of the care team reads it only.
CARE_TEAM_ROLES = (Role.PHYSIO, Role.CLINICIAN)
RESTRICTION_SETTERS = (Role.CLINICIAN,)


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
    """The address the request came from, as our own proxies saw it.

    Behind TRUSTED_PROXY_COUNT proxies, each appends the address it was reached from to
    X-Forwarded-For, so the client is the Nth entry from the right; anything further left
    was written by the client and proves nothing. Without proxies (0), REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


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
    # The clinic's thresholds and recovery band too: pages read them.
    patient = candidates.select_related(
        "user", "clinic", "clinic__thresholds", "clinic__recovery_band", "surgeon"
    ).first()
    if patient is None:
        raise Http404
    if user.role != Role.PATIENT:
        record_access(request, patient, action)
    return patient


def get_patient_for_change(
    request: HttpRequest,
    action: str,
    public_id: uuid.UUID | str,
    *,
    changers: Collection[Role] = CARE_TEAM_ROLES,
    for_admin: bool = False,
) -> Patient:
    """As `get_patient`, for a view that changes the record: 403 for roles not in `changers`.

    Outsiders still get 404 first, so a refusal never tells them the patient exists.
    """
    patient = get_patient(request, action, public_id, for_admin=for_admin)
    if request.user.role not in changers:
        raise PermissionDenied
    return patient


def get_patient_for_method(
    request: HttpRequest,
    action: str,
    public_id: uuid.UUID | str,
    *,
    changers: Collection[Role] = CARE_TEAM_ROLES,
) -> Patient:
    """For a page that shows on GET and changes on POST: `get_patient` to read,
    `get_patient_for_change` (403 for roles not in `changers`) for any other method."""
    if request.method in ("GET", "HEAD"):
        return get_patient(request, action, public_id)
    return get_patient_for_change(request, f"{action}:change", public_id, changers=changers)


def get_flag(request: HttpRequest, flag_id: uuid.UUID | str, action: str) -> Flag:
    """A flag for its patient's care team, or Http404; logged like a view of the patient."""
    if not (request.user.is_authenticated and request.user.is_care_staff):
        raise Http404
    patient_id = (
        Flag.objects.filter(public_id=flag_id).values_list("patient__public_id", flat=True).first()
    )
    if patient_id is None:
        raise Http404
    patient = get_patient(request, action, patient_id)
    flag = patient.flags.select_related("acknowledged_by", "resolved_by").get(public_id=flag_id)
    flag.patient = patient  # already loaded, with its user and clinic
    return flag


def get_flag_for_change(
    request: HttpRequest,
    flag_id: uuid.UUID | str,
    action: str,
    *,
    changers: Collection[Role] = CARE_TEAM_ROLES,
) -> Flag:
    """As `get_flag`, for acknowledging or resolving it: 403 for roles not in `changers`."""
    flag = get_flag(request, flag_id, action)
    if request.user.role not in changers:
        raise PermissionDenied
    return flag
