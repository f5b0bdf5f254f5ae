"""What the browser tests share: how Chromium is launched, the phone, signing in,
and the axe-core accessibility check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver
from playwright.sync_api import Browser, BrowserContext, Page, expect

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A mid-sized phone held upright.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
    "locale": "en-GB",
}
AXE_SOURCE_PATH = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
# What the accessibility checks refuse; "minor" and "moderate" findings are reported by axe
# but do not fail a test.
BLOCKING_IMPACTS = ("serious", "critical")

expect.set_options(timeout=5_000)


def url_name_exists(name: str) -> bool:
    """Whether the project routes a URL named `name` (whatever arguments it takes)."""
    return bool(get_resolver().reverse_dict.getlist(name))


def needs_url(name: str, feature: str) -> pytest.MarkDecorator:
    """Skip a journey until the feature it walks through is routed; it then runs by itself."""
    return pytest.mark.skipif(
        not url_name_exists(name),
        reason=f"{feature} is not built yet (no URL named {name!r})",
    )


def new_phone(browser: Browser, live_server, **options) -> BrowserContext:
    context = browser.new_context(base_url=live_server.url, **PHONE, **options)
    context.set_default_timeout(5_000)
    return context


def watch(page: Page, errors: list[str]) -> None:
    """Collect the page's console errors and uncaught exceptions into `errors`."""

    def on_console(message) -> None:
        # The browser asks for /favicon.ico on its own; the app has none.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))


def sign_in_as(context: BrowserContext, live_server, user) -> None:
    """Give the browser a signed-in session for `user` without going through the form."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each.

    The page must belong to a context made with bypass_csp=True (see `audit_phone`)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SOURCE_PATH))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [
        f"{page.url}: {v['impact']} {v['id']} ({v['help']}) at {', '.join(v['targets'])}"
        for v in result
        if v["impact"] in BLOCKING_IMPACTS
    ]
