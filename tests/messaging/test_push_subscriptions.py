"""Web Push endpoints: public push services only, checked by name (nothing is resolved), and
a subscription never moves from one patient to another."""

from __future__ import annotations

import json
import socket
from datetime import time

import pytest

from tests.conftest import make_patient
from tracker.messaging.push_endpoints import endpoint_allowed
from tracker.messaging.reminders import push_to_patient
from tracker.models import PushSubscription, ReminderPreference

KEYS = {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA", "auth": "tBHItJI5svbpez7KI4CCXg"}
FCM = "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b"
MOZILLA = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA"


@pytest.mark.parametrize(
    "url",
    [
        FCM,
        MOZILLA,
        "https://wns2-by3p.notify.windows.com/w/?token=BQYAAAB",
        "https://web.push.apple.com/QGuQyavXutnMH",
        "https://api.push.apple.com/3/device/abc",
        "https://FCM.googleapis.com./fcm/send/x",
        "https://fcm.googleapis.com:443/fcm/send/x",
    ],
)
def test_known_push_services_are_accepted(url):
    assert endpoint_allowed(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://fcm.googleapis.com/fcm/send/x",  # not https
        "https://127.0.0.1/push",
        "https://10.0.0.5/push",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/push",
        "https://[fd00::1]/push",
        "https://2130706433/push",  # 127.0.0.1 as one number
        "https://localhost/push",
        "https://push.localhost/x",
        "https://printer.local/x",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://intranet/x",
        "https://push.example/abc",  # a public name, but not a push service we know
        "https://notify.windows.com/x",  # the wildcard needs a name under it
        "https://evil-fcm.googleapis.com.attacker.example/x",
        "https://fcm.googleapis.com@10.0.0.5/x",
        "https://user:pw@fcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/x",
        "https://fcm.googleapis.com:notaport/x",
        "https:///x",
        " https://fcm.googleapis.com/x",
        "https://fcm.googleapis.com/x\nHost: 10.0.0.5",
        "",
    ],
)
def test_anything_else_is_refused(url):
    assert not endpoint_allowed(url)


def test_the_allow_list_is_a_setting(settings):
    settings.WEB_PUSH_ALLOWED_HOSTS = ["push.example", "*.push.example"]
    assert endpoint_allowed("https://push.example/a")
    assert endpoint_allowed("https://eu.push.example/a")
    assert not endpoint_allowed(FCM)
    settings.WEB_PUSH_ALLOWED_HOSTS = ["*.internal", "127.0.0.1", "localhost"]
    # Local names and addresses stay refused whatever the list says.
    assert not endpoint_allowed("https://metadata.google.internal/x")
    assert not endpoint_allowed("https://127.0.0.1/x")
    assert not endpoint_allowed("https://localhost/x")


def post(client, body: dict):
    return client.post("/me/reminders/push/", json.dumps(body), content_type="application/json")


def test_an_internal_endpoint_is_refused_without_any_lookup(patient_client, monkeypatch):
    def no_dns(*args, **kwargs):
        raise AssertionError("the request must not resolve names")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setattr(socket, "gethostbyname", no_dns)
    for url in ("https://169.254.169.254/x", "https://metadata.google.internal/x"):
        response = post(patient_client, {"endpoint": url, "keys": KEYS})
        assert response.status_code == 400
        assert "not one Laminar can use" in response.json()["error"]
    assert post(patient_client, {"endpoint": FCM, "keys": KEYS}).json() == {"status": "subscribed"}
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [FCM]


def test_another_patients_endpoint_is_refused_and_stays_theirs(client, patient, other_patient):
    PushSubscription.objects.create(patient=other_patient, endpoint=FCM, **KEYS)
    client.force_login(patient.user)
    response = post(client, {"endpoint": FCM, "keys": {"p256dh": "mine", "auth": "mine"}})
    assert response.status_code == 409
    assert "another account" in response.json()["error"]
    subscription = PushSubscription.objects.get()
    assert subscription.patient == other_patient and subscription.auth == KEYS["auth"]
    # Nor can they remove it.
    post(client, {"endpoint": FCM, "unsubscribe": True})
    assert PushSubscription.objects.filter(patient=other_patient).exists()


def test_the_owner_may_refresh_their_own_keys(patient_client, patient):
    PushSubscription.objects.create(patient=patient, endpoint=MOZILLA, **KEYS)
    response = post(patient_client, {"endpoint": MOZILLA, "keys": {"p256dh": "new", "auth": "a"}})
    assert response.json() == {"status": "subscribed"}
    assert PushSubscription.objects.get().p256dh == "new"


@pytest.mark.parametrize("body", [[], "x", {"endpoint": FCM, "keys": ["a"]}, {"keys": KEYS}])
def test_malformed_subscriptions_are_refused(patient_client, body):
    assert post(patient_client, body).status_code == 400
    assert not PushSubscription.objects.exists()


def test_a_stored_endpoint_outside_the_list_is_never_called(clinic, settings, monkeypatch):
    settings.WEBPUSH_VAPID_PUBLIC_KEY = "BPublicKeyForTests"
    settings.WEBPUSH_VAPID_PRIVATE_KEY = "private-key-for-tests"
    patient = make_patient("pushed@clinic.test", clinic)
    ReminderPreference.objects.create(patient=patient, time_of_day=time(19), channel="push")
    PushSubscription.objects.create(patient=patient, endpoint="https://10.0.0.5/x", **KEYS)
    PushSubscription.objects.create(patient=patient, endpoint=FCM, **KEYS)
    called = []
    monkeypatch.setattr("pywebpush.webpush", lambda info, *a, **k: called.append(info["endpoint"]))
    assert push_to_patient(patient) == 1
    assert called == [FCM]
