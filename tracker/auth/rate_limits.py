"""Rate limits on posts that cost us work or send e-mail: per signed-in user (or per address
typed into a form) and per client address, counted in Django's cache.

Written here rather than taken from django-ratelimit, whose last release is from 2023, and
because a check-in needs something that library does not offer: a check-in with an emergency
or urgent answer must never be refused. So there are two ways in:

- `@rate_limited("ask")` refuses an over-limit request before the view runs;
- `seconds_over_limit(request, "checkin")` counts the request and says how long to wait (or
  None), for a view to refuse only after it has dealt with safety answers, which always go
  through; `over_limit` does the same and returns the ready 429.

The defaults are in LIMITS; a deployment changes them with the `RATE_LIMITS` setting, e.g.
`RATE_LIMITS = {"checkin": {"per_user": 10}}` (the keys of `Limit`; what is not named keeps
its default).

Counting is by fixed windows: simple, cheap (the same few queries every time), and an
allowance of at most twice the limit across a window's edge is fine for what these limits
protect against (floods, not single requests). A refusal is HTTP 429 with Retry-After, as a
page, an htmx fragment or JSON.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker.auth.access import client_address


@dataclass(frozen=True)
class Limit:
    per_user: int  # posts by one account (or for one typed address) per window
    per_address: int  # posts from one client address per window (a clinic's wi-fi is shared)
    window: int  # seconds


HOUR = 60 * 60

LIMITS = {
    # A patient checks in once or a few times a day and corrects an earlier day now and then
    # (the check-in form, plain or htmx, and the 7-day edit share this count).
    "checkin": Limit(per_user=30, per_address=300, window=HOUR),
    # A phone that was offline for days sends its queue at once, and resends what got no answer.
    "checkin-offline": Limit(per_user=60, per_address=300, window=HOUR),
    # One request per field the patient leaves while typing, so generous.
    "checkin-validate": Limit(per_user=600, per_address=3000, window=HOUR),
    # Each question becomes a review item for the care team.
    "ask": Limit(per_user=10, per_address=60, window=HOUR),
    # Each request may send an e-mail; "user" is the address typed into the form.
    "password-reset": Limit(per_user=5, per_address=20, window=HOUR),
}


def _who(request: HttpRequest, typed_field: str | None) -> str | None:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if typed_field:
        typed = request.POST.get(typed_field, "").strip().lower()
        if typed:
            # Keys are stored: keep the address typed in out of them, and keyed, so that a
            # list of addresses cannot be hashed and matched against the cache table.
            return (
                "typed:"
                + salted_hmac("tracker.auth.rate_limits", typed, algorithm="sha256").hexdigest()
            )
    return None


def _where(request: HttpRequest) -> str | None:
    address = client_address(request)
    if address is None:
        return None
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if parsed.version == 6:
        # One IPv6 client usually holds a whole /64.
        return "net:" + str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return "ip:" + str(parsed)


def _count(key: str, window: int) -> int:
    # Not cache.incr: on the database cache it is a read and a write anyway, and the write
    # takes the default timeout (five minutes), so a pause would forget an hour's count.
    # Two requests at the same instant may count once: fine against floods.
    count = (cache.get(key) or 0) + 1
    cache.set(key, count, timeout=window)
    return count


def limit_for(scope: str) -> Limit:
    """The limit of `scope`: LIMITS, with what the RATE_LIMITS setting names for it."""
    return replace(LIMITS[scope], **getattr(settings, "RATE_LIMITS", {}).get(scope, {}))


def seconds_over_limit(
    request: HttpRequest, scope: str, *, typed_field: str | None = None
) -> int | None:
    """Count this request against `scope`; the seconds to wait if it is over a limit, else None."""
    limit = limit_for(scope)
    now = time.time()
    start = int(now // limit.window) * limit.window
    over = False
    for ident, allowed in (
        (_who(request, typed_field), limit.per_user),
        (_where(request), limit.per_address),
    ):
        if ident is not None and _count(f"rate:{scope}:{ident}:{start}", limit.window) > allowed:
            over = True
    if not over:
        return None
    return max(1, math.ceil(start + limit.window - now))


def over_limit(
    request: HttpRequest, scope: str, *, typed_field: str | None = None
) -> HttpResponse | None:
    """Count this request against `scope`; the 429 response if it is over a limit, else None."""
    wait = seconds_over_limit(request, scope, typed_field=typed_field)
    return None if wait is None else refusal(request, retry_after=wait)


def rate_limited(
    scope: str, *, methods: tuple[str, ...] = ("POST",), typed_field: str | None = None
) -> Callable:
    """Refuse requests of `methods` over the limits of `scope` before the view runs."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                refused = over_limit(request, scope, typed_field=typed_field)
                if refused is not None:
                    return refused
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def wait_text(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Please try again in %(n)s minute.", "Please try again in %(n)s minutes.", minutes
    ) % {"n": minutes}


def refusal_message(retry_after: int) -> str:
    return _("You have sent this many times in a short while.") + " " + wait_text(retry_after)


def refusal(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """HTTP 429 saying when to try again: JSON for the phone's scripts, a fragment for htmx,
    else a page."""
    message = refusal_message(retry_after)
    if request.content_type == "application/json" or "json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"status": "rate_limited", "error": message, "retry_after": retry_after}, status=429
        )
    else:
        htmx = bool(getattr(request, "htmx", False))
        template = "tracker/rate_limited.html" + ("#message" if htmx else "")
        response = render(request, template, {"message": message}, status=429)
        if htmx:
            # Next to what the request aimed at, never over it: a half-filled check-in stays.
            response["HX-Reswap"] = "beforebegin"
    response["Retry-After"] = str(retry_after)
    return response
