"""/healthz/ready and the nightly run records: an operator, a monitor and the clinic admin can
see that the nightly evaluation ran, and a monitor is told (503) when it has not."""

import io
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone

from tests.factories import make_patient
from tests.operations.backends import flush, use_backend
from tracker.messaging.emails import deliver_email
from tracker.models import JobRun

pytestmark = pytest.mark.django_db


def test_not_ready_before_any_nightly_evaluation(client):
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "stale" and body["database"] == "ok"
    assert body["evaluation"]["problem"] == "the nightly evaluate_flags has not completed"


def test_a_complete_run_is_recorded_and_makes_it_ready(client, clinic):
    make_patient("one@example.org", clinic)
    make_patient("two@example.org", clinic)
    call_command("evaluate_flags", stdout=mock.MagicMock())
    run = JobRun.objects.get()
    assert (run.job, run.patients, run.failures) == ("evaluate_flags", 2, 0)
    assert run.finished_at is not None and run.finished_at >= run.started_at
    body = client.get("/healthz/ready").json()
    assert body["status"] == "ok"
    assert body["evaluation"]["patients"] == 2
    assert body["evaluation"]["last_finished_seconds_ago"] <= 5


def test_an_evaluation_older_than_26_hours_is_stale(client):
    long_ago = timezone.now() - timedelta(hours=27)
    JobRun.objects.create(job="evaluate_flags", started_at=long_ago, finished_at=long_ago)
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["evaluation"]["problem"] == "the last complete evaluate_flags is too old"


def test_a_run_that_never_finished_does_not_count(client):
    finished = timezone.now() - timedelta(hours=30)
    JobRun.objects.create(job="evaluate_flags", started_at=finished, finished_at=finished)
    JobRun.objects.create(job="evaluate_flags", started_at=timezone.now())  # crashed
    assert client.get("/healthz/ready").status_code == 503


def test_one_failing_patient_does_not_stop_the_others(clinic):
    make_patient("one@example.org", clinic)
    make_patient("two@example.org", clinic)
    calls = []

    def evaluate(patient, *args, **kwargs):
        calls.append(patient.user.email)
        if patient.user.email == "one@example.org":
            raise RuntimeError("a fault in one patient's data")
        return [], mock.MagicMock(opened=[], reminded=False)

    target = "tracker.operations.nightly.evaluate_patient"
    with mock.patch(target, evaluate), pytest.raises(Exception, match="1 patient"):
        call_command("evaluate_flags", "--inline", stdout=mock.MagicMock())
    assert sorted(calls) == ["one@example.org", "two@example.org"]
    run = JobRun.objects.get()
    assert (run.patients, run.failures) == (1, 1) and run.finished_at is not None


def test_one_patients_run_by_hand_is_not_the_nightly_run(clinic):
    make_patient("one@example.org", clinic)
    call_command("evaluate_flags", "--patient", "one@example.org", stdout=mock.MagicMock())
    assert not JobRun.objects.exists()


def test_the_database_down_is_503(client):
    with mock.patch(
        "tracker.operations.readiness.connection.cursor", side_effect=DatabaseError("down")
    ):
        assert client.get("/healthz/ready").status_code == 503


def test_the_database_queue_reports_its_depth(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    finished = timezone.now()
    JobRun.objects.create(job="evaluate_flags", started_at=finished, finished_at=finished)
    queue = client.get("/healthz/ready").json()["queue"]
    assert queue == {
        "backend": "django_tasks_db.DatabaseBackend",
        "waiting": 0,
        "oldest_waiting_seconds": None,
    }


def test_the_clinic_admin_sees_the_last_nightly_runs(client, clinic_admin):
    started = timezone.now() - timedelta(hours=3)
    JobRun.objects.create(
        job="evaluate_flags", started_at=started, finished_at=started, failures=2, patients=9
    )
    JobRun.objects.create(job="evaluate_flags", started_at=timezone.now())
    client.force_login(clinic_admin)
    html = client.get("/clinic/").content.decode()
    assert "Nightly checks" in html and "did not finish" in html and "<strong>2</strong>" in html


def test_check_ready_deep_exits_with_an_error_while_the_evaluation_is_stale(db):
    out = io.StringIO()
    with pytest.raises(CommandError, match="stale"):
        call_command("check_ready", "--deep", stdout=out)
    assert json.loads(out.getvalue())["evaluation"]["last_finished_seconds_ago"] is None
    finished = timezone.now()
    JobRun.objects.create(job="evaluate_flags", started_at=finished, finished_at=finished)
    out = io.StringIO()
    call_command("check_ready", "--deep", stdout=out)
    assert json.loads(out.getvalue())["status"] == "ok"
    call_command("check_ready", stdout=out)  # the cheap check: the database only


def test_the_rq_queue_reports_its_depth_and_oldest_task(client, settings, worker_id):
    use_backend("rq", settings, worker_id)
    try:
        finished = timezone.now()
        JobRun.objects.create(job="evaluate_flags", started_at=finished, finished_at=finished)
        deliver_email.enqueue("silence_reminder", [1])
        deliver_email.enqueue("silence_reminder", [2])
        response = client.get("/healthz/ready")
        assert response.status_code == 200
        queue = response.json()["queue"]
        assert queue["backend"] == "django_tasks_rq.RQBackend"
        assert queue["waiting"] == 2 and 0 <= queue["oldest_waiting_seconds"] <= 5
    finally:
        flush(settings)


def test_an_unreachable_redis_queue_is_503(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens there
    finished = timezone.now()
    JobRun.objects.create(job="evaluate_flags", started_at=finished, finished_at=finished)
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["queue"]["problem"].startswith("Redis unreachable")
