"""A shared phone: a check-in kept on it waits for the person who made it, is never sent under
anyone else's session nor shown to them, and signing out says plainly that it is waiting."""

from __future__ import annotations

import time
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.signals import request_started
from django.db import OperationalError
from playwright.sync_api import Page, expect

from tests.e2e.browser import sign_in_as
from tests.e2e.test_offline_checkin import SAVED_ON_PHONE, open_check_in_with_worker
from tests.e2e.test_patient_journeys import fill_by_touch
from tracker.auth.rate_limits import LIMITS, Limit
from tracker.models import CheckIn, Flag, FlagStatus, Notification
from tracker.views import offline

pytestmark = pytest.mark.django_db(transaction=True)

OFFLINE_URL = "/me/check-in/offline/"
PENDING = "Some check-ins have not been sent yet"


# A send whose session could not be read (the database busy): counted, its sender unknown.
UNREADABLE = -1


@pytest.fixture
def offline_sends():
    """The signed-in user's id of every request that reached the offline endpoint."""
    senders: list[int | None] = []

    def record(sender, environ, **kwargs):
        if environ.get("PATH_INFO") != OFFLINE_URL:
            return
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        morsel = cookie.get(settings.SESSION_COOKIE_NAME)
        try:
            session = SessionStore(session_key=morsel.value if morsel else None)
            user_id = session.get("_auth_user_id")
        except OperationalError:
            # The test database busy with another request's write: the send still counts.
            user_id = UNREADABLE
        senders.append(int(user_id) if user_id else None)

    request_started.connect(record, weak=False)
    yield senders
    request_started.disconnect(record)


def wait_until(condition, seconds=15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:  # SQLite: the live server is writing that table right now
            pass
        time.sleep(0.2)
    return condition()


def outbox(page: Page) -> list[dict]:
    """What the phone keeps: each kept check-in's owner and day, and who it thinks is in."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const opening = indexedDB.open("laminar", 2);
            opening.onerror = () => reject(opening.error);
            opening.onsuccess = () => {
                const tx = opening.result.transaction(["outbox", "meta"]);
                const records = tx.objectStore("outbox").getAll();
                const owner = tx.objectStore("meta").get("owner");
                tx.oncomplete = () => {
                    opening.result.close();
                    resolve({signed_in: owner.result || "", records: records.result.map(
                        r => ({owner: r.owner, day: r.day, state: r.state}))});
                };
            };
        })"""
    )


def test_a_check_in_left_on_a_shared_phone_waits_for_its_owner(
    page, phone, live_server, patient, other_patient, monkeypatch, offline_sends
):
    a, b = patient, other_patient

    # Patient A checks in without a connection; when it returns the server fails (5xx),
    # so the check-in stays on the phone.
    def server_fails(*args, **kwargs):
        raise RuntimeError("the database is away")

    monkeypatch.setattr(offline, "apply_offline_checkin", server_fails)
    sign_in_as(phone, live_server, a.user)
    open_check_in_with_worker(page)
    phone.set_offline(True)
    page.reload()
    fill_by_touch(page, back="6", leg="2", side="Left")
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_text(SAVED_ON_PHONE)).to_be_visible()
    phone.set_offline(False)
    assert wait_until(lambda: a.user.pk in offline_sends), "the phone never tried to send"
    assert not CheckIn.objects.exists()

    # A signs out: the phone tries once more, then says the check-in is waiting.
    page.get_by_role("button", name="Sign out").tap()
    warning = page.get_by_role("dialog", name=PENDING)
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("Nobody else who signs in on this phone can see or send them")
    warning.get_by_role("button", name="Sign out and keep them on this phone").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # Patient B signs in on the same phone, with the server working again.
    monkeypatch.undo()
    sign_in_as(phone, live_server, b.user)
    page.goto("/me/check-in/")
    expect(page.get_by_role("heading", name="Today's check-in")).to_be_visible()
    # The phone knows B is signed in now (so it has been asked to send B's queue) ...
    assert wait_until(lambda: outbox(page)["signed_in"] == str(b.user.public_id), 10)
    page.wait_for_timeout(1_000)
    # ... and sent nothing under B's session: A's check-in waits, unseen.
    assert b.user.pk not in offline_sends
    assert not CheckIn.objects.exists()
    assert outbox(page)["records"] == [
        {"owner": str(a.user.public_id), "day": a.local_date().isoformat(), "state": "pending"}
    ]
    expect(page.locator("#checkin-form input:checked")).to_have_count(0)
    expect(page.get_by_text(SAVED_ON_PHONE)).to_be_hidden()

    # B signs out: nothing of theirs waits, so no question is asked.
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # A signs in again: their check-in is sent, under their own session.
    sign_in_as(phone, live_server, a.user)
    page.goto("/me/")
    assert wait_until(lambda: CheckIn.objects.filter(patient=a).exists())
    checkin = CheckIn.objects.get(patient=a)
    assert (checkin.back_pain, checkin.leg_pain, checkin.leg_side) == (6, 2, "left")
    assert set(offline_sends) == {a.user.pk}
    assert wait_until(lambda: outbox(page)["records"] == [], 5)


def test_signing_out_can_delete_what_waits(page, phone, live_server, patient, monkeypatch):
    sign_out = "() => document.querySelector('form[action=\"/accounts/logout/\"]').requestSubmit()"
    sign_in_as(phone, live_server, patient.user)
    open_check_in_with_worker(page)
    phone.set_offline(True)
    page.reload()
    fill_by_touch(page, back="4", leg="1", side="Left")
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_text(SAVED_ON_PHONE)).to_be_visible()

    # Still without a connection, A tries to sign out from the open page.
    warning = page.get_by_role("dialog", name=PENDING)
    page.evaluate(sign_out)
    expect(warning).to_be_visible()
    warning.get_by_role("button", name="Send them now").tap()
    expect(warning).to_contain_text("This phone has no connection")
    warning.get_by_role("button", name="Stay signed in").tap()
    expect(warning).to_be_hidden()

    monkeypatch.setattr(offline, "apply_offline_checkin", _fails)
    phone.set_offline(False)
    page.evaluate(sign_out)
    expect(warning).to_be_visible(timeout=15_000)
    warning.get_by_role("button", name="Delete them and sign out").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert outbox(page)["records"] == []
    assert not CheckIn.objects.exists()


def _fails(*args, **kwargs):
    raise RuntimeError("the database is away")


def test_over_the_limit_the_phone_keeps_the_check_in_and_sends_it_after_the_wait(
    page, phone, live_server, patient, monkeypatch, offline_sends
):
    monkeypatch.setitem(LIMITS, "checkin-offline", Limit(per_user=0, per_address=0, window=3))
    sign_in_as(phone, live_server, patient.user)
    open_check_in_with_worker(page)
    phone.set_offline(True)
    page.reload()
    fill_by_touch(page, back="5", leg="1", side="Left")
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_text(SAVED_ON_PHONE)).to_be_visible()
    phone.set_offline(False)
    assert wait_until(lambda: len(offline_sends) == 1, 10)
    # Refused with 429: nothing saved, still kept. The request has only started: the server
    # may hold the table for a moment (it tries the safety answers, then rolls back).
    assert wait_until(lambda: not CheckIn.objects.exists())
    monkeypatch.undo()
    # Retry-After is at most 3 seconds: the phone tries again then, by itself.
    assert wait_until(lambda: CheckIn.objects.filter(patient=patient, back_pain=5).exists())
    assert len(offline_sends) == 2


def test_over_the_limit_the_form_shows_why_and_keeps_the_answers(
    page, phone, live_server, patient, monkeypatch
):
    monkeypatch.setitem(LIMITS, "checkin", Limit(per_user=0, per_address=0, window=3600))
    sign_in_as(phone, live_server, patient.user)
    page.goto("/me/check-in/")
    fill_by_touch(page, back="5", leg="1", side="Left")
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_role("alert").filter(has_text="Please try again in")).to_be_visible()
    expect(page.locator("#checkin-form [name=back_pain][value='5']")).to_be_checked()
    assert not CheckIn.objects.exists()


def test_over_the_limit_a_kept_bladder_emergency_shows_its_screen_and_the_rest_follows(
    page, phone, live_server, patient, monkeypatch, offline_sends
):
    monkeypatch.setitem(LIMITS, "checkin-offline", Limit(per_user=0, per_address=0, window=3))
    sign_in_as(phone, live_server, patient.user)
    open_check_in_with_worker(page)
    phone.set_offline(True)
    page.reload()
    fill_by_touch(page, back="7", leg="0", side=None, yes=("bladder_change",))
    page.get_by_role("button", name="Save my check-in").tap()
    expect(page.get_by_text(SAVED_ON_PHONE)).to_be_visible()
    phone.set_offline(False)

    # Refused for the rate limit, but the emergency is recorded, flagged and shown at once.
    expect(page.get_by_role("heading", name="Call for help now")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("kept on this phone").first).to_be_visible()
    flag = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER", status=FlagStatus.OPEN)
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()
    assert CheckIn.objects.get(patient=patient).safety["bladder_change"] is True

    # After the wait the rest is sent again by itself, under a new id, and saved.
    monkeypatch.undo()
    assert wait_until(lambda: len(offline_sends) >= 2)
    assert wait_until(lambda: outbox(page)["records"] == [])
    assert CheckIn.objects.get(patient=patient).revisions.count() >= 2
