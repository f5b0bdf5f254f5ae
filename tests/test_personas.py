"""The three personas for every view: the patient (or their care team) gets the page,
anyone else gets 404. Every URL the project defines must appear here."""

import pytest
from django.urls import get_resolver

from tests.checkin_data import checkin_post

# name -> (path builder, who may GET it: "patient", "care", "enrol", "admin", "public")
PATIENT_PAGES = {
    "patient-home": lambda p: "/me/",
    "checkin": lambda p: "/me/check-in/",
    "checkin-day": lambda p: f"/me/check-in/{p.local_date()}/",
    "history": lambda p: "/me/history/",
    "history-day": lambda p: f"/me/history/{p.local_date()}/",
    "questionnaire": lambda p: "/me/questionnaires/peg/",
}
CARE_PAGES = {
    "caseload": lambda p: "/care/",
    "patient-summary": lambda p: f"/care/patients/{p.public_id}/",
}
ENROL_PAGES = {
    "enrol": lambda p: "/care/enrol/",
    "edit-care-team": lambda p: f"/care/patients/{p.public_id}/care-team/",
}
ADMIN_PAGES = {
    "clinic-home": lambda p: "/clinic/",
    "add-staff": lambda p: "/clinic/staff/new/",
    "clinic-settings": lambda p: "/clinic/settings/",
}
PUBLIC = {
    "home",
    "healthz",
    "login",
    "logout",
    "accept-invitation",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "checkin-validate",  # a POST-only helper; covered in test_checkin
}


def test_every_url_is_covered_here():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    covered = set(PATIENT_PAGES) | set(CARE_PAGES) | set(ENROL_PAGES) | set(ADMIN_PAGES) | PUBLIC
    assert names - covered == set(), "add the new URL to the persona tests"


@pytest.fixture
def with_checkin(patient_client, patient):
    patient_client.post("/me/check-in/", checkin_post())
    patient_client.logout()
    return patient


@pytest.mark.parametrize("name", sorted(PATIENT_PAGES))
def test_patient_pages(client, with_checkin, other_patient, surgeon, name):
    url = PATIENT_PAGES[name](with_checkin)
    client.force_login(with_checkin.user)
    assert client.get(url).status_code == 200
    client.force_login(other_patient.user)  # another patient sees only their own pages
    response = client.get(url)
    assert "Pat Example" not in response.content.decode()
    client.force_login(surgeon)  # staff have no patient pages
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("name", sorted(CARE_PAGES))
def test_care_pages(
    client, with_checkin, surgeon, physio, outsider_staff, foreign_staff, clinic_admin, name
):
    url = CARE_PAGES[name](with_checkin)
    for member in (surgeon, physio):
        client.force_login(member)
        response = client.get(url)
        assert response.status_code == 200
        assert "Pat Example" in response.content.decode()
    for outsider in (outsider_staff, foreign_staff, clinic_admin, with_checkin.user):
        client.force_login(outsider)
        response = client.get(url)
        assert response.status_code in (200, 404)
        assert "Pat Example" not in response.content.decode()


@pytest.mark.parametrize("name", sorted(ENROL_PAGES))
def test_enrolment_pages(
    client, with_checkin, surgeon, physio, outsider_staff, foreign_staff, clinic_admin, name
):
    url = ENROL_PAGES[name](with_checkin)
    for allowed in (surgeon, clinic_admin):
        client.force_login(allowed)
        assert client.get(url).status_code == 200
    for refused in (physio, with_checkin.user):
        client.force_login(refused)
        assert client.get(url).status_code == 404
    if name == "edit-care-team":
        # Clinicians who are not on this care team, here or at another clinic.
        for outsider in (outsider_staff, foreign_staff):
            client.force_login(outsider)
            assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", sorted(ADMIN_PAGES))
def test_admin_pages(client, with_checkin, surgeon, physio, foreign_staff, clinic_admin, name):
    url = ADMIN_PAGES[name](with_checkin)
    client.force_login(clinic_admin)
    assert client.get(url).status_code == 200
    for refused in (surgeon, physio, foreign_staff, with_checkin.user):
        client.force_login(refused)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
