"""Enrolling an address that has an account in another clinic gives the enrolling staff no
sign of it; the account holder is told by e-mail. Within one clinic, staff may be told."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core import mail

from tests.conftest import make_patient
from tracker.care.enrolment import AlreadyEnrolled, Enrolment, enrol_patient
from tracker.models import Invitation, Patient, User


def data(surgeon, physio, email: str) -> dict:
    return {
        "full_name": "Nina Newcomer",
        "email": email,
        "date_of_birth": date(1971, 2, 3),
        "surgery_date": date(2026, 1, 10),
        "procedure": "Lumbar laminectomy",
        "levels": "L4–L5",
        "surgeon": surgeon,
        "time_zone": "Europe/London",
        "care_team": [surgeon, physio],
    }


@pytest.fixture
def patient_elsewhere(other_clinic):
    return make_patient("elsewhere@south.test", other_clinic, full_name="Erin Elsewhere")


def test_a_patient_of_another_clinic_is_told_and_nothing_changes(
    clinic, surgeon, physio, patient_elsewhere, django_capture_on_commit_callbacks
):
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = enrol_patient(clinic, data(surgeon, physio, "Elsewhere@South.test"), surgeon)
    assert outcome == Enrolment(None, None)
    assert User.objects.count() == users_before
    assert not Invitation.objects.exists()
    patient_elsewhere.refresh_from_db()
    assert patient_elsewhere.clinic.name == "Southside Orthopaedics"
    assert patient_elsewhere.user.full_name == "Erin Elsewhere"
    assert not Patient.objects.filter(clinic=clinic).exists()
    [message] = mail.outbox
    assert message.to == ["elsewhere@south.test"]
    assert message.subject == "Someone tried to enrol you in Laminar"
    assert "Northgate Spine Clinic" in message.body and "Hello Erin Elsewhere" in message.body
    assert "/accounts/invitation/" not in message.body


def test_staff_of_another_clinic_are_treated_the_same(
    clinic, surgeon, physio, foreign_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = enrol_patient(clinic, data(surgeon, physio, foreign_staff.email), surgeon)
    assert outcome == Enrolment(None, None)
    assert [m.to for m in mail.outbox] == [[foreign_staff.email]]
    assert not Patient.objects.filter(user=foreign_staff).exists()


def test_someone_in_the_same_clinic_may_be_named(
    clinic, surgeon, physio, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AlreadyEnrolled):
        enrol_patient(clinic, data(surgeon, physio, patient.user.email), surgeon)
    assert mail.outbox == []


def test_a_new_address_is_enrolled_and_invited(
    clinic, surgeon, physio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        patient, invitation = enrol_patient(clinic, data(surgeon, physio, "nina@x.test"), surgeon)
    assert patient.clinic == clinic and invitation.user == patient.user
    assert [m.subject for m in mail.outbox] == ["Your Laminar invitation"]


def answer(client, email: str, full_name: str, surgeon, physio, capture):
    form = {
        "full_name": full_name,
        "email": email,
        "date_of_birth": "1971-02-03",
        "surgery_date": "2026-01-10",
        "procedure": "Lumbar laminectomy",
        "levels": "L4–L5",
        "surgeon": surgeon.pk,
        "time_zone": "Europe/London",
        "care_team": [surgeon.pk, physio.pk],
    }
    client.cookies.pop("messages", None)  # only this answer's messages
    with capture(execute=True):
        response = client.post("/care/enrol/", form)
    shown = [
        str(m).replace(full_name, "NAME").replace(email, "EMAIL")
        for m in get_messages(response.wsgi_request)
    ]
    return response.status_code, response.get("Location"), shown


def test_the_enrol_page_answers_the_same_for_a_stranger_elsewhere(
    client, surgeon, physio, patient_elsewhere, django_capture_on_commit_callbacks
):
    client.force_login(surgeon)
    capture = django_capture_on_commit_callbacks
    fresh = answer(client, "fresh@x.test", "Fay Fresh", surgeon, physio, capture)
    stranger = answer(client, "elsewhere@south.test", "Erin Elsewhere", surgeon, physio, capture)
    assert fresh[0] == 302
    assert stranger == fresh
    assert "elsewhere@south.test" in [m.to[0] for m in mail.outbox]


def test_the_enrol_form_still_says_so_for_an_address_in_this_clinic(client, surgeon, patient):
    client.force_login(surgeon)
    response = client.post("/care/enrol/", {"email": patient.user.email, "full_name": "X"})
    assert "already has an account at this clinic" in response.content.decode()
