"""The clinic outcomes page in a real browser: the funnel plot draws under the app's Content
Security Policy, nothing scrolls sideways on a phone, and axe finds nothing serious."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import serious_accessibility_violations, sign_in_as
from tests.outcomes.cohort_data import build_cohort

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cohort(clinic):
    return build_cohort(clinic)


@pytest.mark.parametrize("width", [390, 1280])
def test_outcomes_page_draws_the_funnel_without_sideways_scroll(
    page, live_server, surgeon, cohort, browser_errors, width
):
    sign_in_as(page.context, live_server, surgeon)
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/clinic/outcomes/")
    chart = page.locator('[data-figure="funnel-figure"]')
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(page.get_by_role("rowheader", name="Ann First")).to_be_visible()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert browser_errors == []


def test_outcomes_page_passes_axe(audit_phone, live_server, surgeon, cohort):
    page = audit_phone.new_page()
    sign_in_as(audit_phone, live_server, surgeon)
    page.goto("/clinic/outcomes/")
    assert serious_accessibility_violations(page) == []
