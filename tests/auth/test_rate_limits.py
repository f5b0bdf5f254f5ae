"""Security round 2, item 2: posts that cost work or send e-mail are limited per user (or per
address typed in) and per client address, with a 429 that says when to try again."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import RequestFactory

from tests.checkin_data import checkin_post
from tests.conftest import make_user
from tracker.auth import rate_limits
from tracker.auth.rate_limits import Limit, over_limit
from tracker.models import CheckIn, CheckInRevision, Flag, FlagStatus, Notification, Role


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def ask(client, n, address="10.0.0.5"):
    return client.post("/me/ask/", {"question": f"Question {n}?"}, REMOTE_ADDR=address)


def test_asking_the_care_team_is_limited_per_patient(patient_client, clock):
    for n in range(10):
        assert ask(patient_client, n).status_code == 302
    refused = ask(patient_client, 10)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    page = refused.content.decode()
    assert "Please try again in 60 minutes." in page
    assert "emergency number" in page  # a patient who is unwell is not left waiting
    assert patient_client.get("/me/ask/").status_code == 200  # reading is not limited
    clock.shift(timedelta(hours=1))
    assert ask(patient_client, 11).status_code == 302


def test_the_limit_per_address_covers_everyone_behind_it(client, clinic, patient, monkeypatch):
    monkeypatch.setitem(rate_limits.LIMITS, "ask", Limit(per_user=5, per_address=3, window=60))
    from tests.conftest import make_patient

    others = [make_patient(f"p{i}@clinic.test", clinic) for i in range(4)]
    statuses = []
    for person in others:
        client.force_login(person.user)
        statuses.append(ask(client, 0, address="192.0.2.7").status_code)
    assert statuses == [302, 302, 302, 429]
    assert ask(client, 1, address="192.0.2.8").status_code == 302  # elsewhere


def test_password_reset_is_limited_per_address_typed(client, patient, clock):
    for _ in range(5):
        response = client.post("/accounts/password-reset/", {"email": "Patient@clinic.test"})
        assert response.status_code == 302
    assert len(mail.outbox) == 5
    refused = client.post("/accounts/password-reset/", {"email": "patient@clinic.test "})
    assert refused.status_code == 429 and "Please try again" in refused.content.decode()
    assert len(mail.outbox) == 5
    other = client.post("/accounts/password-reset/", {"email": "someone@clinic.test"})
    assert other.status_code == 302


@pytest.mark.django_db
def test_password_reset_is_limited_per_client_address(client, clock):
    statuses = [
        client.post(
            "/accounts/password-reset/", {"email": f"n{n}@clinic.test"}, REMOTE_ADDR="192.0.2.9"
        ).status_code
        for n in range(21)
    ]
    assert statuses == [302] * 20 + [429]


def request_for(user, **extra):
    request = RequestFactory().post("/me/check-in/", **extra)
    request.user = user
    request.htmx = bool(extra.get("HTTP_HX_REQUEST"))
    return request


def test_over_limit_counts_and_answers_in_the_callers_language(patient, monkeypatch):
    monkeypatch.setitem(rate_limits.LIMITS, "checkin", Limit(per_user=2, per_address=99, window=60))
    user = patient.user
    assert over_limit(request_for(user), "checkin") is None
    assert over_limit(request_for(user), "checkin") is None
    page = over_limit(request_for(user), "checkin")
    assert page.status_code == 429 and b"<html" in page.content
    fragment = over_limit(request_for(user, HTTP_HX_REQUEST="true"), "checkin")
    assert fragment.status_code == 429 and b"<html" not in fragment.content
    assert fragment["HX-Reswap"] == "beforebegin"
    assert b"Please try again in 1 minute." in fragment.content
    answer = over_limit(request_for(user, content_type="application/json"), "checkin")
    assert answer.status_code == 429 and answer["Retry-After"]
    body = json.loads(answer.content)
    assert body["status"] == "rate_limited" and body["retry_after"] > 0


def test_staff_and_patients_count_separately(patient, monkeypatch, clinic):
    monkeypatch.setitem(rate_limits.LIMITS, "ask", Limit(per_user=1, per_address=99, window=60))
    staff = make_user("x@clinic.test", Role.PHYSIO, clinic)
    assert over_limit(request_for(patient.user), "ask") is None
    assert over_limit(request_for(staff), "ask") is None
    assert over_limit(request_for(patient.user), "ask") is not None


def test_a_pause_within_the_window_does_not_forget_the_count(patient_client, clock):
    for n in range(9):
        ask(patient_client, n)
    clock.shift(timedelta(minutes=10))
    assert ask(patient_client, 9).status_code == 302
    assert ask(patient_client, 10).status_code == 429


def test_a_deployment_sets_its_own_limits(patient_client, patient, settings):
    settings.RATE_LIMITS = {"checkin": {"per_user": 1}}
    assert patient_client.post("/me/check-in/", checkin_post()).status_code == 200
    assert patient_client.post("/me/check-in/", checkin_post()).status_code == 429


# --- Check-ins: refused over the limit, but never an emergency or urgent answer (§0.1) -------

SAVED = "Thank you, your answers are saved"
EMERGENCY = "Call for help now"
URGENT = "Call your surgical team today"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tight(monkeypatch):
    """Two check-ins an hour per patient, two offline sends, three field checks."""
    monkeypatch.setitem(rate_limits.LIMITS, "checkin", Limit(per_user=2, per_address=99, window=60))
    monkeypatch.setitem(
        rate_limits.LIMITS, "checkin-offline", Limit(per_user=2, per_address=99, window=60)
    )
    monkeypatch.setitem(
        rate_limits.LIMITS, "checkin-validate", Limit(per_user=3, per_address=99, window=60)
    )


def post_checkin(client, url="/me/check-in/", headers=None, **answers):
    data = checkin_post(submission_id=str(uuid.uuid4()), **answers)
    return client.post(url, data, **(headers or {}))


def test_a_patient_checking_in_a_few_times_a_day_is_never_refused(patient_client, patient):
    for pain in range(5):
        response = post_checkin(patient_client, back_pain=str(pain))
        assert response.status_code == 200 and SAVED in response.content.decode()
    for _ in range(50):  # one request per field left while typing
        response = patient_client.post(
            "/me/check-in/validate/", {"field": "walking_minutes", "walking_minutes": "20"}
        )
        assert response.status_code == 200


def test_a_check_in_over_the_limit_is_refused_and_changes_nothing(patient_client, patient, tight):
    post_checkin(patient_client, back_pain="3")
    post_checkin(patient_client, back_pain="4")
    refused = post_checkin(patient_client, back_pain="9")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Please try again in 1 minute." in page
    assert SAVED not in page
    assert CheckIn.objects.get(patient=patient).back_pain == 4
    assert CheckInRevision.objects.count() == 2


def test_with_htmx_the_refusal_lands_beside_the_half_filled_form(patient_client, patient, tight):
    post_checkin(patient_client)
    post_checkin(patient_client)
    refused = post_checkin(patient_client, headers=HTMX, back_pain="9")
    assert refused.status_code == 429
    assert refused["HX-Reswap"] == "beforebegin"
    assert b"<html" not in refused.content
    assert b"Please try again" in refused.content


def test_the_seven_day_edit_counts_with_the_check_in(patient_client, patient, tight):
    earlier = f"/me/check-in/{(patient.local_date() - timedelta(days=3)).isoformat()}/"
    post_checkin(patient_client)
    assert post_checkin(patient_client, url=earlier).status_code == 200
    refused = post_checkin(patient_client, url=earlier, back_pain="9")
    assert refused.status_code == 429
    assert not CheckIn.objects.filter(patient=patient, back_pain=9).exists()


def assert_flag_and_email(patient, rule_id):
    flag = Flag.objects.get(patient=patient, rule_id=rule_id, status=FlagStatus.OPEN)
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_over_the_limit_a_bladder_emergency_still_gets_the_screen_the_flag_and_the_email(
    patient_client, patient, tight, headers
):
    post_checkin(patient_client)
    post_checkin(patient_client)
    response = post_checkin(patient_client, headers=headers, safety_bladder_change="yes")
    assert response.status_code == 429
    html = response.content.decode()
    main = html[html.index('id="main"') :] if 'id="main"' in html else html
    # The emergency screen comes first, then the word that the rest must wait.
    assert main.index('role="alert"') < main.index(EMERGENCY) < main.index("Please try again")
    assert 'href="tel:999"' in html
    assert "safety questions are saved" in html and "is not saved yet" in html
    assert SAVED not in html and "Your check-in is saved" not in html
    # Nothing in the rest was wrong: it is to be sent again, not corrected.
    assert "send it again here" in html and "Some answers need another look" not in html
    if headers:
        assert response["HX-Retarget"] == "#main"
    assert CheckIn.objects.get(patient=patient).safety["bladder_change"] is True
    assert_flag_and_email(patient, "RF-CES-BLADDER")


def test_over_the_limit_an_urgent_answer_still_gets_its_screen(patient_client, patient, tight):
    post_checkin(patient_client)
    post_checkin(patient_client)
    response = post_checkin(patient_client, safety_calf_pain_swelling="yes")
    assert response.status_code == 429
    assert URGENT in response.content.decode()
    assert_flag_and_email(patient, "RF-CALF")


def test_over_the_limit_an_invalid_form_with_an_emergency_keeps_only_the_safety_answer(
    patient_client, patient, tight
):
    post_checkin(patient_client)
    post_checkin(patient_client)
    response = post_checkin(patient_client, back_pain=None, safety_saddle_numbness="yes")
    assert response.status_code == 429
    assert EMERGENCY in response.content.decode()
    assert CheckIn.objects.get(patient=patient).safety["saddle_numbness"] is True
    assert_flag_and_email(patient, "RF-CES-SADDLE")


def test_field_checks_are_limited_more_loosely_and_say_so(patient_client, tight):
    data = {"field": "walking_minutes", "walking_minutes": "20000"}
    for _ in range(3):
        assert patient_client.post("/me/check-in/validate/", data, **HTMX).status_code == 200
    refused = patient_client.post("/me/check-in/validate/", data, **HTMX)
    assert refused.status_code == 429 and b"Please try again" in refused.content


# --- The phone's queue ------------------------------------------------------------------------

OFFLINE = "/me/check-in/offline/"


def send(client, patient, *, client_id=None, **answers):
    fields = checkin_post(**answers)
    body = {
        "client_id": str(client_id or uuid.uuid4()),
        "day": patient.local_date().isoformat(),
        "owner": str(patient.user.public_id),
        "fields": {name: [value] for name, value in fields.items()},
    }
    return client.post(OFFLINE, json.dumps(body), content_type="application/json")


def test_the_phone_is_told_to_wait_and_nothing_is_saved(patient_client, patient, tight):
    assert send(patient_client, patient).status_code == 200
    assert send(patient_client, patient).status_code == 200
    refused = send(patient_client, patient, back_pain="9")
    assert refused.status_code == 429
    body = refused.json()
    assert body["status"] == "rate_limited" and 0 < body["retry_after"] <= 60
    assert int(refused["Retry-After"]) == body["retry_after"]
    assert CheckIn.objects.get(patient=patient).back_pain == 3


def test_the_limit_per_address_covers_every_phone_behind_it(client, clinic, monkeypatch):
    monkeypatch.setitem(
        rate_limits.LIMITS, "checkin-offline", Limit(per_user=9, per_address=2, window=60)
    )
    from tests.conftest import make_patient

    statuses = []
    for n in range(3):
        person = make_patient(f"phone{n}@clinic.test", clinic)
        client.force_login(person.user)
        statuses.append(send(client, person).status_code)
    assert statuses == [200, 200, 429]


def test_over_the_limit_a_queued_bladder_emergency_is_kept_and_answered_safety_saved(
    patient_client, patient, tight, clock
):
    send(patient_client, patient)
    send(patient_client, patient)
    client_id = uuid.uuid4()
    response = send(
        patient_client, patient, client_id=client_id, back_pain="7", safety_bladder_change="yes"
    )
    assert response.status_code == 429
    body = response.json()
    assert body["status"] == "safety_saved" and body["level"] == "emergency"
    assert body["retry_after"] > 0 and "Please try again" in body["error"]
    assert EMERGENCY in body["screen_html"] and 'href="tel:999"' in body["screen_html"]
    assert "kept on this phone" in body["screen_html"]
    assert SAVED not in body["screen_html"]
    assert CheckIn.objects.get(patient=patient).safety["bladder_change"] is True
    assert_flag_and_email(patient, "RF-CES-BLADDER")

    # After the wait the phone sends the rest again under a new id, and it is all saved.
    clock.shift(timedelta(seconds=body["retry_after"]))
    again = send(patient_client, patient, back_pain="7", safety_bladder_change="yes")
    assert again.status_code == 200 and again.json()["status"] == "saved"
    assert CheckIn.objects.get(patient=patient).back_pain == 7
