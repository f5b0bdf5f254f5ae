"""The task table holds ids, never e-mails: addresses, names and invitation links are built in
the worker; the invitation token is issued there and stored nowhere; old rows are purged."""

from __future__ import annotations

import io
import json
import re
import smtplib
from datetime import date, timedelta
from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.messaging.queue import run_queued, use_database_queue
from tests.messaging.search import occurrences
from tracker.care.enrolment import (
    accept_invitation,
    enrol_patient,
    invitation_letter,
    send_invitation,
)
from tracker.care.questions import ask, notify_reply
from tracker.messaging.emails import deliver_email
from tracker.messaging.notifications import send_silence_reminder
from tracker.messaging.reminders import deliver_reminder
from tracker.messaging.retention import purge_task_results
from tracker.models import Invitation, ReminderPreference
from tracker.models.people import hash_token

LINK = re.compile(r"https?://\S+/accounts/invitation/([^/\s]+)/")


def nina(surgeon, physio) -> dict:
    return {
        "full_name": "Nina Newcomer",
        "email": "nina@example.test",
        "date_of_birth": date(1971, 2, 3),
        "surgery_date": date(2026, 1, 10),
        "procedure": "Lumbar laminectomy",
        "levels": "L4–L5",
        "surgeon": surgeon,
        "time_zone": "Europe/London",
        "care_team": [surgeon, physio],
    }


def row_text() -> str:
    rows = DBTaskResult.objects.values("args_kwargs", "return_value", "traceback", "task_path")
    return json.dumps(list(rows), default=str)


def test_queued_rows_hold_a_template_name_and_ids_only(
    settings, clinic, surgeon, physio, patient, foreign_staff, django_capture_on_commit_callbacks
):
    use_database_queue(settings)
    with django_capture_on_commit_callbacks(execute=True):
        enrol_patient(clinic, nina(surgeon, physio), surgeon)
        enrol_patient(clinic, {**nina(surgeon, physio), "email": foreign_staff.email}, surgeon)
        notify_reply(ask(patient, "May I swim yet?"))
        send_silence_reminder(patient)
    queued = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert len(queued) == 4
    for task_path, args_kwargs in queued:
        assert task_path == "tracker.messaging.emails.deliver_email"
        name, ids = args_kwargs["args"]
        assert args_kwargs["kwargs"] == {} and isinstance(name, str)
        assert all(isinstance(pk, int) for pk in ids)
    text = row_text()
    for secret in ("@", "Nina", "Pat Example", "Otto", "invitation/", "http"):
        assert secret not in text

    assert run_queued() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["nina@example.test", foreign_staff.email, patient.user.email, patient.user.email]
    )
    assert set(DBTaskResult.objects.values_list("return_value", flat=True)) == {"sent"}
    assert "@" not in row_text() and "Nina" not in row_text()


def test_the_invitation_token_is_issued_by_the_worker_and_stored_nowhere(
    settings, clinic, surgeon, physio, django_capture_on_commit_callbacks
):
    use_database_queue(settings)
    with django_capture_on_commit_callbacks(execute=True):
        patient, invitation = enrol_patient(clinic, nina(surgeon, physio), surgeon)
    invitation.refresh_from_db()
    assert invitation.user == patient.user and invitation.created_by == surgeon
    assert not re.fullmatch(r"[0-9a-f]{64}", invitation.token_hash)  # no token can match yet
    assert mail.outbox == []

    run_queued()
    token = LINK.search(mail.outbox[0].body).group(1)
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(token)
    assert occurrences(token) == []
    assert Invitation.find_usable(token) == invitation
    user = accept_invitation(invitation, "a long enough passphrase")
    assert user.check_password("a long enough passphrase")


def test_a_second_run_issues_a_new_link_and_the_first_stops_working(
    surgeon, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = send_invitation(surgeon, None)  # run at once by the test task backend
    deliver_email.call("invitation", [invitation.pk])
    first, second = (LINK.search(m.body).group(1) for m in mail.outbox)
    assert first != second
    assert Invitation.find_usable(first) is None
    assert Invitation.find_usable(second) == invitation


def test_a_spent_invitation_is_not_issued_again(surgeon):
    invitation = send_invitation(surgeon, None)
    Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())
    assert invitation_letter(invitation.pk) is None


def test_a_refused_address_is_not_written_into_the_failed_row(
    settings, clinic, surgeon, physio, django_capture_on_commit_callbacks
):
    use_database_queue(settings)
    with django_capture_on_commit_callbacks(execute=True):
        enrol_patient(clinic, nina(surgeon, physio), surgeon)
    refused = smtplib.SMTPRecipientsRefused({"nina@example.test": (550, b"nina@example.test?")})
    with mock.patch("tracker.messaging.emails.send_mail", side_effect=refused):
        run_queued()
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "tracker.messaging.emails.EmailNotSent"
    assert "invitation" in row.traceback and "SMTPRecipientsRefused" in row.traceback
    assert "nina" not in row_text().lower()


def test_a_patient_deleted_before_the_worker_runs_gets_nothing(
    settings, patient, django_capture_on_commit_callbacks
):
    use_database_queue(settings)
    with django_capture_on_commit_callbacks(execute=True):
        send_silence_reminder(patient)
    patient.user.delete()
    run_queued()
    assert mail.outbox == []
    assert DBTaskResult.objects.get().return_value == "skipped"


# --- Retention ---------------------------------------------------------------------------------


def task_row(status: str, finished_days_ago: int | None, path="tracker.messaging.x") -> str:
    finished_at = None
    if finished_days_ago is not None:
        finished_at = timezone.now() - timedelta(days=finished_days_ago)
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path=path,
        backend_name="default",
        run_after=timezone.now(),
        status=status,
        finished_at=finished_at,
    )
    return str(row.pk)


def kept() -> set[str]:
    return {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}


def test_finished_rows_older_than_the_retention_are_deleted(db, settings):
    assert settings.TASK_RESULT_RETENTION_DAYS == 14
    old_done = task_row(TaskResultStatus.SUCCESSFUL, 15)
    old_failed = task_row(TaskResultStatus.FAILED, 30)
    recent = task_row(TaskResultStatus.SUCCESSFUL, 13)
    waiting = task_row(TaskResultStatus.READY, None)
    running = task_row(TaskResultStatus.RUNNING, None)
    assert purge_task_results() == 2
    assert kept() == {recent, waiting, running}
    assert {old_done, old_failed}.isdisjoint(kept())


def test_the_retention_is_a_setting(db, settings):
    settings.TASK_RESULT_RETENTION_DAYS = 3
    recent = task_row(TaskResultStatus.SUCCESSFUL, 2)
    task_row(TaskResultStatus.SUCCESSFUL, 4)
    assert purge_task_results() == 1
    assert kept() == {recent}


def test_finished_rows_of_the_old_send_email_task_go_whatever_their_age(db):
    task_row(TaskResultStatus.SUCCESSFUL, 0, path="tracker.messaging.tasks.send_email")
    assert purge_task_results() == 1
    assert not DBTaskResult.objects.exists()


def test_the_purge_command(db):
    task_row(TaskResultStatus.SUCCESSFUL, 20)
    out = io.StringIO()
    call_command("purge_task_results", stdout=out)
    assert out.getvalue() == "1 finished task result(s) older than 14 days deleted.\n"
    assert not DBTaskResult.objects.exists()


def test_a_failed_daily_reminder_keeps_the_address_out_of_its_row(settings, patient):
    use_database_queue(settings)
    ReminderPreference.objects.create(patient=patient)
    deliver_reminder.enqueue(patient.pk, patient.local_date().isoformat())
    refused = smtplib.SMTPRecipientsRefused({patient.user.email: (550, b"unknown")})
    with mock.patch("tracker.messaging.emails.send_mail", side_effect=refused):
        run_queued()
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.FAILED
    assert "checkin_reminder" in row.traceback
    assert "@" not in row_text()
