"""The offline check-in endpoint: what a phone sends when its connection returns."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.checkin_data import checkin_post
from tracker.models import CheckIn, CheckInRevision, Flag, Source

URL = "/me/check-in/offline/"


def fields(**overrides) -> dict:
    return {name: [value] for name, value in checkin_post(**overrides).items()}


def send(client, patient, *, client_id=None, day=None, changed_at=None, **overrides):
    body = {
        "client_id": str(client_id or uuid.uuid4()),
        "day": (day or patient.local_date()).isoformat(),
        "owner": str(patient.public_id),
        "fields": fields(**overrides),
        "changed_at": changed_at or {},
    }
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_a_check_in_made_offline_is_saved_once_and_shows_the_saved_screen(patient_client, patient):
    client_id = uuid.uuid4()
    response = send(patient_client, patient, client_id=client_id)
    assert response.status_code == 200
    result = response.json()
    assert result["status"] == "saved"
    assert result["level"] is None
    assert "Thank you, your answers are saved" in result["screen_html"]
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.back_pain == 3
    assert checkin.revisions.get().source == Source.OFFLINE

    resent = send(patient_client, patient, client_id=client_id)
    assert resent.status_code == 200
    assert resent.json()["status"] == "already_received"
    assert CheckInRevision.objects.count() == 1


def test_an_id_reused_with_other_answers_is_refused_and_never_called_saved(patient_client, patient):
    client_id = uuid.uuid4()
    send(patient_client, patient, client_id=client_id, back_pain="3")
    reused = send(patient_client, patient, client_id=client_id, back_pain="9")
    assert reused.status_code == 409
    assert reused.json()["status"] == "refused"
    assert "saved" not in reused.json()["status"]
    assert CheckInRevision.objects.count() == 1
    assert CheckIn.objects.get(patient=patient).back_pain == 3


def test_two_offline_check_ins_for_one_day_make_one_check_in(patient_client, patient):
    send(patient_client, patient, back_pain="3")
    send(patient_client, patient, back_pain="6", changed_at={"back_pain": _iso(0)})
    assert CheckIn.objects.filter(patient=patient).count() == 1
    assert CheckIn.objects.get(patient=patient).back_pain == 6


def test_an_emergency_answer_sent_from_the_phone_answers_with_the_emergency_screen(
    patient_client, patient
):
    result = send(patient_client, patient, safety_bladder_change="yes").json()
    assert result["level"] == "emergency"
    assert "Call for help now" in result["screen_html"]
    assert 'href="tel:999"' in result["screen_html"]
    # Same flag for the care team as a check-in from the form.
    assert Flag.objects.get(patient=patient).rule_id == "RF-CES-BLADDER"


def test_validation_errors_come_back_as_json_and_nothing_is_saved(patient_client, patient):
    response = send(patient_client, patient, back_pain=None, leg_pain="4", leg_side="")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "refused"
    assert body["errors"]["back_pain"] == ["Choose a number from 0 to 10."]
    assert body["errors"]["leg_side"] == ["Tell us which leg hurts: left, right or both."]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "dated in the future"), (-8, "can no longer be saved")],
)
def test_days_in_the_future_or_outside_the_edit_window_are_refused(
    patient_client, patient, days, message
):
    day = patient.local_date() + timedelta(days=days)
    response = send(patient_client, patient, day=day)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not CheckIn.objects.exists()


def test_an_earlier_day_within_the_window_is_accepted(patient_client, patient):
    day = patient.local_date() - timedelta(days=7)
    assert send(patient_client, patient, day=day).status_code == 200
    assert CheckIn.objects.get(patient=patient).day == day


def test_a_check_in_kept_for_another_account_is_not_saved_under_this_one(
    client, patient, other_patient
):
    client.force_login(other_patient.user)
    body = {
        "client_id": str(uuid.uuid4()),
        "day": patient.local_date().isoformat(),
        "owner": str(patient.public_id),
        "fields": fields(),
    }
    response = client.post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 409
    assert not CheckIn.objects.exists()


def test_unreadable_json_is_refused(patient_client):
    response = patient_client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["status"] == "refused"


def test_csrf_is_required(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient.user)
    assert send(client, patient).status_code == 403


def _iso(minutes_from_now: int) -> str:
    return (timezone.now() + timedelta(minutes=minutes_from_now)).isoformat()


def test_a_day_edited_online_is_merged_and_the_patient_is_told(
    patient_client, patient, time_machine
):
    time_machine.move_to(timezone.now().replace(hour=9, minute=0), tick=False)
    phone_edit = timezone.now() + timedelta(minutes=5)  # 09:05 on the phone, offline
    time_machine.shift(timedelta(minutes=30))  # 09:30 online on a computer
    patient_client.post("/me/check-in/", checkin_post(back_pain="7", sleep_disturbance="2"))
    time_machine.shift(timedelta(minutes=30))  # 10:00 the phone is back online
    later_phone_edit = timezone.now() - timedelta(minutes=5)

    result = send(
        patient_client,
        patient,
        back_pain="4",
        sleep_disturbance="8",
        changed_at={
            "back_pain": phone_edit.isoformat(),
            "sleep_disturbance": later_phone_edit.isoformat(),
        },
    ).json()

    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.back_pain == 7  # changed online after the phone's change
    assert checkin.sleep_disturbance == 8  # changed on the phone last
    assert "Kept from this phone" in result["merge_html"]
    assert "How much did pain disturb your sleep last night?" in result["merge_html"]
    assert "Kept from what you saved online" in result["merge_html"]
    assert "Back pain in the last 24 hours" in result["merge_html"]
    # Nothing is lost: the online answer, the phone's version and the merge are all kept.
    afters = [r.after for r in checkin.revisions.order_by("changed_at", "id")]
    assert [a["back_pain"] for a in afters] == [7, 4, 7]
    assert [a["sleep_disturbance"] for a in afters] == [2, 8, 8]


def test_merged_check_in_resent_is_applied_once(patient_client, patient):
    patient_client.post("/me/check-in/", checkin_post(back_pain="7"))
    client_id = uuid.uuid4()
    send(
        patient_client,
        patient,
        client_id=client_id,
        back_pain="4",
        sleep_disturbance="9",
        changed_at={"sleep_disturbance": _iso(0)},
    )
    count = CheckInRevision.objects.count()
    again = send(patient_client, patient, client_id=client_id, back_pain="4", sleep_disturbance="9")
    assert again.json()["status"] == "already_received"
    assert CheckInRevision.objects.count() == count == 3


def test_the_check_in_page_carries_the_offline_emergency_advice(patient_client):
    html = patient_client.get("/me/check-in/").content.decode()
    start = html.index('id="offline-emergency"')
    block = html[start : html.index("</section>", start)]
    assert "hidden" in html[start - 200 : start + 200]
    assert 'href="tel:999"' in block and "Do not drive yourself" in block
    config = html[html.index('id="offline-config"') :]
    assert '"chest_pain_breathless"' in config and '"bladder_change"' in config
    assert "js/offline.js" in html
