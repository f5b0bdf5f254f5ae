"""The three personas for every view: the patient (or their care team) gets the page,
anyone else gets 404. Every URL the project defines must appear here."""

import pytest
from django.urls import get_resolver

from tests.checkin_data import checkin_post
from tests.conftest import make_user
from tests.programme_data import clinic_exercise_by, programme_item_of
from tracker.models import Role

# name -> (path builder, who may GET it: "patient", "care", "enrol", "admin", "public")
PATIENT_PAGES = {
    "patient-home": lambda p: "/me/",
    "checkin": lambda p: "/me/check-in/",
    "checkin-day": lambda p: f"/me/check-in/{p.local_date()}/",
    "history": lambda p: "/me/history/",
    "ask": lambda p: "/me/ask/",
    "history-day": lambda p: f"/me/history/{p.local_date()}/",
    "questionnaire": lambda p: "/me/questionnaires/peg/",
    "learn": lambda p: "/learn/",
    "learn-article": lambda p: "/learn/warning-signs/",
    "trends": lambda p: "/me/trends/?range=all",
    "trends-data": lambda p: "/me/trends/data/leg-pain.json",
    "my-exercises": lambda p: "/me/exercises/",
    "reminders": lambda p: "/me/reminders/",
    "my-data": lambda p: "/me/data/",
    "my-access-log": lambda p: "/me/access-log/",
}
# The patient's own JSON endpoints (POST only, sent by the phone's scripts): the patient
# gets an answer, staff 404, a signed-out browser the sign-in page.
PATIENT_JSON_ACTIONS = {
    "checkin-offline": lambda p: "/me/check-in/offline/",
    "reminders-push": lambda p: "/me/reminders/push/",
}
CARE_PAGES = {
    "caseload": lambda p: "/care/",
    "patient-summary": lambda p: f"/care/patients/{p.public_id}/",
    "triage-inbox": lambda p: "/care/inbox/",
    "flag-detail": lambda p: f"/care/flags/{p.flags.get().public_id}/",
    "programme": lambda p: f"/care/patients/{p.public_id}/programme/",
    "programme-add": lambda p: f"/care/patients/{p.public_id}/programme/add/",
    "programme-item": lambda p: (
        f"/care/patients/{p.public_id}/programme/{programme_item_of(p).public_id}/"
    ),
    "restrictions": lambda p: f"/care/patients/{p.public_id}/restrictions/",
    "paper-score": lambda p: f"/care/patients/{p.public_id}/paper-score/",
}
# The exercise library is staff data, not a patient's: name -> (path, roles that get it).
# Editing is for the physiotherapist who wrote the exercise; anyone else gets 404.
LIBRARY_PAGES = {
    # Care staff of any clinic see the seeded library; a clinic's own exercises stay in it.
    "exercise-library": (
        lambda e: "/care/exercises/",
        {"physio", "other physio", "surgeon", "foreign"},
    ),
    "exercise-add": (lambda e: "/care/exercises/new/", {"physio", "other physio"}),
    "exercise-edit": (lambda e: f"/care/exercises/{e.public_id}/edit/", {"physio"}),
}
# POST-only actions on a patient's flag: the care team may, anyone else gets 404.
FLAG_ACTIONS = {
    "flag-acknowledge": lambda p: f"/care/flags/{p.flags.get().public_id}/acknowledge/",
    "flag-resolve": lambda p: f"/care/flags/{p.flags.get().public_id}/resolve/",
}
# Chart data (JSON, so it never names the patient): the care team gets it, others 404.
CARE_CHART_DATA = {
    "care-trends-data": lambda p: f"/care/patients/{p.public_id}/trends/data/leg-pain.json",
}
ENROL_PAGES = {
    "enrol": lambda p: "/care/enrol/",
    "edit-care-team": lambda p: f"/care/patients/{p.public_id}/care-team/",
}
ADMIN_PAGES = {
    "clinic-home": lambda p: "/clinic/",
    "add-staff": lambda p: "/clinic/staff/new/",
    "clinic-settings": lambda p: "/clinic/settings/",
    "clinic-thresholds": lambda p: "/clinic/thresholds/",
    "clinic-notifications": lambda p: "/clinic/notifications/",
    "cohort-csv": lambda p: "/clinic/exports/cohort.csv?pseudonymise=1",
    "clinic-erasures": lambda p: "/clinic/erasures/",
    "second-factor-link": lambda p: f"/clinic/staff/{p.surgeon.public_id}/second-factor/",
}
# Exports of one patient's record (files, logged as "export:<format>"): the care team gets
# them, anyone else 404.
CARE_EXPORTS = {
    "patient-report-pdf": lambda p: f"/care/patients/{p.public_id}/report.pdf?paper=letter",
    "patient-fhir": lambda p: f"/care/patients/{p.public_id}/fhir.json",
    "patient-checkins-csv": lambda p: f"/care/patients/{p.public_id}/checkins.csv",
}
# The patient's own pages behind a password confirmation (tracker.auth.reauth).
PATIENT_REAUTH_PAGES = {
    "my-data-download": lambda p: "/me/data/download/",
    "my-data-erase": lambda p: "/me/data/delete/",
}
# Any signed-in user confirms their password here.
SIGNED_IN_PAGES = {
    "confirm-password": lambda p: "/me/confirm-password/?next=/",
}
# The clinic admin decides a patient's erasure request (behind a password confirmation).
ERASURE_DECISIONS = {
    "erasure-decide": lambda e: f"/clinic/erasures/{e.public_id}/",
}
# The second factor for staff (tracker.auth.second_factor): staff get them, patients 404.
STAFF_SECOND_FACTOR_PAGES = {
    "two-factor-verify": lambda p: "/accounts/two-factor/",
    "two-factor-setup": lambda p: "/accounts/two-factor/set-up/",
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
    "manifest",  # the installable app: tests/test_installable_app.py
    "service-worker",
}


def test_every_url_is_covered_here():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    covered = (
        set(PATIENT_PAGES)
        | set(PATIENT_JSON_ACTIONS)
        | set(CARE_PAGES)
        | set(FLAG_ACTIONS)
        | set(CARE_CHART_DATA)
        | set(LIBRARY_PAGES)
        | set(ENROL_PAGES)
        | set(ADMIN_PAGES)
        | set(STAFF_SECOND_FACTOR_PAGES)
        | set(CARE_EXPORTS)
        | set(PATIENT_REAUTH_PAGES)
        | set(SIGNED_IN_PAGES)
        | set(ERASURE_DECISIONS)
        | PUBLIC
    )
    assert names - covered == set(), "add the new URL to the persona tests"


@pytest.fixture
def with_checkin(patient_client, patient):
    # A calf answer raises one flag (RF-CALF), for the flag pages.
    patient_client.post("/me/check-in/", checkin_post(safety_calf_pain_swelling="yes"))
    patient_client.logout()
    return patient


@pytest.mark.parametrize("name", sorted(FLAG_ACTIONS))
def test_flag_actions(
    client, with_checkin, surgeon, outsider_staff, foreign_staff, clinic_admin, name
):
    url = FLAG_ACTIONS[name](with_checkin)
    for outsider in (outsider_staff, foreign_staff, clinic_admin, with_checkin.user):
        client.force_login(outsider)
        assert client.post(url, {"note": "x"}).status_code == 404
        assert client.get(url).status_code in (404, 405)
    assert with_checkin.flags.get().status == "open"
    client.force_login(surgeon)
    assert client.post(url, {"note": "Called the patient."}).status_code == 302
    assert with_checkin.flags.get().status != "open"


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


@pytest.mark.parametrize("name", sorted(CARE_CHART_DATA))
def test_care_chart_data(
    client, with_checkin, surgeon, physio, outsider_staff, foreign_staff, clinic_admin, name
):
    url = CARE_CHART_DATA[name](with_checkin)
    for member in (surgeon, physio):
        client.force_login(member)
        response = client.get(url)
        assert response.status_code == 200
        assert response.json()["datasets"][0]["data"][-1] == 2  # today's leg pain
    for outsider in (outsider_staff, foreign_staff, clinic_admin, with_checkin.user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


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


@pytest.mark.parametrize("name", sorted(LIBRARY_PAGES))
def test_library_pages(client, with_checkin, surgeon, physio, foreign_staff, clinic_admin, name):
    build, allowed = LIBRARY_PAGES[name]
    url = build(clinic_exercise_by(physio))
    people = {
        "physio": physio,
        "other physio": make_user("physio2@clinic.test", Role.PHYSIO, physio.clinic),
        "surgeon": surgeon,
        "foreign": foreign_staff,
        "admin": clinic_admin,
        "patient": with_checkin.user,
    }
    for label, person in people.items():
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == (200 if label in allowed else 404), label
        if label == "foreign":
            assert "Wall slides" not in response.content.decode()
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("name", sorted(STAFF_SECOND_FACTOR_PAGES))
def test_second_factor_pages(client, patient, surgeon, physio, clinic_admin, name):
    url = STAFF_SECOND_FACTOR_PAGES[name](patient)
    for staff in (surgeon, physio, clinic_admin):
        client.force_login(staff)
        assert client.get(url).status_code == 200
    client.force_login(patient.user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("name", sorted(PATIENT_JSON_ACTIONS))
def test_patient_json_actions(client, with_checkin, surgeon, clinic_admin, name):
    url = PATIENT_JSON_ACTIONS[name](with_checkin)
    client.force_login(with_checkin.user)
    response = client.post(url, "{}", content_type="application/json")
    assert response.status_code == 400  # the patient's own endpoint: an empty body is refused
    assert response["Content-Type"] == "application/json"
    assert client.get(url).status_code == 405
    for staff in (surgeon, clinic_admin):
        client.force_login(staff)
        assert client.post(url, "{}", content_type="application/json").status_code == 404
    client.logout()
    assert client.post(url, "{}", content_type="application/json").status_code == 302


def confirm_password(client, next_path="/"):
    from tests.conftest import PASSWORD

    response = client.post(f"/me/confirm-password/?next={next_path}", {"password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("name", sorted(CARE_EXPORTS))
def test_care_exports(
    client, with_checkin, surgeon, physio, outsider_staff, foreign_staff, clinic_admin, name
):
    from tracker.models import AccessLog

    url = CARE_EXPORTS[name](with_checkin)
    for outsider in (outsider_staff, foreign_staff, clinic_admin, with_checkin.user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    assert not AccessLog.objects.filter(action__startswith="export:").exists()
    for member in (surgeon, physio):
        client.force_login(member)
        assert client.get(url).status_code == 200
        assert AccessLog.objects.filter(
            actor=member, patient_ref=with_checkin.public_id, action__startswith="export:"
        ).exists()
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("name", sorted(PATIENT_REAUTH_PAGES))
def test_patient_reauth_pages(client, with_checkin, other_patient, surgeon, name):
    url = PATIENT_REAUTH_PAGES[name](with_checkin)
    client.force_login(with_checkin.user)
    assert client.get(url)["Location"].startswith("/me/confirm-password/")
    confirm_password(client)
    assert client.get(url).status_code == 200
    client.force_login(surgeon)  # staff have no patient pages, password or not
    confirm_password(client)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("name", sorted(SIGNED_IN_PAGES))
def test_signed_in_pages(client, with_checkin, surgeon, clinic_admin, name):
    url = SIGNED_IN_PAGES[name](with_checkin)
    for person in (with_checkin.user, surgeon, clinic_admin):
        client.force_login(person)
        assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("name", sorted(ERASURE_DECISIONS))
def test_erasure_decisions(
    client, with_checkin, surgeon, physio, foreign_staff, clinic_admin, name
):
    from tracker.models import ErasureRequest

    erasure = ErasureRequest.objects.create(
        clinic=with_checkin.clinic, patient=with_checkin, patient_ref=with_checkin.public_id
    )
    url = ERASURE_DECISIONS[name](erasure)
    for refused in (surgeon, physio, foreign_staff, with_checkin.user):
        client.force_login(refused)
        confirm_password(client)
        assert client.get(url).status_code == 404
    client.force_login(clinic_admin)
    confirm_password(client)
    response = client.get(url)
    assert response.status_code == 200
    assert "Pat Example" in response.content.decode()
    client.logout()
    assert client.get(url).status_code == 302
