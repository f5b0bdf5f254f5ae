"""Routed only when settings.BENCH_ENDPOINTS is on (`make bench`), never in normal use."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def baseline(request):
    """A constant response through the whole middleware stack: the ceiling for any page."""
    return HttpResponse(b"ok", content_type="text/plain")
