"""The safety promise without a connection: an emergency answer made offline, beside an answer
that is wrong, reaches the care team when the phone is back online, and the phone never says
that what was not saved is saved."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_as
from tests.e2e.test_offline_checkin import SAVED_ON_PHONE, open_check_in_with_worker
from tests.e2e.test_patient_journeys import fill_by_touch
from tracker.models import CheckIn, Flag, FlagStatus, Notification, Source

pytestmark = pytest.mark.django_db(transaction=True)

# Words that would tell the patient their whole check-in is saved.
SAVED_WORDS = ("Thank you, your answers are saved", "Your check-in is saved")
# Remembers, across the page's reloads, whether any of SAVED_WORDS was ever on screen.
WATCH_FOR_SAVED = (
    "(() => {\n"
    f"  const words = {json.dumps(SAVED_WORDS)};\n"
    """  const look = () => {
    const text = document.body ? document.body.innerText : "";
    if (words.some((w) => text.includes(w))) sessionStorage.setItem("said-saved", "yes");
  };
  const options = {subtree: true, childList: true, characterData: true};
  new MutationObserver(look).observe(document, options);
  document.addEventListener("DOMContentLoaded", look);
})();
"""
)


def test_offline_emergency_with_a_wrong_answer_reaches_the_care_team_and_is_never_called_saved(
    page, phone, live_server, patient, browser_errors
):
    phone.add_init_script(WATCH_FOR_SAVED)
    sign_in_as(phone, live_server, patient.user)
    open_check_in_with_worker(page)

    phone.set_offline(True)
    page.reload()
    fill_by_touch(page, back="5", leg="0", side=None, yes=("bladder_change",))
    # The emergency advice comes at once, from the page the phone kept.
    expect(page.get_by_role("heading", name="Get help now")).to_be_visible()
    walk = page.get_by_role("group", name="Your longest walk today, in minutes", exact=True)
    walk.get_by_role("radio", name="Other").tap()
    page.get_by_label("Another number of minutes").fill("9999")
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_text(SAVED_ON_PHONE)).to_be_visible()
    assert not CheckIn.objects.exists()

    phone.set_offline(False)
    # The server's answer: the emergency screen, and the rest waits on the phone.
    expect(page.get_by_role("heading", name="Call for help now")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("not saved yet", exact=False).first).to_be_visible()

    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.safety["bladder_change"] is True
    assert checkin.walking_minutes is None  # the wrong answer is not stored
    assert checkin.revisions.get().source == Source.OFFLINE
    flag = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER", status=FlagStatus.OPEN)
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()

    assert page.evaluate("() => sessionStorage.getItem('said-saved')") is None
    for words in SAVED_WORDS:
        expect(page.get_by_text(words)).to_have_count(0)
    # Leaving a field asks the server to check it; offline that request fails, and htmx says so.
    offline_noise = ("ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest")
    assert [e for e in browser_errors if not any(n in e for n in offline_noise)] == []


def test_without_javascript_the_follow_up_questions_are_asked_and_both_sides_is_an_emergency(
    phone_without_javascript, live_server, patient
):
    sign_in_as(phone_without_javascript, live_server, patient.user)
    page = phone_without_javascript.new_page()
    page.goto("/me/check-in/")
    side = page.get_by_role("group", name="Which side is the new numbness on?", exact=True)
    expect(side).to_be_hidden()
    fill_by_touch(page, back="3", leg="0", side=None, yes=("new_numbness",))
    # Its follow-up opens without any script (CSS), and only its own.
    side.get_by_role("radio", name="Both sides").tap()
    expect(page.get_by_label("What time did you take it?")).to_be_hidden()
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_role("heading", name="Call for help now")).to_be_visible()
    assert CheckIn.objects.get(patient=patient).new_numbness_side == "both"
    assert Flag.objects.get(patient=patient, rule_id="RF-NUMB-NEW").level == "emergency"
