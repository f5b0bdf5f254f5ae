"""What /healthz/ready and `manage.py check_ready --deep` report: the database, the task queue
(depth, age of the oldest waiting task, on the database queue or on RQ) and the last complete
nightly evaluation of the rules. No patient data."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from tracker.models import JobRun

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.RQBackend"


def database_ok() -> bool:
    """One cheap query: what /healthz asks of the database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def seconds_since(moment: datetime | None, now: datetime) -> int | None:
    if moment is None:
        return None
    if timezone.is_naive(moment):  # RQ stores UTC without a zone
        moment = moment.replace(tzinfo=UTC)
    return max(int((now - moment).total_seconds()), 0)


def queue_report(now: datetime) -> dict:
    """Tasks waiting and the age of the oldest, for the configured backend. A queue that
    cannot be reached says so under "problem"."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == DATABASE_BACKEND:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.ready()
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        return {
            "backend": backend,
            "waiting": waiting.count(),
            "oldest_waiting_seconds": seconds_since(oldest, now),
        }
    if backend == RQ_BACKEND:
        return _rq_report(backend, now)
    return {"backend": backend}


def _rq_report(backend: str, now: datetime) -> dict:
    import django_rq
    from redis.exceptions import RedisError

    report: dict = {"backend": backend, "waiting": 0, "oldest_waiting_seconds": None}
    try:
        for name in settings.TASKS["default"].get("QUEUES") or ["default"]:
            queue = django_rq.get_queue(name)
            report["waiting"] += queue.count
            first = queue.get_job_ids(0, 1)
            job = queue.fetch_job(first[0]) if first else None
            age = seconds_since(job.enqueued_at if job else None, now)
            if age is not None and age > (report["oldest_waiting_seconds"] or -1):
                report["oldest_waiting_seconds"] = age
            report["failed"] = report.get("failed", 0) + queue.failed_job_registry.count
    except RedisError as error:
        return {"backend": backend, "problem": f"Redis unreachable ({type(error).__name__})"}
    return report


def last_runs(now: datetime) -> dict:
    """The last complete run of each nightly job, with its age and counts."""
    runs = {}
    for job in (JobRun.EVALUATE_FLAGS, JobRun.SEND_REMINDERS, JobRun.DIGEST):
        last = (
            JobRun.objects.filter(job=job, finished_at__isnull=False)
            .order_by("-finished_at")
            .first()
        )
        runs[job] = {
            "last_finished_seconds_ago": seconds_since(last.finished_at if last else None, now),
            "patients": last.patients if last else None,
            "failures": last.failures if last else None,
            "batches_failed": last.batches_failed if last else None,
        }
    return runs


def readiness(now: datetime | None = None) -> tuple[bool, dict]:
    """(ready, report). Not ready: the database or the queue is unreachable, or the last
    complete evaluate_flags is older than EVALUATION_MAX_AGE_HOURS (26): without it no P12
    "stopped logging" flag, and no milestone flag, is raised."""
    now = now or timezone.now()
    if not database_ok():
        return False, {"status": "error", "database": "unreachable"}
    body: dict = {"status": "ok", "database": "ok", "queue": queue_report(now)}
    runs = last_runs(now)
    limit = settings.EVALUATION_MAX_AGE_HOURS * 3600
    evaluation = dict(runs.pop(JobRun.EVALUATE_FLAGS), max_age_seconds=limit)
    body["evaluation"] = evaluation
    body["other_runs"] = runs
    age = evaluation["last_finished_seconds_ago"]
    ready = True
    if age is None or age > limit:
        body["status"] = "stale"
        evaluation["problem"] = (
            "the nightly evaluate_flags has not completed"
            if age is None
            else "the last complete evaluate_flags is too old"
        )
        ready = False
    if "problem" in body["queue"]:
        body["status"] = "error"
        ready = False
    return ready, body
