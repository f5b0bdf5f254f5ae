"""Health checks: `/healthz` for the load balancer (cheap), `/healthz/ready` for operators."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tracker.operations.readiness import database_ok, readiness


@never_cache
@require_safe
def healthz(request):
    """One query, nothing else: cheap enough to be asked every few seconds."""
    if not database_ok():
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
@require_safe
def ready(request):
    """For operators and monitors (tracker.operations.readiness): the database, the task
    queue and the last complete nightly evaluation; 503 when any of them is wrong."""
    is_ready, body = readiness()
    return JsonResponse(body, status=200 if is_ready else 503)
