"""Signing in: Argon2, password rules, lockout per account and address, the staff second
factor, and how long sessions last."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import test_personas as personas
from tests.conftest import PASSWORD, sign_in_with_password_only
from tests.security.world import build_world

ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, email, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address
    )


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return (
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"
    )


# Passwords --------------------------------------------------------------------------------


def test_production_hashes_passwords_with_argon2():
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV", "SECRET_KEY")}
    environment.update(DJANGO_ENV="production", SECRET_KEY="k" * 60, ALLOWED_HOSTS="x.test")
    script = (
        "from django.conf import settings; from django.contrib.auth.hashers import make_password;"
        "print(settings.PASSWORD_HASHERS[0]); print(make_password('a long pass phrase'))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    hasher, hashed = result.stdout.strip().splitlines()[-2:]
    assert hasher == "django.contrib.auth.hashers.Argon2PasswordHasher", result.stderr
    assert hashed.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short pass", "at least 12 characters"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, reason):
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert reason in " ".join(refused.value.messages)


def test_a_long_sentence_is_accepted():
    validate_password("my knee bends better on tuesdays")


# Lockout ------------------------------------------------------------------------------------


def test_five_wrong_passwords_pause_that_account_from_that_address(client, patient):
    for _ in range(4):
        assert sign_in(client, "patient@clinic.test", "wrong password!").status_code == 200
    assert sign_in(client, "patient@clinic.test", "wrong password!").status_code == 429
    response = sign_in(client, "patient@clinic.test")  # even the right password, from here
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in paused" in page and "30 minutes" in page
    assert "/accounts/password-reset/" in page
    assert "_auth_user_id" not in client.session


def test_a_stranger_elsewhere_cannot_lock_the_patient_out(client, patient, other_patient):
    for _ in range(8):
        sign_in(client, "patient@clinic.test", "guessing away", address="203.0.113.9")
    assert sign_in(client, "patient@clinic.test", address="203.0.113.9").status_code == 429
    # The patient, on their own phone, signs in as usual.
    assert sign_in(client, "patient@clinic.test", address="10.0.0.7").status_code == 302
    client.logout()
    # Another account from the stranger's address is not locked either.
    assert sign_in(client, "other@clinic.test", address="203.0.113.9").status_code == 302


def test_case_of_the_address_does_not_dodge_the_lockout(client, patient):
    for attempt in ("PATIENT@clinic.test", "patient@CLINIC.test", "Patient@clinic.test") * 2:
        sign_in(client, attempt, "wrong password!")
    assert sign_in(client, "patient@clinic.test").status_code == 429


def test_the_pause_ends_after_the_cool_off(client, patient):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        for _ in range(5):
            sign_in(client, "patient@clinic.test", "wrong password!")
        clock.shift(timedelta(minutes=29))
        assert sign_in(client, "patient@clinic.test").status_code == 429
        clock.shift(timedelta(minutes=31))
        assert sign_in(client, "patient@clinic.test").status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, patient):
    for _ in range(4):
        sign_in(client, "patient@clinic.test", "wrong password!")
    assert sign_in(client, "patient@clinic.test").status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "patient@clinic.test", "wrong password!")
    assert sign_in(client, "patient@clinic.test").status_code == 302


# The second factor for staff ----------------------------------------------------------------


def test_staff_without_an_app_set_one_up_before_any_patient_page(client, clock, patient, surgeon):
    assert sign_in(client, "surgeon@clinic.test").status_code == 302
    response = client.get("/care/", follow=True)
    assert response.redirect_chain[0] == ("/accounts/two-factor/?next=/care/", 302)
    assert response.redirect_chain[-1][0] == "/accounts/two-factor/set-up/"
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=surgeon, confirmed=False)
    assert "otpauth://totp/Laminar%3Asurgeon%40clinic.test?secret=" in page
    secret = page.split("otpauth://totp/")[1].split("secret=")[1].split("&")[0]
    assert secret[:4] in page.split("<code")[1]  # the key is also shown as text
    assert "Pat Example" not in page

    response = client.post("/accounts/two-factor/set-up/", {"code": "000000"})
    assert "That code is not right" in response.content.decode()
    assert client.get("/care/").status_code == 302

    clock.shift(timedelta(seconds=5))  # after a wrong code the next waits a moment
    client.post("/accounts/two-factor/set-up/", {"code": code_for(device), "next": "/care/"})
    device.refresh_from_db()
    assert device.confirmed
    response = client.get("/care/")
    assert response.status_code == 200 and "Pat Example" in response.content.decode()


def test_staff_with_an_app_enter_a_code_after_the_password(client, patient, physio):
    device = TOTPDevice.objects.create(user=physio, name="phone", confirmed=True)
    sign_in(client, "physio@clinic.test")
    url = f"/care/patients/{patient.public_id}/"
    response = client.get(url)
    assert response.url == f"/accounts/two-factor/?next={url}"
    page = client.get(response.url).content.decode()
    assert "Enter your code" in page and "Pat Example" not in page
    assert client.post(response.url, {"code": "12345x", "next": url}).status_code == 200
    response = client.post("/accounts/two-factor/", {"code": code_for(device), "next": url})
    assert response.url == url
    assert "Pat Example" in client.get(url).content.decode()


def test_a_used_code_is_not_accepted_twice(client, physio):
    device = TOTPDevice.objects.create(user=physio, name="phone", confirmed=True)
    code = code_for(device)
    sign_in(client, "physio@clinic.test")
    assert client.post("/accounts/two-factor/", {"code": code}).status_code == 302
    client.logout()
    sign_in(client, "physio@clinic.test")
    response = client.post("/accounts/two-factor/", {"code": code})
    assert response.status_code == 200
    assert client.get("/care/").status_code == 302


def test_a_password_alone_cannot_replace_the_app(client, physio):
    device = TOTPDevice.objects.create(user=physio, name="phone", confirmed=True)
    sign_in(client, "physio@clinic.test")
    page = client.get("/accounts/two-factor/set-up/").content.decode()
    assert "otpauth://" not in page and "is set up" in page
    assert list(TOTPDevice.objects.filter(user=physio)) == [device]


def test_repeated_wrong_codes_are_slowed_down(client, physio):
    device = TOTPDevice.objects.create(user=physio, name="phone", confirmed=True)
    sign_in(client, "physio@clinic.test")
    for _ in range(3):
        client.post("/accounts/two-factor/", {"code": "000000"})
    response = client.post("/accounts/two-factor/", {"code": code_for(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/care/").status_code == 302


def test_patients_are_not_asked_for_a_code(client, patient):
    sign_in(client, "patient@clinic.test")
    assert client.get("/me/").status_code == 200
    assert client.get("/accounts/two-factor/").status_code == 404


STAFF_PAGES = {
    **{name: (build, "patient") for name, build in personas.CARE_PAGES.items()},
    **{name: (build, "patient") for name, build in personas.CARE_CHART_DATA.items()},
    **{name: (build, "patient") for name, build in personas.FLAG_ACTIONS.items()},
    **{name: (build, "patient") for name, build in personas.ENROL_PAGES.items()},
    **{name: (build, "patient") for name, build in personas.ADMIN_PAGES.items()},
    **{name: (build, "exercise") for name, (build, _) in personas.LIBRARY_PAGES.items()},
}


@pytest.mark.parametrize("name", sorted(STAFF_PAGES))
def test_every_staff_page_waits_for_the_second_factor(
    client,
    patient,
    other_patient,
    physio,
    surgeon,
    outsider_staff,
    foreign_staff,
    clinic_admin,
    name,
):
    world = build_world(
        patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin
    )
    build, argument = STAFF_PAGES[name]
    url = build(getattr(world, argument))
    for staff in (physio, surgeon, clinic_admin):
        TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
        sign_in_with_password_only(client, staff)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (staff, method)
            assert response.url.startswith("/accounts/two-factor/?next="), (staff, method)
            assert "Pat Example" not in response.content.decode()


# How long a session lasts -------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def test_staff_are_signed_out_after_15_minutes_idle(client, clock, patient, surgeon):
    client.force_login(surgeon)
    for _ in range(4):  # busy for an hour, a page every 14 minutes
        clock.shift(timedelta(minutes=14))
        assert client.get("/care/").status_code == 200
    clock.shift(timedelta(minutes=15, seconds=1))
    response = client.get("/care/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/care/").url.startswith("/accounts/login/")


def test_staff_are_signed_out_after_12_hours_however_busy(client, clock, patient, surgeon):
    client.force_login(surgeon)
    for _ in range(12 * 6):  # a page every 10 minutes for 12 hours
        clock.shift(timedelta(minutes=10))
        assert client.get("/care/").status_code == 200
    clock.shift(timedelta(minutes=10))
    assert client.get("/care/").url.startswith("/accounts/login/")


def test_patients_stay_signed_in_on_their_phone_for_30_days(client, clock, patient):
    client.force_login(patient.user)
    clock.shift(timedelta(days=29, hours=23))
    assert client.get("/me/").status_code == 200
    clock.shift(timedelta(days=1, hours=2))
    assert client.get("/me/").url.startswith("/accounts/login/")


@pytest.mark.parametrize("wanted", ["0", "//evil.example/", "https://evil.example/care/"])
def test_the_code_page_sends_only_to_our_own_pages(client, physio, wanted):
    device = TOTPDevice.objects.create(user=physio, name="phone", confirmed=True)
    sign_in(client, "physio@clinic.test")
    response = client.post("/accounts/two-factor/", {"code": code_for(device), "next": wanted})
    assert response.status_code == 302 and response.url == "/"


def test_a_lost_phone_is_reset_from_the_command_line(client, physio, patient):
    from django.core.management import call_command

    sign_in(client, "physio@clinic.test")  # they had signed in before, with their app
    client.logout()
    TOTPDevice.objects.create(user=physio, name="phone", confirmed=True)
    call_command("reset_second_factor", "Physio@Clinic.test")
    assert not TOTPDevice.objects.filter(user=physio).exists()
    sign_in(client, "physio@clinic.test")
    response = client.get("/care/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/two-factor/set-up/"
    # The password alone does not set up a new app: the clinic admin's link does
    # (tests/auth/test_second_factor_setup.py).
    assert response.status_code == 403 and "otpauth://" not in response.content.decode()
    with pytest.raises(Exception, match="No member of staff"):
        call_command("reset_second_factor", patient.user.email)
