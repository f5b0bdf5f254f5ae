"""Where to send someone after signing in, re-authenticating or acting on a page: the `next`
they asked for when it is a path on this site, or a fallback."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str = "/") -> str:
    """The `next` of the POST (or else the query string) if it is a path on this host."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path only: redirect() would take any other word for a view name to reverse, and
    # "//host/" is another site for the browser.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
