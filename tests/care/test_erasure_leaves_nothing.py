"""After a confirmed erasure, no table anywhere holds the patient's e-mail address, names or
date of birth: not the task queue, not django-axes' records, not the invitation they used."""

from __future__ import annotations

import re
from datetime import date

from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as SignInLog
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.checkin_data import checkin_post
from tests.conftest import PASSWORD
from tests.messaging.queue import run_queued, use_database_queue
from tests.messaging.search import model_text_columns, occurrences, text_columns
from tracker.messaging.notifications import send_silence_reminder
from tracker.models import ErasureRequest, Flag, Patient

EMAIL = "nerys.quillfeather@example.test"
FIRST, LAST = "Nerys", "Quillfeather"
BIRTH = date(1968, 4, 9)
NEW_PASSWORD = "a kettle of quiet herons"
LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)")


def enrol(client, surgeon, physio, capture) -> str:
    """Enrol the patient through the staff page; returns the path of their invitation."""
    client.force_login(surgeon)
    form = {
        "full_name": f"{FIRST} {LAST}",
        "email": EMAIL,
        "date_of_birth": BIRTH.isoformat(),
        "surgery_date": timezone.localdate().isoformat(),
        "procedure": "Lumbar laminectomy",
        "levels": "L4–L5",
        "surgeon": surgeon.pk,
        "time_zone": "Europe/London",
        "care_team": [surgeon.pk, physio.pk],
    }
    with capture(execute=True):
        assert client.post("/care/enrol/", form).status_code == 302
    run_queued()
    return LINK.search(mail.outbox[-1].body).group(1)


def live_a_little(client, invitation: str, surgeon, capture) -> Patient:
    """The invitation, a check-in, a question answered, a reminder."""
    client.logout()
    client.post(invitation, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post("/me/check-in/", checkin_post(note="Walked to the shop."))
    client.post("/me/ask/", {"question": f"This is {FIRST}: may I swim?"})
    patient = Patient.objects.get(user__email=EMAIL)
    question = Flag.objects.get(patient=patient, rule_id="ASK-QUESTION")
    client.force_login(surgeon)
    with capture(execute=True):
        client.post(f"/care/flags/{question.public_id}/resolve/", {"note": "Not yet."})
        send_silence_reminder(patient)
    run_queued()
    return patient


def legacy_task_row() -> None:
    """What the retired send-anything task left in the queue: a whole e-mail."""
    DBTaskResult.objects.create(
        args_kwargs={"args": [[EMAIL], "Your Laminar invitation", f"Hello {FIRST} {LAST}"]},
        task_path="tracker.messaging.tasks.send_email",
        backend_name="default",
        run_after=timezone.now(),
        status="SUCCESSFUL",
        finished_at=timezone.now(),
    )


def ask_for_erasure(client, patient: Patient) -> ErasureRequest:
    client.force_login(patient.user)
    client.post("/me/confirm-password/?next=/me/data/delete/", {"password": NEW_PASSWORD})
    client.post("/me/data/delete/")
    # A mistyped password afterwards (a successful sign-in would clear the attempt).
    client.logout()
    client.post("/accounts/login/", {"username": EMAIL.upper(), "password": "wrong guess"})
    return ErasureRequest.objects.get(patient=patient)


def confirm_erasure(client, erasure: ErasureRequest, clinic_admin) -> None:
    client.force_login(clinic_admin)
    decide = f"/clinic/erasures/{erasure.public_id}/"
    client.post(f"/me/confirm-password/?next={decide}", {"password": PASSWORD})
    assert client.post(decide, {"decision": "erase"}).status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == "done"


def test_the_search_covers_every_model_and_the_task_and_sign_in_tables(db):
    searched = text_columns()
    for table, columns in model_text_columns().items():
        assert columns <= searched.get(table, set()), table
    for table in ("django_tasks_database_dbtaskresult", "axes_accessattempt", "axes_accesslog"):
        assert table in searched


def test_erasure_leaves_no_trace_of_the_patient(
    client, settings, surgeon, physio, clinic_admin, django_capture_on_commit_callbacks
):
    use_database_queue(settings)
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True  # off by default; erasure must cover it too
    capture = django_capture_on_commit_callbacks
    invitation = enrol(client, surgeon, physio, capture)
    patient = live_a_little(client, invitation, surgeon, capture)
    legacy_task_row()
    erasure = ask_for_erasure(client, patient)
    # The traces this test is about exist before the erasure.
    assert occurrences(EMAIL)
    assert AccessAttempt.objects.filter(username=EMAIL).exists()
    assert AccessFailureLog.objects.filter(username=EMAIL).exists()
    assert SignInLog.objects.filter(path_info=invitation).exists()
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_email").count() >= 3

    confirm_erasure(client, erasure, clinic_admin)

    token = invitation.rstrip("/").rsplit("/", 1)[1]
    for needle in (EMAIL, FIRST, LAST, BIRTH.isoformat(), token):
        assert occurrences(needle) == [], needle
    assert not SignInLog.objects.filter(path_info=invitation).exists()
