"""Erasing a patient's account at their request, once a clinic admin confirms it.

After `erase` nothing identifying remains: the user row goes, and with it (by cascade) the
patient's profile, check-ins and their history, questionnaire responses, flags and their
notifications, programmes, restrictions, reminders and invitations. What stays is
pseudonymous: the append-only access log (its rows keep `patient_ref`, the patient's public
id, and are never changed) and the erasure request itself, which keeps the same reference.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tracker.models import ErasureRequest, ErasureStatus, ExerciseLog, Patient, User


def request_erasure(patient: Patient) -> ErasureRequest:
    """The patient's request; a second request while one is pending returns the first."""
    pending = ErasureRequest.objects.filter(patient=patient, status=ErasureStatus.REQUESTED).first()
    if pending is not None:
        return pending
    return ErasureRequest.objects.create(
        clinic=patient.clinic, patient=patient, patient_ref=patient.public_id
    )


def pending_request(patient: Patient) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(patient=patient, status=ErasureStatus.REQUESTED).first()


@transaction.atomic
def erase(request: ErasureRequest, by: User) -> None:
    """Delete the patient's account and everything that names them; keep the reference."""
    locked = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != ErasureStatus.REQUESTED or locked.patient_id is None:
        return
    user = User.objects.get(patient__pk=locked.patient_id)
    ErasureRequest.objects.filter(pk=locked.pk).update(
        status=ErasureStatus.DONE, decided_at=timezone.now(), decided_by=by, patient=None
    )
    # Exercise logs protect the programme items they count; they go first.
    ExerciseLog.objects.filter(checkin__patient_id=locked.patient_id).delete()
    user.delete()


def cancel(request: ErasureRequest, by: User) -> None:
    ErasureRequest.objects.filter(pk=request.pk, status=ErasureStatus.REQUESTED).update(
        status=ErasureStatus.CANCELLED, decided_at=timezone.now(), decided_by=by
    )
