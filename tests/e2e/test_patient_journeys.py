"""A patient's check-in on a phone: by touch, with an emergency answer, without JavaScript,
and with the keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.browser import sign_in_as
from tracker.checkins.forms import SAFETY_CARD
from tracker.models import CheckIn, Source
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES

pytestmark = pytest.mark.django_db(transaction=True)

SAVED = "Thank you, your answers are saved"


def scale(page: Page, question: str):
    return page.get_by_role("group", name=question, exact=True)


# Each warning sign's words on the safety card.
SIGNS = {code: str(label) for _title, signs in SAFETY_CARD for code, label in signs}


def answer_safety_questions(page: Page, yes: tuple[str, ...] = ()) -> None:
    """Tap each sign in `yes` on the safety card, or "None of these" when there is none."""
    for code in yes:
        page.get_by_role("checkbox", name=SIGNS[code], exact=True).tap()
    if not yes:
        page.get_by_role("checkbox", name="None of these", exact=True).tap()


def fill_by_touch(page: Page, *, back: str, leg: str, side: str | None, yes=()) -> None:
    scale(page, "Back pain in the last 24 hours").get_by_role("radio", name=back, exact=True).tap()
    scale(page, "Leg pain in the last 24 hours").get_by_role("radio", name=leg, exact=True).tap()
    if side:
        scale(page, "Which leg hurts?").get_by_role("radio", name=side, exact=True).tap()
    answer_safety_questions(page, yes)


def test_patient_signs_in_and_checks_in_by_touch(page, patient, browser_errors):
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail address").fill(patient.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()

    expect(page.get_by_role("heading", name="Hello, Pat Example")).to_be_visible()
    page.get_by_role("link", name="Check in now").tap()
    expect(page.get_by_role("heading", name="Today's check-in")).to_be_visible()

    fill_by_touch(page, back="3", leg="2", side="Left")
    expect(
        scale(page, "Back pain in the last 24 hours").get_by_role("radio", name="3")
    ).to_be_checked()
    page.get_by_role("button", name="Save my check-in").tap()

    expect(page.get_by_role("heading", name=SAVED)).to_be_visible()
    checkin = CheckIn.objects.get(patient=patient, day=patient.local_date())
    assert (checkin.back_pain, checkin.leg_pain, checkin.leg_side) == (3, 2, "left")
    assert checkin.safety == dict.fromkeys(SAFETY_ANSWER_CODES, False)
    assert checkin.revisions.get().source == Source.FORM
    assert browser_errors == []


def test_emergency_answer_shows_the_emergency_screen_with_a_call_link(
    page, phone, live_server, patient, browser_errors
):
    sign_in_as(phone, live_server, patient.user)
    page.goto("/me/check-in/")
    fill_by_touch(page, back="4", leg="3", side="Both legs", yes=("bladder_change",))
    page.get_by_role("button", name="Save my check-in").tap()

    expect(page.get_by_role("heading", name="Call for help now")).to_be_visible()
    call = page.get_by_role("link", name="Call 999")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:999")
    expect(page.get_by_text("Do not drive yourself. Ask someone to take you")).to_be_visible()
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.safety["bladder_change"] is True
    assert browser_errors == []


def test_checkin_without_javascript_still_saves(phone_without_javascript, live_server, patient):
    sign_in_as(phone_without_javascript, live_server, patient.user)
    page = phone_without_javascript.new_page()
    page.goto("/me/check-in/")

    # A missing answer comes back beside its question, with nothing saved.
    page.get_by_role("button", name="Save my check-in").tap()
    expect(
        page.get_by_text("Some answers need another look. Nothing was saved yet.")
    ).to_be_visible()
    assert not CheckIn.objects.filter(patient=patient).exists()

    fill_by_touch(page, back="5", leg="0", side=None)
    # A follow-up opens without the script: the exact minutes under "Other".
    exact = page.get_by_label("Another number of minutes")
    expect(exact).to_be_hidden()
    scale(page, "Your longest walk today, in minutes").get_by_role("radio", name="Other").tap()
    exact.fill("25")
    page.get_by_role("button", name="Save my check-in").tap()

    expect(page.get_by_role("heading", name=SAVED)).to_be_visible()
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.back_pain, checkin.leg_pain, checkin.leg_side) == (5, 0, "none")
    assert checkin.walking_minutes == 25
    assert checkin.safety == dict.fromkeys(SAFETY_ANSWER_CODES, False)


def tab_to(page: Page, selector: str, limit: int = 100) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focus_ring_shown(page: Page) -> bool:
    """The focused radio or checkbox is invisible; its chip (the span after it) carries the
    ring."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const drawn = el.type === "radio" || el.type === "checkbox";
            const ring = drawn ? el.nextElementSibling : el;
            return getComputedStyle(ring).outlineStyle !== "none";
        }"""
    )


def test_keyboard_alone_completes_the_checkin(page, phone, live_server, patient, browser_errors):
    sign_in_as(phone, live_server, patient.user)
    page.goto("/me/check-in/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    tab_to(page, "input[name=back_pain]")
    assert focus_ring_shown(page)
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # arrows move the choice within a radio group
    page.keyboard.press("Space")
    tab_to(page, "input[name=leg_pain]")
    page.keyboard.press("Space")  # 0: which leg is not asked
    tab_to(page, "input[name=safety_none]")
    assert focus_ring_shown(page)
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="None of these")).to_be_checked()
    tab_to(page, "button[type=submit]")
    expect(page.get_by_role("button", name="Save my check-in")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=SAVED)).to_be_visible()
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.back_pain, checkin.leg_pain, checkin.leg_side) == (3, 0, "none")
    assert checkin.safety == dict.fromkeys(SAFETY_ANSWER_CODES, False)
    assert browser_errors == []


def test_history_lists_the_day_after_a_checkin(page, phone, live_server, patient):
    sign_in_as(phone, live_server, patient.user)
    page.goto("/me/check-in/")
    fill_by_touch(page, back="6", leg="1", side="Right")
    page.get_by_role("button", name="Save my check-in").tap()
    page.get_by_role("link", name="See my history").tap()
    expect(page.get_by_role("heading", name="Your check-ins")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Back 6 · Leg 1"))).to_be_visible()
