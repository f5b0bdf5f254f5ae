"""Security round 2, item 1: behind a proxy the client's address is the one our proxy added,
not what the client wrote in X-Forwarded-For; and an account pauses after too many failures
from anywhere, whatever addresses they come from."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tests.conftest import PASSWORD
from tracker.auth.access import client_address
from tracker.models import AccessLog


def request_with(forwarded=None, remote="10.0.0.2"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.2"),  # no proxy of ours: the header is anyone's
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the forged entry is to the left
        (2, "6.6.6.6, 203.0.113.5, 10.9.8.7", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.2"),  # fewer entries than proxies: not through them all
        (1, "not-an-address", "10.0.0.2"),
        (1, None, "10.0.0.2"),
        (1, "6.6.6.6, 2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_entry_our_proxies_added(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_address(request_with(forwarded)) == expected


def sign_in(client, password, forwarded):
    return client.post(
        "/accounts/login/",
        {"username": "patient@clinic.test", "password": password},
        REMOTE_ADDR="10.0.0.2",  # the proxy
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_forged_addresses_do_not_dodge_the_lockout(client, settings, patient):
    # One proxy of ours, as TRUST_X_FORWARDED_FOR=1 configured it before TRUSTED_PROXY_COUNT.
    settings.TRUST_X_FORWARDED_FOR = True
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [
        sign_in(client, "wrong password!", f"198.51.100.{i}, 203.0.113.9").status_code
        for i in range(12)
    ]
    assert 429 in statuses
    response = sign_in(client, PASSWORD, "198.51.100.99, 203.0.113.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_twelve_failures_from_twelve_real_addresses_pause_the_account(client, settings, patient):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(12):
        sign_in(client, "wrong password!", f"6.6.6.6, 198.51.100.{i}")
    response = sign_in(client, PASSWORD, "203.0.113.200")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Sign-in paused" in page and "from more than one place" in page
    assert "/accounts/password-reset/" in page


def test_a_few_failures_elsewhere_do_not_pause_the_account(client, settings, patient):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(4):
        sign_in(client, "wrong password!", f"198.51.100.{i}")
    assert sign_in(client, PASSWORD, "203.0.113.200").status_code == 302


def test_a_new_password_ends_the_pause(client, settings, patient):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(12):
        sign_in(client, "wrong password!", f"198.51.100.{i}")
    assert sign_in(client, PASSWORD, "203.0.113.200").status_code == 429
    uid = urlsafe_base64_encode(force_bytes(patient.user.pk))
    token = default_token_generator.make_token(patient.user)
    form = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    new = "a brand new sentence to remember"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert sign_in(client, new, "203.0.113.200").status_code == 302


def test_the_access_log_records_the_address_our_proxy_added(client, settings, patient, surgeon):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(surgeon)
    url = f"/care/patients/{patient.public_id}/"
    response = client.get(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44")
    assert response.status_code == 200
    assert AccessLog.objects.get().ip_address == "192.0.2.44"
