"""How much a daily check-in asks of a patient on a 390 x 844 phone (issue 17).

Three scripted patients go from the home page to the confirmation: a normal day (no symptoms,
no warning signs, exercises done), a day with one symptom, and an emergency day (a bladder
change). Each counts the taps and the typed answers, the page and form height before any
follow-up question opens, and the seconds from home to confirmation. The budgets: a normal
day in at most 10 taps with nothing typed, and a form at most two screens tall.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import PHONE, serious_accessibility_violations, sign_in_as
from tests.programme_data import prescribe
from tracker.checkins.recording import record_checkin
from tracker.models import CheckIn, Exercise, Role
from tracker.programmes.library import install_library
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES

pytestmark = pytest.mark.django_db(transaction=True)

SCREEN = PHONE["viewport"]["height"]
MAX_TAPS_NORMAL_DAY = 10
MAX_FORM_HEIGHT = 2 * SCREEN
SAVED = "Thank you, your answers are saved"
EMERGENCY = "Call for help now"


@dataclass
class Measure:
    """What one scripted patient did, and what the check-in page measured."""

    page: Page
    taps: int = 0
    typed: int = 0
    page_height: int = 0
    form_height: int = 0
    seconds: float = 0.0
    log: list[str] = field(default_factory=list)

    def tap(self, target: Locator) -> None:
        target.tap()
        self.taps += 1

    def type(self, target: Locator, text: str) -> None:
        self.tap(target)  # reaching the field is a tap too
        target.fill(text)
        self.typed += 1

    def measure_form(self) -> None:
        """The page as it opens, before any answer opens a follow-up question.

        Measured once the page has loaded with the check-in's stylesheet: a test server busy
        with other tests can drop that request, and the unstyled page is not what a patient
        sees; it is then loaded again (not a tap of the patient's)."""
        for _attempt in range(3):
            self.page.wait_for_load_state("load")
            if self.page.evaluate(STYLED):
                break
            self.page.reload()
        self.page_height = self.page.evaluate("() => document.documentElement.scrollHeight")
        self.form_height = round(
            self.page.evaluate(
                "() => document.getElementById('checkin-form').getBoundingClientRect().height"
            )
        )


# True when checkin.css has been applied to the page.
STYLED = """() => [...document.styleSheets].some(
    (sheet) => (sheet.href || "").includes("/css/checkin") && sheet.cssRules.length > 0
)"""


def group(page: Page, name: str) -> Locator:
    return page.get_by_role("group", name=name, exact=True)


def radio(page: Page, question: str, answer: str) -> Locator:
    return group(page, question).get_by_role("radio", name=answer, exact=True)


def arrange_patient(patient) -> None:
    """Two exercises prescribed and yesterday's check-in saved, as for most patients."""
    install_library(Exercise)  # an earlier browser test's flush may have emptied it
    physio = patient.care_team.get(role=Role.PHYSIO)
    prescribe(patient, physio, "pelvic-tilts")
    prescribe(patient, physio, "heel-slides")
    yesterday = patient.local_date().fromordinal(patient.local_date().toordinal() - 1)
    record_checkin(
        patient,
        yesterday,
        {
            "back_pain": 3,
            "leg_pain": 0,
            "leg_side": "none",
            "symptoms": {},
            "safety": dict.fromkeys(SAFETY_ANSWER_CODES, False),
            "walking_minutes": 20,
            "opioid_doses": 0,
            "took_other_painkillers": True,
            "took_nerve_pain_medicine": False,
            "sleep_disturbance": 2,
            "note": "",
            "exercises": None,
        },
        by=patient.user,
    )


def check_in(page: Page, fill, done: str) -> Measure:
    """Home page to `done` (the heading that confirms), filled by `fill(measure)`."""
    measure = Measure(page)
    page.goto("/me/")
    start = time.monotonic()
    measure.tap(page.get_by_role("link", name="Check in now"))
    expect(page.get_by_role("heading", name="Today's check-in")).to_be_visible()
    measure.measure_form()
    fill(measure)
    measure.tap(page.get_by_role("button", name="Save my check-in"))
    expect(page.get_by_role("heading", name=done)).to_be_visible()
    measure.seconds = round(time.monotonic() - start, 1)
    return measure


# --- The scripted answers ------------------------------------------------------------------


def pain(m: Measure, back: str, leg: str, side: str | None = None) -> None:
    m.tap(radio(m.page, "Back pain in the last 24 hours", back))
    m.tap(radio(m.page, "Leg pain in the last 24 hours", leg))
    if side:
        m.tap(radio(m.page, "Which leg hurts?", side))


def none_of_these(m: Measure) -> None:
    m.tap(m.page.get_by_role("checkbox", name="None of these", exact=True))


def usual_day(m: Measure) -> None:
    """Walking as yesterday, paracetamol, sleep, and every exercise done."""
    m.tap(m.page.get_by_role("radio", name="Same as yesterday: 20"))
    m.tap(m.page.get_by_role("checkbox", name="Paracetamol, ibuprofen or similar"))
    m.tap(radio(m.page, "Sleep disturbed by pain last night", "A little"))
    m.tap(m.page.get_by_role("checkbox", name="I did all my exercises today"))


def normal_day(m: Measure) -> None:
    pain(m, "3", "0")
    none_of_these(m)
    usual_day(m)


def symptom_day(m: Measure) -> None:
    pain(m, "3", "2", "Left")
    none_of_these(m)
    m.tap(m.page.get_by_role("checkbox", name="Back muscle spasms"))
    usual_day(m)


def emergency_day(m: Measure) -> None:
    pain(m, "4", "0")
    m.tap(m.page.get_by_role("checkbox", name="New trouble starting, stopping or feeling urine"))


def report(name: str, m: Measure) -> str:
    return (
        f"{name}: {m.taps} taps, {m.typed} typed, form {m.form_height} px, "
        f"page {m.page_height} px, {m.seconds} s"
    )


def test_a_normal_day_fits_the_budget(page, phone, live_server, patient, browser_errors):
    arrange_patient(patient)
    sign_in_as(phone, live_server, patient.user)
    m = check_in(page, normal_day, SAVED)
    print(report("normal day", m))
    checkin = CheckIn.objects.get(patient=patient, day=patient.local_date())
    assert checkin.safety == dict.fromkeys(SAFETY_ANSWER_CODES, False)
    assert (checkin.back_pain, checkin.leg_pain, checkin.walking_minutes) == (3, 0, 20)
    assert (checkin.opioid_doses, checkin.took_other_painkillers) == (0, True)
    assert checkin.took_nerve_pain_medicine is False
    assert checkin.sleep_disturbance == 2
    assert sorted(log.sessions_done for log in checkin.exercise_logs.all()) == [1, 1]
    assert browser_errors == []
    assert m.typed == 0, report("normal day", m)
    assert m.taps <= MAX_TAPS_NORMAL_DAY, report("normal day", m)
    assert m.form_height <= MAX_FORM_HEIGHT, report("normal day", m)


def test_a_day_with_one_symptom(page, phone, live_server, patient, browser_errors):
    arrange_patient(patient)
    sign_in_as(phone, live_server, patient.user)
    m = check_in(page, symptom_day, SAVED)
    print(report("one symptom", m))
    checkin = CheckIn.objects.get(patient=patient, day=patient.local_date())
    assert checkin.symptoms == {"muscle_spasm": ""}
    assert checkin.leg_side == "left"
    assert browser_errors == []
    assert m.typed == 0, report("one symptom", m)
    assert m.form_height <= MAX_FORM_HEIGHT, report("one symptom", m)


def test_an_emergency_day_reaches_the_emergency_screen(
    page, phone, live_server, patient, browser_errors
):
    arrange_patient(patient)
    sign_in_as(phone, live_server, patient.user)
    m = check_in(page, emergency_day, EMERGENCY)
    print(report("emergency", m))
    checkin = CheckIn.objects.get(patient=patient, day=patient.local_date())
    assert checkin.safety["bladder_change"] is True
    assert browser_errors == []
    assert m.typed == 0, report("emergency", m)


# --- Every control reachable by thumb, at 360 px too, and sound for assistive technology -----

# The drawn part of each control a patient taps: a chip's span, a button, a disclosure.
TARGETS = (
    "#checkin-form .scale-option span, #checkin-form .choice span, #checkin-form .chip span, "
    "#checkin-form button, #checkin-form summary, #checkin-form input[type=number]"
)


def small_targets(page: Page) -> list[str]:
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
            .filter(el => el.checkVisibility())
            .map(el => [el.closest("[id]").id + " " + el.textContent.trim().slice(0, 30),
                        el.getBoundingClientRect()])
            .filter(([, r]) => r.width < 44 || r.height < 44)
            .map(([text, r]) => `${text}: ${Math.round(r.width)} x ${Math.round(r.height)}`)""",
        TARGETS,
    )


def open_every_follow_up(page: Page) -> None:
    radio(page, "Leg pain in the last 24 hours", "3").tap()
    for sign in ("New or spreading numbness in a leg or foot", "Blood soaked through the dressing"):
        page.get_by_role("checkbox", name=sign).tap()
    page.get_by_role("checkbox", name="Feverish, hot or shivery").tap()
    page.get_by_role("checkbox", name="Pain shooting down a leg").tap()
    page.get_by_role("checkbox", name="Opioid: codeine, tramadol, morphine").tap()
    group(page, "Your longest walk today, in minutes").get_by_role("radio", name="Other").tap()
    group(page, "Sleep disturbed by pain last night").get_by_role("radio", name="0–10").tap()


@pytest.mark.parametrize("width", [390, 360])
def test_every_target_is_large_and_nothing_scrolls_sideways(
    page, phone, live_server, patient, width
):
    arrange_patient(patient)
    sign_in_as(phone, live_server, patient.user)
    page.set_viewport_size({"width": width, "height": SCREEN})
    page.goto("/me/check-in/")
    open_every_follow_up(page)
    expect(page.get_by_label("Your temperature (°C), if you measured it")).to_be_visible()
    assert small_targets(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_follow_ups_open_only_their_own_and_pass_axe(audit_phone, live_server, patient):
    arrange_patient(patient)
    sign_in_as(audit_phone, live_server, patient.user)
    page = audit_phone.new_page()
    page.goto("/me/check-in/")
    follow_ups = page.locator("#checkin-form .follow-up:visible")
    expect(follow_ups).to_have_count(0)
    page.get_by_role("checkbox", name="Blood soaked through the dressing").tap()
    expect(follow_ups).to_have_count(1)
    bleeding = group(page, "Does the bleeding stop when you press firmly on the wound?")
    expect(bleeding).to_be_visible()
    open_every_follow_up(page)
    assert serious_accessibility_violations(page) == []


def test_none_of_these_beside_a_sign_is_pointed_out_before_sending(
    page, phone, live_server, patient, browser_errors
):
    sign_in_as(phone, live_server, patient.user)
    page.goto("/me/check-in/")
    none = page.get_by_role("checkbox", name="None of these", exact=True)
    fall = page.get_by_role("checkbox", name="A fall", exact=True)
    warning = page.get_by_text("You ticked “None of these” and a warning sign.")
    fall.tap()
    none.tap()
    expect(warning).to_be_visible()
    fall.tap()  # unticking the sign settles it
    expect(warning).to_be_hidden()
    fall.tap()  # a sign ticked after "None of these" takes its place
    expect(none).not_to_be_checked()
    assert browser_errors == []
