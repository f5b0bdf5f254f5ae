"""Security round 2, item 2: posts that cost work or send e-mail are limited per user (or per
address typed in) and per client address, with a 429 that says when to try again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import RequestFactory

from tests.conftest import make_user
from tracker.auth import rate_limits
from tracker.auth.rate_limits import Limit, over_limit
from tracker.models import Role


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
