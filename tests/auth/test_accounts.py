import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from tests.conftest import PASSWORD
from tracker.models import Invitation, Role, User


def test_sign_in_with_email_and_password_lands_on_role_home(client, patient):
    response = client.post(
        "/accounts/login/", {"username": "patient@clinic.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").url == "/me/"


def test_wrong_password_says_so_next_to_the_form(client, patient):
    response = client.post(
        "/accounts/login/", {"username": "patient@clinic.test", "password": "nope"}
    )
    assert response.status_code == 200
    assert "enter a correct" in response.content.decode().lower()


def test_staff_land_on_their_pages(client, surgeon, clinic_admin):
    client.force_login(surgeon)
    assert client.get("/").url == "/care/"
    client.force_login(clinic_admin)
    assert client.get("/").url == "/clinic/"


def test_anonymous_home_goes_to_sign_in(client, db):
    assert client.get("/").url == "/accounts/login/"


def test_sign_out_is_a_post(client, patient):
    client.force_login(patient.user)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/me/").status_code == 302


def invite(user):
    _invitation, token = Invitation.issue(user, None)
    return f"/accounts/invitation/{token}/"


def test_invitation_sets_password_once(client, clinic):
    user = User.objects.create_user(
        email="new@clinic.test", full_name="New Person", role=Role.PATIENT, clinic=clinic
    )
    url = invite(user)
    assert "New Person" in client.get(url).content.decode()
    response = client.post(
        url, {"password1": "a long enough passphrase", "password2": "a long enough passphrase"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a long enough passphrase")
    client.logout()
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"password1": "another long passphrase", "password2": "another long passphrase"}
        ).status_code
        == 404
    )
    user.refresh_from_db()
    assert user.check_password("a long enough passphrase")


def test_invitation_refuses_short_or_mismatched_passwords(client, clinic):
    user = User.objects.create_user(
        email="new@clinic.test", full_name="New Person", role=Role.PATIENT, clinic=clinic
    )
    url = invite(user)
    short = client.post(url, {"password1": "short", "password2": "short"}).content.decode()
    assert "at least 12 characters" in short
    mismatch = client.post(
        url, {"password1": "a long enough passphrase", "password2": "a different passphrase"}
    )
    assert "not the same" in mismatch.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_invitation_expires(client, clinic):
    user = User.objects.create_user(
        email="new@clinic.test", full_name="New Person", role=Role.PATIENT, clinic=clinic
    )
    url = invite(user)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.get(url).status_code == 404


def test_invitation_token_is_not_stored(clinic):
    user = User.objects.create_user(
        email="new@clinic.test", full_name="New Person", role=Role.PATIENT, clinic=clinic
    )
    invitation, token = Invitation.issue(user, None)
    assert token not in invitation.token_hash


def test_unknown_invitation_is_404(client, db):
    assert client.get("/accounts/invitation/not-a-token/").status_code == 404


def test_password_reset_round_trip(client, patient):
    response = client.post("/accounts/password-reset/", {"email": "patient@clinic.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    response = client.post(
        form_url,
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    patient.user.refresh_from_db()
    assert patient.user.check_password("a brand new passphrase")


def test_password_reset_does_not_reveal_unknown_addresses(client, db):
    response = client.post("/accounts/password-reset/", {"email": "nobody@clinic.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_sign_in_ignores_the_case_of_the_email(client, patient):
    response = client.post(
        "/accounts/login/", {"username": "Patient@Clinic.TEST", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").url == "/me/"
