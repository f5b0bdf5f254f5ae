"""A check-in without a connection: saved on the phone, sent once when it comes back, and the
emergency advice shown at once from the cached page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import sign_in_as
from tests.e2e.test_patient_journeys import SIGNS, fill_by_touch
from tracker.models import CheckIn, CheckInRevision, Source

pytestmark = pytest.mark.django_db(transaction=True)

SAVED_ON_PHONE = "Saved on this phone, will send when you are back online"


def open_check_in_with_worker(page: Page) -> None:
    """Open the check-in so the service worker is installed and has kept a copy of it."""
    page.goto("/me/check-in/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()  # now fetched through the worker, which keeps the copy
    page.wait_for_function(
        "() => caches.open('laminar-private').then(c => c.match('/me/check-in/')).then(r => !!r)"
    )


def test_check_in_offline_is_kept_and_arrives_once_when_back_online(
    page, phone, live_server, patient, browser_errors
):
    sign_in_as(phone, live_server, patient.user)
    open_check_in_with_worker(page)

    phone.set_offline(True)
    page.reload()  # the page still opens without a connection
    expect(page.get_by_role("heading", name="Today's check-in")).to_be_visible()
    fill_by_touch(page, back="4", leg="2", side="Left")
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_text(SAVED_ON_PHONE)).to_be_visible()
    assert not CheckIn.objects.exists()

    phone.set_offline(False)
    expect(page.get_by_role("heading", name="Thank you, your answers are saved")).to_be_visible(
        timeout=15_000
    )
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.back_pain, checkin.leg_pain, checkin.leg_side) == (4, 2, "left")
    revision = CheckInRevision.objects.get()
    assert revision.source == Source.OFFLINE

    # Opening the app again sends nothing more: the phone's outbox is empty.
    page.goto("/me/")
    page.wait_for_timeout(1_000)
    assert CheckInRevision.objects.count() == 1
    assert [e for e in browser_errors if "ERR_INTERNET_DISCONNECTED" not in e] == []


def test_emergency_answer_offline_shows_the_advice_at_once(page, phone, live_server, patient):
    sign_in_as(phone, live_server, patient.user)
    open_check_in_with_worker(page)

    phone.set_offline(True)
    page.reload()
    advice = page.get_by_role("heading", name="Get help now")
    expect(advice).to_be_hidden()
    page.get_by_role("checkbox", name=SIGNS["legs_cannot_move"], exact=True).tap()
    expect(advice).to_be_visible()
    call = page.get_by_role("link", name="Call 999")
    expect(call).to_have_attribute("href", "tel:999")
    expect(page.get_by_text("Do not drive yourself").first).to_be_visible()
    phone.set_offline(False)
