"""django-axes hooks: which account a sign-in attempt is for, and the lockout page."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render


def attempted_username(request, credentials: dict | None) -> str:
    """The e-mail address tried, as the account stores it (case and spaces do not matter),
    so "Pat@Example.com " and "pat@example.com" count against the same account."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "").strip().lower()


def locked_out(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "tracker/accounts/locked_out.html", context, status=429)
