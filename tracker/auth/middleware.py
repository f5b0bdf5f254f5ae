"""Middleware for signed-in users: the second factor before patient data, staff session limits,
no caching of pages."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from tracker.auth.roles import needs_second_factor, second_factor_passed


class PatientPagesNotCachedMiddleware:
    """Pages for signed-in users hold health data: never let a browser or proxy keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "private_revalidated", False):
            # The patient's chart data (tracker.views.trends): this browser alone may keep
            # it, and asks each time with its ETag.
            response["Cache-Control"] = "private, no-cache"
        elif request.user.is_authenticated and not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private"
        return response


SESSION_STARTED_KEY = "laminar_started_at"
SESSION_SEEN_KEY = "laminar_seen_at"
# The last-seen time is written at most this often (seconds), not on every request.
SEEN_RESOLUTION = 30


def start_session_clock(sender, request, user, **kwargs):
    """At every sign-in the idle and 12-hour clocks start again (connected in apps.py)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_STARTED_KEY] = session[SESSION_SEEN_KEY] = int(time.time())


class StaffSessionLimitsMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_SECONDS idle and STAFF_SESSION_MAX_SECONDS
    in all; patients keep theirs for SESSION_COOKIE_AGE on their own phone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if needs_second_factor(user):  # i.e. staff
            now = int(time.time())
            session = request.session
            started = session.setdefault(SESSION_STARTED_KEY, now)
            seen = session.get(SESSION_SEEN_KEY, now)
            if (
                now - seen > settings.STAFF_SESSION_IDLE_SECONDS
                or now - started > settings.STAFF_SESSION_MAX_SECONDS
            ):
                logout(request)
                messages.info(request, _("You were signed out to keep patients' data safe."))
                return redirect_to_login(request.get_full_path())
            if now - seen >= SEEN_RESOLUTION or SESSION_SEEN_KEY not in session:
                session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A member of staff signed in with a password alone reaches only the pages that pass
    the second factor (verify, set up) and signing out; everything else redirects there."""

    OPEN_URL_NAMES = ("two-factor-verify", "two-factor-setup", "logout", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_paths: tuple[str, ...] | None = None

    def __call__(self, request):
        user = request.user
        if needs_second_factor(user) and not second_factor_passed(user):
            if self.open_paths is None:
                self.open_paths = tuple(reverse(name) for name in self.OPEN_URL_NAMES)
            if request.path not in self.open_paths:
                return redirect_to_login(request.get_full_path(), reverse("two-factor-verify"))
        return self.get_response(request)
