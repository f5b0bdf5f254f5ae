"""Erasing a patient's account at their request, once a clinic admin confirms it.

After `erase` nothing identifying remains: the user row goes, and with it (by cascade) the
patient's profile, check-ins and their history, questionnaire responses, flags and their
notifications, programmes, restrictions, reminders and invitations. Records kept outside
those tables are cleared in the same transaction: django-axes' sign-in attempts, failures
and logins under the patient's address (including the invitation link they first signed in
through, in `path_info`), and task-queue rows that mention the address or the name.

What stays is pseudonymous: the append-only access log (its rows keep `patient_ref`, the
patient's public id, and are never changed) and the erasure request itself, which keeps the
same reference.
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as SignInLog
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tracker.messaging.retention import forget_in_task_results
from tracker.models import ErasureRequest, ErasureStatus, ExerciseLog, Patient, User
from tracker.models.people import hash_token

SIGN_IN_RECORDS = (AccessAttempt, AccessFailureLog, SignInLog)


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
    token_hashes = set(user.invitations.values_list("token_hash", flat=True))
    ErasureRequest.objects.filter(pk=locked.pk).update(
        status=ErasureStatus.DONE, decided_at=timezone.now(), decided_by=by, patient=None
    )
    # Exercise logs protect the programme items they count; they go first.
    ExerciseLog.objects.filter(checkin__patient_id=locked.patient_id).delete()
    user.delete()
    forget_sign_ins(user.email, token_hashes)
    forget_in_task_results(user.email, user.full_name)


def forget_sign_ins(email: str, token_hashes: set[str]) -> None:
    """Delete django-axes records of this address, and any whose path holds its invitations."""
    for model in SIGN_IN_RECORDS:
        through = _through_invitations(model, token_hashes)
        model.objects.filter(Q(username__iexact=email) | Q(pk__in=through)).delete()
    # A failed attempt also keeps the submitted form, which may spell the address otherwise.
    AccessAttempt.objects.filter(
        Q(get_data__icontains=email) | Q(post_data__icontains=email)
    ).delete()


def _through_invitations(model, token_hashes: set[str]) -> list[int]:
    """Rows whose path is the sign-in page of one of these invitations (the token is in it)."""
    prefix = reverse("accept-invitation", args=["-"]).removesuffix("-/")
    rows = model.objects.filter(path_info__startswith=prefix).values_list("pk", "path_info")
    return [
        pk for pk, path in rows if hash_token(path.removeprefix(prefix).strip("/")) in token_hashes
    ]


def cancel(request: ErasureRequest, by: User) -> None:
    ErasureRequest.objects.filter(pk=request.pk, status=ErasureStatus.REQUESTED).update(
        status=ErasureStatus.CANCELLED, decided_at=timezone.now(), decided_by=by
    )
