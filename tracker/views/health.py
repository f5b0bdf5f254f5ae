"""Health checks: `/healthz` for the load balancer (cheap), `/healthz/ready` for operators."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tracker.models import JobRun


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _seconds_since(moment, now) -> int | None:
    return None if moment is None else int((now - moment).total_seconds())


@never_cache
@require_safe
def ready(request):
    """For operators and monitors: the database, the task queue (depth and the age of the
    oldest waiting task) and the age of the last complete nightly evaluation of the rules.
    503 when the database is down or that evaluation is older than EVALUATION_MAX_AGE_HOURS
    (26 by default): without it no P12 "stopped logging" flag, and no milestone flag, is
    raised. No patient data."""
    now = timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    body: dict = {"status": "ok", "database": "ok", "queue": _queue(now)}
    last = (
        JobRun.objects.filter(job=JobRun.EVALUATE_FLAGS, finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )
    limit = settings.EVALUATION_MAX_AGE_HOURS * 3600
    age = _seconds_since(last.finished_at if last else None, now)
    body["evaluation"] = {
        "last_finished_seconds_ago": age,
        "patients": last.patients if last else None,
        "failures": last.failures if last else None,
        "max_age_seconds": limit,
    }
    if age is None or age > limit:
        body["status"] = "stale"
        body["evaluation"]["problem"] = (
            "the nightly evaluate_flags has not completed"
            if age is None
            else "the last complete evaluate_flags is too old"
        )
        return JsonResponse(body, status=503)
    return JsonResponse(body)


def _queue(now) -> dict:
    """Depth and oldest waiting task of the database queue; what backend runs otherwise."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return {"backend": backend}
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "backend": backend,
        "waiting": waiting.count(),
        "oldest_waiting_seconds": _seconds_since(oldest, now),
    }
