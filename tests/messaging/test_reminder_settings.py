"""The patient's reminder settings page and the push subscription of their browser."""

import json
from datetime import time

from tracker.models import PushSubscription, ReminderPreference

VAPID = {
    "WEBPUSH_VAPID_PUBLIC_KEY": "BPublicKeyForTests",
    "WEBPUSH_VAPID_PRIVATE_KEY": "private-key-for-tests",
}


def test_patient_picks_a_time_and_pauses(patient_client, patient):
    page = patient_client.get("/me/reminders/").content.decode()
    assert "Europe/London" in page and 'type="time"' in page
    response = patient_client.post(
        "/me/reminders/", {"time_of_day": "07:45", "channel": "email", "paused": "on"}
    )
    assert response.status_code == 302
    preference = ReminderPreference.objects.get(patient=patient)
    assert (preference.time_of_day, preference.channel, preference.paused) == (
        time(7, 45),
        "email",
        True,
    )
    assert (
        "Your reminder settings are saved" in patient_client.get("/me/reminders/").content.decode()
    )


def test_a_bad_time_is_shown_beside_the_field(patient_client, patient):
    response = patient_client.post("/me/reminders/", {"time_of_day": "25:99", "channel": "email"})
    assert response.status_code == 200
    assert "Enter a time such as 19:00." in response.content.decode()
    assert not ReminderPreference.objects.exists()


def test_without_vapid_keys_only_email_is_offered(patient_client):
    html = patient_client.get("/me/reminders/").content.decode()
    assert 'value="push"' not in html and "js/reminders.js" not in html
    response = patient_client.post("/me/reminders/", {"time_of_day": "19:00", "channel": "push"})
    assert response.status_code == 200
    assert not ReminderPreference.objects.exists()


def test_push_needs_this_browser_subscribed_first(patient_client, patient, settings):
    for name, value in VAPID.items():
        setattr(settings, name, value)
    html = patient_client.get("/me/reminders/").content.decode()
    assert 'data-key="BPublicKeyForTests"' in html and "js/reminders.js" in html
    response = patient_client.post("/me/reminders/", {"time_of_day": "19:00", "channel": "push"})
    assert "Turn on notifications on this phone first" in response.content.decode()

    subscription = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
        "keys": {"p256dh": "BNcR", "auth": "tBHI"},
    }
    stored = patient_client.post(
        "/me/reminders/push/", json.dumps(subscription), content_type="application/json"
    )
    assert stored.json() == {"status": "subscribed"}
    assert PushSubscription.objects.get(patient=patient).auth == "tBHI"
    response = patient_client.post("/me/reminders/", {"time_of_day": "19:00", "channel": "push"})
    assert response.status_code == 302
    assert ReminderPreference.objects.get(patient=patient).channel == "push"

    gone = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "unsubscribe": True}
    patient_client.post("/me/reminders/push/", json.dumps(gone), content_type="application/json")
    assert not PushSubscription.objects.exists()


def test_a_push_endpoint_must_be_https(patient_client):
    bad = {
        "endpoint": "http://fcm.googleapis.com/fcm/send/abc",
        "keys": {"p256dh": "x", "auth": "y"},
    }
    response = patient_client.post(
        "/me/reminders/push/", json.dumps(bad), content_type="application/json"
    )
    assert response.status_code == 400
    assert not PushSubscription.objects.exists()
