"""The nightly jobs fanned out in batches: what a clinician or operator would notice is one
flag and one e-mail per event, whatever is run twice, crashes or fails; and a run record that
says how far it got."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from bench.seed import bulk_checkin_rows
from tests.conftest import make_patient
from tests.flags.test_flag_engine import answers
from tracker.checkins.recording import record_checkin
from tracker.flags.engine import evaluate_patient as real_evaluate_patient
from tracker.models import (
    Flag,
    JobRun,
    Notification,
    PatientReminder,
    ReminderPreference,
    Source,
)
from tracker.models.operations import JobBatch
from tracker.operations import nightly

pytestmark = pytest.mark.django_db


def quiet(*args, **kwargs):
    call_command(*args, stdout=mock.MagicMock(), **kwargs)


def emergency_patient(email, clinic, team):
    """A patient whose bladder answer of today reached the database without the rules
    running: the nightly run is what raises the flag."""
    patient = make_patient(email, clinic, team=team)
    day = patient.local_date()
    checkin, revision = bulk_checkin_rows(
        patient,
        day,
        answers(safety_bladder_change="yes"),
        by=None,
        at=timezone.now(),
        source=Source.IMPORT,
    )
    checkin.save()
    revision.checkin = checkin
    revision.save()
    return patient


def silent_patient(email, clinic, team):
    """Last checked in 10 days ago: P12 reminds them and raises the flag the same night."""
    patient = make_patient(email, clinic, team=team)
    record_checkin(patient, patient.local_date() - timedelta(days=10), answers(), by=None)
    return patient


@pytest.fixture
def three_patients(clinic, surgeon, physio):
    team = (surgeon, physio)
    return [
        emergency_patient("first@example.org", clinic, team),
        silent_patient("second@example.org", clinic, team),
        emergency_patient("third@example.org", clinic, team),
    ]


def run_all(drain, capture):
    """Work the queue until nothing is left: batches, then the e-mails they queued."""
    for _ in range(5):
        with capture(execute=True):
            ran = drain()
        if not ran:
            return


def outbox():
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_evaluate_flags_queues_one_task_per_batch_and_the_run_ends_with_the_last(
    three_patients, settings, task_queue, django_capture_on_commit_callbacks
):
    settings.NIGHTLY_BATCH_SIZE = 2
    quiet("evaluate_flags")
    run = JobRun.objects.get(job=JobRun.EVALUATE_FLAGS)
    assert run.batches == 2 and run.finished_at is None  # queued, nobody has worked yet
    assert not Flag.objects.exists()
    run_all(task_queue, django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert (run.patients, run.failures, run.batches_done, run.batches_failed) == (3, 0, 2, 0)
    bladder = Flag.objects.filter(rule_id="RF-CES-BLADDER")
    assert sorted(bladder.values_list("patient__user__email", flat=True)) == [
        "first@example.org",
        "third@example.org",
    ]
    assert Flag.objects.filter(rule_id="P12-SILENCE").count() == 1
    assert run.flags_opened == Flag.objects.count() and run.sent == 1
    # Each surgeon and physio told about each emergency once; the silent patient reminded once.
    assert [to for to, _subject in outbox()].count("second@example.org") == 1
    assert [to for to, _subject in outbox()].count("surgeon@clinic.test") == 2


def test_a_batch_run_twice_raises_no_second_flag_and_sends_no_second_email(
    three_patients, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        quiet("evaluate_flags")
    flags, sent = list(Flag.objects.values_list("pk", "evidence")), outbox()
    assert len(sent) == 5  # two emergencies to two people, one reminder
    batch = JobBatch.objects.get()
    # The same task delivered a second time: the batch is done, nothing happens.
    with django_capture_on_commit_callbacks(execute=True):
        assert nightly.run_batch(batch.pk) == "already done"
    # The whole night run again (cron twice, or by hand): every patient evaluated anew.
    with django_capture_on_commit_callbacks(execute=True):
        quiet("evaluate_flags")
    assert list(Flag.objects.values_list("pk", "evidence")) == flags
    assert outbox() == sent
    assert PatientReminder.objects.count() == 1
    first, again = JobRun.objects.order_by("started_at")
    assert (first.patients, first.batches_done, first.flags_opened) == (3, 1, len(flags))
    assert (again.patients, again.flags_opened, again.sent) == (3, 0, 0)


class WorkerDied(BaseException):
    """What a killed worker looks like from inside: nothing after it runs."""


def test_a_crash_mid_batch_then_a_rerun_evaluates_everyone_once(
    three_patients, django_capture_on_commit_callbacks
):
    calls = []

    def dies_on_the_second(patient, *args, **kwargs):
        calls.append(patient.user.email)
        if len(calls) == 2:
            raise WorkerDied
        return real_evaluate_patient(patient, *args, **kwargs)

    run = nightly.start_run(JobRun.EVALUATE_FLAGS, nightly.evaluation_ids())
    batch = JobBatch.objects.get(run=run)
    with (
        mock.patch("tracker.operations.nightly.evaluate_patient", dies_on_the_second),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(WorkerDied),
    ):
        nightly.run_batch(batch.pk)
    run.refresh_from_db()
    assert run.finished_at is None  # the crash left it unfinished, for --resume to see
    first_flags = Flag.objects.filter(patient=three_patients[0]).count()
    assert first_flags and not Flag.objects.filter(patient=three_patients[1]).exists()
    sent_before = outbox()

    with (
        mock.patch("tracker.operations.nightly.evaluate_patient", dies_on_the_second),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert nightly.run_batch(batch.pk) == "done"
    # The first patient, finished before the crash, is not evaluated again.
    assert calls == [
        "first@example.org",
        "second@example.org",
        "second@example.org",
        "third@example.org",
    ]
    assert Flag.objects.filter(patient=three_patients[0]).count() == first_flags
    assert set(sent_before) <= set(outbox())
    # One e-mail per emergency to each of the two on the team, one reminder: none twice.
    recipients = [to for to, _subject in outbox()]
    assert len(recipients) == 5 and recipients.count("second@example.org") == 1
    assert recipients.count("surgeon@clinic.test") == recipients.count("physio@clinic.test") == 2
    run.refresh_from_db()
    assert run.finished_at is not None and (run.patients, run.failures) == (3, 0)


def test_a_batch_that_keeps_failing_is_retried_then_reported(
    three_patients, settings, client, clinic_admin
):
    settings.NIGHTLY_BATCH_ATTEMPTS = 3
    settings.NIGHTLY_BATCH_SIZE = 2
    attempts = []

    def database_gone(patients, *args, **kwargs):
        ids = [p.pk for p in patients]
        attempts.append(ids)
        if three_patients[2].pk in ids:  # the second batch never gets through
            raise ConnectionError("the database went away")
        yield from real_timelines(patients, *args, **kwargs)

    from tracker.flags.engine import timelines_to_evaluate as real_timelines

    with (
        mock.patch("tracker.operations.nightly.timelines_to_evaluate", database_gone),
        pytest.raises(CommandError, match="1 patient"),  # the run ended (tasks ran at once)
    ):
        quiet("evaluate_flags")
    failed = JobBatch.objects.get(number=2)
    assert failed.attempts == 3 and failed.failed
    assert failed.last_error == "ConnectionError: the database went away"
    run = JobRun.objects.get()
    assert run.finished_at is not None
    assert (run.patients, run.failures, run.batches_failed) == (2, 1, 1)
    ready = client.get("/healthz/ready").json()
    assert ready["evaluation"]["failures"] == 1
    client.force_login(clinic_admin)
    html = client.get("/clinic/").content.decode()
    assert "<strong>1</strong> (1 part gave up after retries)" in html


def test_inline_keeps_the_single_process_run_and_its_error(three_patients):
    def fails_for_second(patient, *args, **kwargs):
        if patient.user.email == "second@example.org":
            raise RuntimeError("a fault in one patient's data")
        return real_evaluate_patient(patient, *args, **kwargs)

    with (
        mock.patch("tracker.operations.nightly.evaluate_patient", fails_for_second),
        pytest.raises(Exception, match="1 patient"),
    ):
        quiet("evaluate_flags", "--inline")
    run = JobRun.objects.get()
    assert (run.patients, run.failures, run.batches_failed) == (2, 1, 0)
    assert run.finished_at is not None
    assert Flag.objects.filter(rule_id="RF-CES-BLADDER").count() == 2


def test_resume_queues_again_a_batch_whose_worker_died(three_patients, settings, task_queue):
    run = nightly.start_run(JobRun.EVALUATE_FLAGS, nightly.evaluation_ids())
    quiet("evaluate_flags", "--resume")
    assert task_queue() == 0  # waiting in the queue is not stalled
    # A worker took the batch 16 minutes ago and has not moved since: it died.
    JobBatch.objects.update(attempts=1, updated_at=timezone.now() - timedelta(minutes=16))
    quiet("evaluate_flags", "--resume")
    quiet("evaluate_flags", "--resume")  # not stale any more: queued once
    assert task_queue() == 1
    run.refresh_from_db()
    assert run.finished_at is not None and run.patients == 3


def test_resume_queues_a_batch_lost_from_the_queue_after_12_hours(three_patients):
    run = nightly.start_run(JobRun.EVALUATE_FLAGS, nightly.evaluation_ids())
    JobRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=11))
    quiet("evaluate_flags", "--resume")
    run.refresh_from_db()
    assert run.finished_at is None
    JobRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=13))
    quiet("evaluate_flags", "--resume")  # the tasks run at once here
    run.refresh_from_db()
    assert run.finished_at is not None and run.patients == 3


def test_reminders_fan_out_and_a_rerun_reminds_nobody_twice(
    clinic, settings, task_queue, django_capture_on_commit_callbacks
):
    settings.NIGHTLY_BATCH_SIZE = 2
    due = [make_patient(f"p{n}@example.org", clinic) for n in range(3)]
    for patient in due:
        ReminderPreference.objects.create(patient=patient, time_of_day="00:00")
    paused = make_patient("paused@example.org", clinic)
    ReminderPreference.objects.create(patient=paused, time_of_day="00:00", paused=True)
    record_checkin(due[2], due[2].local_date(), answers(), by=None)  # checked in already

    quiet("send_reminders")
    run_all(task_queue, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.org", "p1@example.org"]
    quiet("send_reminders")
    run_all(task_queue, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    first, second = JobRun.objects.filter(job=JobRun.SEND_REMINDERS).order_by("started_at")
    assert (first.batches, first.patients, first.sent) == (2, 3, 2)
    assert first.finished_at is not None and (second.sent, second.patients) == (0, 3)


def test_the_digest_fans_out_by_staff_and_is_sent_once(
    clinic, surgeon, physio, settings, task_queue, django_capture_on_commit_callbacks
):
    settings.NIGHTLY_BATCH_SIZE = 1
    patient = make_patient("quiet@example.org", clinic, team=(surgeon, physio))
    flag = Flag.objects.create(
        patient=patient,
        rule_id="P1-PAIN-PLATEAU",
        level="review",
        level_rank=3,
        first_evidence_day=patient.local_date(),
        last_evidence_day=patient.local_date(),
    )
    for member in (surgeon, physio):
        Notification.objects.create(flag=flag, recipient=member, kind=Notification.Kind.DIGEST)
    quiet("send_notifications", "--digest")
    run_all(task_queue, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["physio@clinic.test", "surgeon@clinic.test"]
    quiet("send_notifications", "--digest")
    run_all(task_queue, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    run = JobRun.objects.filter(job=JobRun.DIGEST).order_by("started_at").first()
    assert (run.batches, run.sent, run.batches_done) == (2, 2, 2) and run.finished_at


def test_an_empty_run_is_complete_at_once(db):
    quiet("evaluate_flags")
    run = JobRun.objects.get()
    assert run.batches == 0 and run.finished_at is not None
