"""A shared phone: check-ins kept on it belong to the person who made them. The page tells the
phone whose they are, and the server never takes one under someone else's session."""

from __future__ import annotations

import json
import re
import uuid

from django.test import Client

from tests.checkin_data import checkin_post
from tracker.models import CheckIn

URL = "/me/check-in/offline/"


def send(client, patient, owner):
    body = {
        "client_id": str(uuid.uuid4()),
        "day": patient.local_date().isoformat(),
        "fields": {name: [value] for name, value in checkin_post(back_pain="6").items()},
    }
    if owner is not None:
        body["owner"] = owner
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_a_check_in_queued_by_someone_else_is_refused_and_left_for_them(
    client, patient, other_patient
):
    client.force_login(other_patient.user)
    for owner in (str(patient.user.public_id), str(patient.public_id), None):
        response = send(client, other_patient, owner)
        assert response.status_code == 409
        body = response.json()
        assert body["status"] == "not_yours"  # the phone keeps it for its owner
        assert "someone else" in body["error"] and "until they sign in again" in body["error"]
    assert not CheckIn.objects.exists()


def test_a_check_in_queued_by_the_signed_in_patient_is_taken(patient_client, patient):
    assert send(patient_client, patient, str(patient.user.public_id)).json()["status"] == "saved"
    assert CheckIn.objects.get(patient=patient).back_pain == 6


def worker_tag(html: str) -> str:
    start = html.index("js/sw-register.js")
    return html[html.rindex("<script", 0, start) : html.index(">", start)]


def test_a_patients_pages_say_whose_check_ins_are_theirs_and_warn_at_sign_out(
    patient_client, patient
):
    for url in ("/me/", "/me/check-in/", "/me/history/"):
        html = patient_client.get(url).content.decode()
        tag = worker_tag(html)
        assert f'data-owner="{patient.user.public_id}"' in tag
        assert 'data-sign-out="/accounts/logout/"' in tag
        assert patient.user.email not in tag
        dialog = html[html.index('<dialog id="outbox-sign-out"') : html.index("</dialog>")]
        assert "Some check-ins have not been sent yet" in dialog
        assert "Nobody else who signs in on this phone can see or send them" in dialog
        for action in ("Send them now", "Sign out and keep them on this phone"):
            assert action in dialog
        assert "Delete them and sign out" in dialog and "Stay signed in" in dialog


def test_staff_and_signed_out_pages_name_no_owner(client, surgeon):
    signed_out = Client().get("/accounts/login/").content.decode()
    client.force_login(surgeon)
    staff = client.get("/care/").content.decode()
    for html in (signed_out, staff):
        assert "data-owner" not in worker_tag(html)
        assert "outbox-sign-out" not in html


def test_every_page_lets_htmx_show_a_429_and_no_other_error(patient_client):
    html = patient_client.get("/me/check-in/").content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    rules = json.loads(meta.group(1))["responseHandling"]
    swapped = {rule["code"]: rule["swap"] for rule in rules}
    assert swapped["429"] is True and swapped["[45].."] is False
    codes = [rule["code"] for rule in rules]
    assert codes.index("429") < codes.index("[45]..")  # htmx takes the first match
