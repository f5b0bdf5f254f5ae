"""Fixtures for the browser tests: Debian's Chromium, driven by Playwright, against
pytest-django's live server. Helpers the tests call live in tests/e2e/browser.py.

Playwright never downloads a browser here: it launches the Chromium at CHROMIUM_PATH
(default /usr/bin/chromium). Without one the tests are skipped on a developer's machine and
fail under CI, where `.ci/run` installs it.
"""

from __future__ import annotations

import os
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; the tests still read and write
# the database directly to arrange data and check what was saved.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    expect,
    sync_playwright,
)

from tests.e2e.browser import (  # noqa: E402
    AXE_SOURCE_PATH,
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    new_phone,
    watch,
)

# A busy machine (the fast tests run beside these) can take seconds to answer: waiting
# longer costs nothing when the page is right, and spares failures that say nothing.
PATIENCE_MS = 15_000
expect.set_options(timeout=PATIENCE_MS)


def with_patience(context: BrowserContext) -> BrowserContext:
    context.set_default_timeout(PATIENCE_MS)
    return context


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives Chromium (set here; counted at the end of a run)"
    )


def pytest_collection_modifyitems(config, items):
    """Mark the tests that drive Chromium, for the count at the end of the run."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser() -> Browser:
    if not Path(CHROMIUM_PATH).exists():
        message = f"Chromium not found at {CHROMIUM_PATH} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server) -> BrowserContext:
    """A phone with the app's Content Security Policy enforced, as a patient has it."""
    context = with_patience(new_phone(browser, live_server))
    yield context
    context.close()


@pytest.fixture
def phone_without_javascript(browser, live_server) -> BrowserContext:
    context = with_patience(new_phone(browser, live_server, java_script_enabled=False))
    yield context
    context.close()


@pytest.fixture
def audit_phone(browser, live_server) -> BrowserContext:
    """A phone that lets axe-core be injected past the page's nonce-based CSP."""
    context = with_patience(new_phone(browser, live_server, bypass_csp=True))
    context.add_init_script(path=AXE_SOURCE_PATH)
    yield context
    context.close()


@pytest.fixture
def browser_errors() -> list[str]:
    """Console errors and uncaught exceptions of the `page` fixture: a script blocked by the
    CSP or a broken one shows up here."""
    return []


@pytest.fixture
def page(phone, browser_errors) -> Page:
    page = phone.new_page()
    watch(page, browser_errors)
    return page
