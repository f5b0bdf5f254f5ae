"""After `reset_second_factor` the new authenticator app is set up through a one-time link: the
command says so and who makes it, `--link` prints one, and the clinic page offers one per
member of staff."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, make_user
from tracker.models import Role

SETUP = "/accounts/two-factor/set-up/"
LINK = re.compile(r"https?://\S+/accounts/two-factor/set-up/\?link=(\S+)")


def reset(*args) -> str:
    out = io.StringIO()
    call_command("reset_second_factor", *args, stdout=out)
    return out.getvalue()


def sign_in_with_password(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def physio_with_app(physio):
    sign_in_with_password(physio.email)  # they had signed in before, with their app
    TOTPDevice.objects.create(user=physio, name="phone", confirmed=True)
    return physio


def test_the_command_says_what_happens_next_and_who_makes_the_link(physio_with_app, clinic_admin):
    said = reset("physio@clinic.test")
    assert "Removed 1 authenticator app(s) of physio@clinic.test." in said
    assert "one-time set-up link" in said
    assert "Ada Admin" in said and "Make a set-up link" in said and "--link" in said
    assert not LINK.search(said)  # no link unless asked for
    assert not TOTPDevice.objects.filter(user=physio_with_app).exists()


def test_with_link_it_prints_a_one_time_link_that_opens_the_set_up(physio_with_app):
    said = reset("physio@clinic.test", "--link")
    token = LINK.search(said).group(1)
    assert "24 hours" in said and "works once" in said
    # Only the token's hash is kept; the old app is gone.
    device = TOTPDevice.objects.get(user=physio_with_app)
    assert not device.confirmed and device.key == hashlib.sha256(token.encode()).hexdigest()

    client = sign_in_with_password("physio@clinic.test")
    assert client.get(SETUP).status_code == 403  # the password alone does not open it
    assert client.get(f"{SETUP}?link={token}").url == SETUP
    assert "otpauth://" in client.get(SETUP).content.decode()

    other = sign_in_with_password("physio@clinic.test")
    assert other.get(f"{SETUP}?link={token}").status_code == 404  # spent


def test_a_clinic_admin_without_another_admin_is_told_to_use_link(clinic_admin):
    said = reset("admin@clinic.test")
    assert "no other admin" in said and "--link" in said
    assert LINK.search(reset("admin@clinic.test", "--link"))


def test_no_link_for_a_deactivated_account_or_a_patient(physio, patient):
    physio.is_active = False
    physio.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="deactivated"):
        reset("physio@clinic.test", "--link")
    assert not TOTPDevice.objects.filter(user=physio).exists()
    with pytest.raises(CommandError, match="No member of staff"):
        reset(patient.user.email, "--link")


def test_the_clinic_page_offers_a_set_up_link_for_each_member_of_staff_but_the_admin(
    client, clinic_admin, surgeon, physio_with_app, foreign_staff
):
    client.force_login(clinic_admin)
    TOTPDevice.objects.filter(user=surgeon).delete()
    page = client.get("/clinic/").content.decode()
    for member in (surgeon, physio_with_app):
        assert f'href="/clinic/staff/{member.public_id}/second-factor/"' in page
    assert f"/clinic/staff/{clinic_admin.public_id}/second-factor/" not in page
    assert f"/clinic/staff/{foreign_staff.public_id}/second-factor/" not in page
    physio_row = re.search(r"Phil Physio</th>.*?</tr>", page, re.S).group(0)
    surgeon_row = re.search(r"Sam Surgeon</th>.*?</tr>", page, re.S).group(0)
    assert "Not set up" not in physio_row and "Set up" in physio_row
    assert "Not set up" in surgeon_row
    # The link goes to the page that makes it, and that page works for the listed member.
    assert client.post(f"/clinic/staff/{surgeon.public_id}/second-factor/").status_code == 200


def test_the_clinic_page_links_only_the_pseudonymised_cohort(client, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get("/clinic/").content.decode()
    links = re.findall(r'href="(/clinic/exports/[^"]*)"', page)
    assert links == ["/clinic/exports/cohort.csv?pseudonymise=1"]


def test_a_second_admin_is_named_when_an_admin_is_reset(clinic_admin, clinic):
    make_user("admin2@clinic.test", Role.ADMIN, clinic, full_name="Bea Backup")
    who_makes_it = reset("admin@clinic.test").splitlines()[-1]
    assert "Bea Backup" in who_makes_it and "Ada Admin" not in who_makes_it
