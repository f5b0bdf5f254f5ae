"""django-axes hooks: which account a sign-in attempt is for, how failures lock it, and the
lockout page.

Two limits apply. AXES_FAILURE_LIMIT failures for one account from one address pause that
pair, so a stranger guessing from elsewhere does not lock the patient out. A higher
ACCOUNT_FAILURE_LIMIT failures for the account from anywhere pause the account itself, so
guessing from many addresses (or through forged proxy headers) gets no more tries than that.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def attempted_username(request, credentials: dict | None) -> str:
    """The e-mail address tried, as the account stores it (case and spaces do not matter),
    so "Pat@Example.com " and "pat@example.com" count against the same account."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "").strip().lower()


def _total(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Expects AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # axes compares this one number with AXES_FAILURE_LIMIT, for locking and for the
        # lockout page alike. The account reaches it when its own, higher, limit is reached.
        pair, account = (_total(a) for a in self.get_user_attempts(request, credentials))
        headroom = settings.ACCOUNT_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT
        request.laminar_account_paused = account >= settings.ACCOUNT_FAILURE_LIMIT and (
            pair < settings.AXES_FAILURE_LIMIT
        )
        return max(pair, account - headroom)


def locked_out(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    whole_account = getattr(request, "laminar_account_paused", False)
    context = {
        "failure_limit": settings.ACCOUNT_FAILURE_LIMIT
        if whole_account
        else settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
        "whole_account": whole_account,
    }
    return render(request, "tracker/accounts/locked_out.html", context, status=429)
