"""Security round 2, item 4: setting up the second factor belongs to one session, and after
a reset it takes a one-time link from the clinic admin, not the password alone."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tracker.models import Invitation

SETUP = "/accounts/two-factor/set-up/"


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def sign_in(client, email):
    response = client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def secret_on(page: str) -> str | None:
    if "otpauth://" not in page:
        return None
    return page.split("secret=")[1].split("&")[0]


def set_up(client, user) -> TOTPDevice:
    """Confirm the secret this session was shown; returns the device."""
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": code_for(device), "next": "/care/"})
    assert response.status_code == 302 and response.url == "/care/"
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_a_second_session_with_the_password_never_sees_the_secret(client, surgeon, clock):
    first = sign_in(client, "surgeon@clinic.test")
    secret = secret_on(first.get(SETUP).content.decode())
    assert secret

    from django.test import Client

    second = sign_in(Client(), "surgeon@clinic.test")
    response = second.get(SETUP)
    assert response.status_code == 403
    page = response.content.decode()
    assert secret_on(page) is None and secret.replace(" ", "") not in page
    assert "Ask your clinic admin for a set-up link" in page
    assert second.post(SETUP, {"code": "123456"}).status_code == 403

    set_up(first, surgeon)
    assert first.get("/care/").status_code == 200


def test_each_allowed_session_gets_its_own_secret(client, surgeon, clinic_admin, clock):
    from django.test import Client

    first = sign_in(client, "surgeon@clinic.test")
    first_secret = secret_on(first.get(SETUP).content.decode())
    other = sign_in(Client(), "surgeon@clinic.test")
    other.get(SETUP + "?link=" + issued_token(clinic_admin, surgeon), follow=True)
    other_secret = secret_on(other.get(SETUP).content.decode())
    assert other_secret and other_secret != first_secret
    # Only the newest pending secret is kept; the first session's code no longer counts.
    assert TOTPDevice.objects.filter(user=surgeon, confirmed=False).count() == 1
    set_up(other, surgeon)


def issued_token(admin, member) -> str:
    from django.test import Client

    office = Client()
    office.force_login(admin)
    response = office.post(f"/clinic/staff/{member.public_id}/second-factor/")
    assert response.status_code == 200
    link = response.context["link"]
    assert link.startswith("http") and "?link=" in link
    return link.split("?link=")[1]


def test_after_a_reset_the_password_alone_cannot_set_up(client, physio, clock):
    sign_in(client, "physio@clinic.test")  # an earlier sign-in, with the app
    TOTPDevice.objects.create(user=physio, name="phone", confirmed=True)
    client.logout()
    call_command("reset_second_factor", "physio@clinic.test")

    sign_in(client, "physio@clinic.test")
    response = client.get("/care/", follow=True)
    assert response.redirect_chain[-1][0] == SETUP
    assert response.status_code == 403 and secret_on(response.content.decode()) is None
    assert not TOTPDevice.objects.filter(user=physio).exists()


def test_the_clinic_admins_link_opens_the_set_up_once(client, physio, clinic_admin, clock):
    sign_in(client, "physio@clinic.test")
    client.logout()
    token = issued_token(clinic_admin, physio)
    # Only the token's hash is kept.
    reserved = TOTPDevice.objects.get(user=physio)
    assert reserved.key == hashlib.sha256(token.encode()).hexdigest()
    assert not reserved.confirmed

    sign_in(client, "physio@clinic.test")
    response = client.get(SETUP + "?link=" + token)
    assert response.status_code == 302 and response.url == SETUP  # the token leaves the URL
    page = client.get(SETUP).content.decode()
    secret = secret_on(page)
    assert secret and hashlib.sha256(token.encode()).hexdigest() not in page
    set_up(client, physio)
    assert client.get("/care/").status_code == 200

    # Spent: it does not open the set-up again, here or elsewhere.
    from django.test import Client

    again = sign_in(Client(), "physio@clinic.test")
    assert again.get(SETUP + "?link=" + token).status_code == 200  # "is set up" already
    call_command("reset_second_factor", "physio@clinic.test")
    assert again.get(SETUP + "?link=" + token).status_code == 404


def test_a_link_works_only_for_its_user_and_only_for_a_day(
    client, physio, surgeon, clinic_admin, clock
):
    sign_in(client, "surgeon@clinic.test")
    client.logout()
    token = issued_token(clinic_admin, physio)
    assert sign_in(client, "surgeon@clinic.test").get(SETUP + "?link=" + token).status_code == 404
    client.logout()
    clock.shift(timedelta(hours=24, minutes=1))
    sign_in(client, "physio@clinic.test")
    client.logout()
    sign_in(client, "physio@clinic.test")
    assert client.get(SETUP + "?link=" + token).status_code == 404
    assert client.get(SETUP).status_code == 403


def test_a_signed_out_link_asks_for_the_password_first(client, physio, clinic_admin):
    token = issued_token(clinic_admin, physio)
    response = client.get(SETUP + "?link=" + token)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    assert TOTPDevice.objects.get(user=physio).key == hashlib.sha256(token.encode()).hexdigest()


def test_a_member_of_staff_who_accepts_their_invitation_sets_up_at_once(client, clinic, clock):
    from tests.conftest import make_user
    from tracker.models import Role

    user = make_user("new@clinic.test", Role.PHYSIO, clinic)
    user.last_login = datetime(2026, 1, 1, tzinfo=UTC)  # even if signed in before
    user.save()
    _invitation, token = Invitation.issue(user, None)
    new_password = "a long sentence for the new physio"
    response = client.post(
        f"/accounts/invitation/{token}/", {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    assert secret_on(client.get(SETUP).content.decode())


@pytest.mark.parametrize("who", ["surgeon", "foreign_staff", "patient"])
def test_only_the_clinic_admin_makes_links_for_their_own_staff(client, request, clinic_admin, who):
    target = request.getfixturevalue(who)
    target = getattr(target, "user", target)
    url = f"/clinic/staff/{target.public_id}/second-factor/"
    client.force_login(clinic_admin)
    expected = 200 if who == "surgeon" else 404
    assert client.get(url).status_code == expected
    assert client.post(url).status_code == expected
    client.force_login(request.getfixturevalue("physio"))
    assert client.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=target, confirmed=False).count() == (
        1 if who == "surgeon" else 0
    )
