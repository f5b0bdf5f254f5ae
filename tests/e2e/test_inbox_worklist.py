"""The triage inbox on a wide screen is a worklist: one line per flag, at least 15 in view at
1280 × 800, the evidence opening in place."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_as
from tests.factories import make_flag
from tracker.rules import RULES_BY_ID

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifteen_flags_fit_on_a_wide_screen_and_open_in_place(
    page, live_server, patient, other_patient, surgeon, browser_errors
):
    rules = list(RULES_BY_ID)[:20]
    for rule_id in rules:
        make_flag(patient, rule_id, "review", evidence={"answers": ["fall"], "back_pain": 8})
    sign_in_as(page.context, live_server, surgeon)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/care/inbox/")
    flags = page.locator("#flag-list article")
    expect(flags).to_have_count(20)
    in_view = flags.evaluate_all(
        "els => els.filter(e => e.getBoundingClientRect().bottom <= window.innerHeight).length"
    )
    assert in_view >= 15
    first = flags.first
    expect(first.get_by_text("Answered yes")).not_to_be_visible()
    first.locator("summary").click()
    expect(first.get_by_text("Answered yes")).to_be_visible()
    expect(first.get_by_label("Resolution note")).to_be_visible()
    assert browser_errors == []
