"""Which Web Push endpoints the server will send to: public push services only.

A browser hands us its endpoint URL and the reminder worker later POSTs to it, so an endpoint
is an address the server is told to call. Only https URLs on a host named in
`settings.WEB_PUSH_ALLOWED_HOSTS` pass ("*.example.com" covers any name under example.com).
Whatever the list says, IP literals, single-label names and local names (localhost, .local,
.internal …) are refused. Nothing is resolved: checking the name is the whole test, so a
request can never be made to wait on, or probe, DNS.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan")


def endpoint_allowed(url: str) -> bool:
    """True when `url` is an https endpoint of an allowed, public push service."""
    host = endpoint_host(url)
    return host is not None and public_name(host) and host_listed(host)


def endpoint_host(url: str) -> str | None:
    """The host name of an https URL without credentials or an unusual port, else None."""
    if not isinstance(url, str) or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username is not None or parts.password is not None:
        return None
    if port not in (None, 443) or not parts.hostname:
        return None
    return parts.hostname.rstrip(".")


def public_name(host: str) -> bool:
    """A dotted DNS name that is not an address and not a local-network name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return False
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or not all(labels):
        return False  # "intranet", "10.1" style numbers, "a..b"
    return host != "localhost" and not host.endswith(LOCAL_SUFFIXES)


def host_listed(host: str) -> bool:
    return any(host_matches(host, pattern) for pattern in settings.WEB_PUSH_ALLOWED_HOSTS)


def host_matches(host: str, pattern: str) -> bool:
    """Exact name, or "*.suffix" for any name with at least one label before the suffix."""
    pattern = pattern.strip().lower().rstrip(".")
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return host.endswith(suffix) and len(host) > len(suffix)
    return host == pattern
