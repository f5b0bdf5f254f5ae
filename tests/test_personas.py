"""The three personas for every view: the patient (or their care team) gets the page,
anyone else gets 404. Every URL the project defines must appear here, as a `View` row that also
states what tests/views/test_checklist.py holds it to."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import get_resolver

from tests.checkin_data import checkin_post
from tests.factories import make_user
from tests.programme_data import clinic_exercise_by, programme_item_of
from tracker.models import Role

# Roles as in tests/security/world.py.
PATIENTS = ("patient", "other_patient")
STAFF = ("physio", "clinician", "outsider_staff", "foreign_staff", "clinic_admin")
NOT_ON_THE_CARE_TEAM = (*PATIENTS, "outsider_staff", "foreign_staff", "clinic_admin")
NOT_THE_CLINIC_ADMIN = (*PATIENTS, "physio", "clinician", "outsider_staff", "foreign_staff")


@dataclass(frozen=True)
class View:
    """One URL: how to build its path, and the checklist row it is held to.

    persona      the role (tests/security/world.py) whose page it is: it gets `answers`
    methods      the methods it takes; any other method gets 405
    hidden_from  the roles that get 404, as for a page that does not exist
    logs_access  the persona using it writes access-log rows about the patient
    sends        what the persona posts when it takes only POST (a str is sent as JSON)
    takes        what `path` is built from: "patient", "exercise", "erasure", "invitation", "user"
    """

    path: Callable[[Any], str]
    persona: str
    methods: tuple[str, ...] = ("GET",)
    hidden_from: tuple[str, ...] = ()
    logs_access: bool = False
    answers: int = 200
    sends: Callable[[Any], dict | str] | None = None
    takes: str = "patient"

    def __call__(self, target) -> str:
        return self.path(target)


def patient_page(path, methods=("GET",)) -> View:
    """The signed-in patient's own page: every patient gets theirs, staff 404, never logged."""
    return View(path, "patient", methods, hidden_from=STAFF)


def care_page(path, persona="clinician", methods=("GET",), **row) -> View:
    """A page of one patient's record: the care team gets it (logged), anyone else 404."""
    row = {"hidden_from": NOT_ON_THE_CARE_TEAM, "logs_access": True} | row
    return View(path, persona, methods, **row)


def admin_page(path, methods=("GET",), **row) -> View:
    return View(path, "clinic_admin", methods, hidden_from=NOT_THE_CLINIC_ADMIN, **row)


FORM = ("GET", "POST")

PATIENT_PAGES = {
    "patient-home": patient_page(lambda p: "/me/"),
    "checkin": patient_page(lambda p: "/me/check-in/", FORM),
    "checkin-day": patient_page(lambda p: f"/me/check-in/{p.local_date()}/", FORM),
    "history": patient_page(lambda p: "/me/history/"),
    "ask": patient_page(lambda p: "/me/ask/", FORM),
    "history-day": patient_page(lambda p: f"/me/history/{p.local_date()}/"),
    "questionnaire": patient_page(lambda p: "/me/questionnaires/peg/", FORM),
    "learn": patient_page(lambda p: "/learn/"),
    "learn-article": patient_page(lambda p: "/learn/warning-signs/"),
    "trends": patient_page(lambda p: "/me/trends/?range=all"),
    "trends-data": patient_page(lambda p: "/me/trends/data/leg-pain.json"),
    "my-exercises": patient_page(lambda p: "/me/exercises/"),
    "reminders": patient_page(lambda p: "/me/reminders/", FORM),
    "my-data": patient_page(lambda p: "/me/data/"),
    "my-access-log": patient_page(lambda p: "/me/access-log/"),
}


def offline_checkin(patient) -> str:
    """A check-in kept on the patient's phone, as its script sends it."""
    return json.dumps(
        {
            "client_id": str(uuid.UUID(int=1)),
            "owner": str(patient.public_id),
            "day": patient.local_date().isoformat(),
            "fields": checkin_post(),
        }
    )


# The patient's own JSON endpoints (POST only, sent by the phone's scripts): the patient
# gets an answer, staff 404, a signed-out browser the sign-in page.
PATIENT_JSON_ACTIONS = {
    "checkin-offline": View(
        lambda p: "/me/check-in/offline/",
        "patient",
        ("POST",),
        hidden_from=STAFF,
        sends=offline_checkin,
    ),
    "reminders-push": View(
        lambda p: "/me/reminders/push/",
        "patient",
        ("POST",),
        hidden_from=STAFF,
        sends=lambda p: json.dumps({"endpoint": "https://push.example/x", "unsubscribe": True}),
    ),
}
# The care staff's own lists: every care staff member gets theirs, logged per patient shown.
LIST_HIDDEN_FROM = (*PATIENTS, "clinic_admin")
CARE_PAGES = {
    "caseload": care_page(lambda p: "/care/", "physio", hidden_from=LIST_HIDDEN_FROM),
    "patient-summary": care_page(lambda p: f"/care/patients/{p.public_id}/"),
    "triage-inbox": care_page(lambda p: "/care/inbox/", hidden_from=LIST_HIDDEN_FROM),
    "flag-detail": care_page(lambda p: f"/care/flags/{p.flags.get().public_id}/"),
    "programme": care_page(lambda p: f"/care/patients/{p.public_id}/programme/", "physio", FORM),
    "programme-add": care_page(
        lambda p: f"/care/patients/{p.public_id}/programme/add/", "physio", FORM
    ),
    "programme-item": care_page(
        lambda p: f"/care/patients/{p.public_id}/programme/{programme_item_of(p).public_id}/",
        "physio",
        FORM,
    ),
    "restrictions": care_page(
        lambda p: f"/care/patients/{p.public_id}/restrictions/", "clinician", FORM
    ),
    "paper-score": care_page(
        lambda p: f"/care/patients/{p.public_id}/paper-score/", "clinician", FORM
    ),
}
# The exercise library is staff data, not a patient's: name -> (path, roles that get it).
# Editing is for the physiotherapist who wrote the exercise; anyone else gets 404.
LIBRARY_PAGES = {
    # Care staff of any clinic see the seeded library; a clinic's own exercises stay in it.
    "exercise-library": (
        View(
            lambda e: "/care/exercises/",
            "physio",
            hidden_from=(*PATIENTS, "clinic_admin"),
            takes="exercise",
        ),
        {"physio", "other physio", "surgeon", "foreign"},
    ),
    "exercise-add": (
        View(
            lambda e: "/care/exercises/new/",
            "physio",
            FORM,
            hidden_from=(*PATIENTS, "clinician", "outsider_staff", "foreign_staff", "clinic_admin"),
            takes="exercise",
        ),
        {"physio", "other physio"},
    ),
    "exercise-edit": (
        View(
            lambda e: f"/care/exercises/{e.public_id}/edit/",
            "physio",
            FORM,
            hidden_from=(*PATIENTS, "clinician", "outsider_staff", "foreign_staff", "clinic_admin"),
            takes="exercise",
        ),
        {"physio"},
    ),
}
# POST-only actions on a patient's flag: the care team may, anyone else gets 404.
FLAG_ACTIONS = {
    "flag-acknowledge": care_page(
        lambda p: f"/care/flags/{p.flags.get().public_id}/acknowledge/",
        methods=("POST",),
        answers=302,
        sends=lambda p: {},
    ),
    "flag-resolve": care_page(
        lambda p: f"/care/flags/{p.flags.get().public_id}/resolve/",
        methods=("POST",),
        answers=302,
        sends=lambda p: {"note": "Called the patient."},
    ),
}
# Chart data (JSON, so it never names the patient): the care team gets it, others 404.
CARE_CHART_DATA = {
    "care-trends-data": care_page(
        lambda p: f"/care/patients/{p.public_id}/trends/data/leg-pain.json"
    ),
}
# Enrolling: clinicians and the clinic admin; a patient's care team: clinicians on it.
ENROL_PAGES = {
    "enrol": View(lambda p: "/care/enrol/", "clinician", FORM, hidden_from=(*PATIENTS, "physio")),
    "edit-care-team": care_page(
        lambda p: f"/care/patients/{p.public_id}/care-team/",
        methods=FORM,
        hidden_from=(*PATIENTS, "physio", "outsider_staff", "foreign_staff"),
    ),
}
ADMIN_PAGES = {
    "clinic-home": admin_page(lambda p: "/clinic/"),
    "add-staff": admin_page(lambda p: "/clinic/staff/new/", FORM),
    "clinic-settings": admin_page(lambda p: "/clinic/settings/", FORM),
    "clinic-thresholds": admin_page(lambda p: "/clinic/thresholds/", FORM),
    "clinic-notifications": admin_page(lambda p: "/clinic/notifications/"),
    # One access-log row per patient in the file.
    "cohort-csv": admin_page(
        lambda p: "/clinic/exports/cohort.csv?pseudonymise=1", logs_access=True
    ),
    "clinic-erasures": admin_page(lambda p: "/clinic/erasures/"),
    "second-factor-link": admin_page(
        lambda p: f"/clinic/staff/{p.surgeon.public_id}/second-factor/", FORM
    ),
}
# The clinic's outcomes (tracker.outcomes): clinicians of any clinic get their clinic's figures.
CLINICIAN_PAGES = {
    name: View(
        lambda p, path=path: path,
        "clinician",
        hidden_from=(*PATIENTS, "physio", "clinic_admin"),
    )
    for name, path in {
        "clinic-outcomes": "/clinic/outcomes/",
        "clinic-outcomes-pdf": "/clinic/outcomes.pdf",
        "clinic-outcomes-improvement-csv": "/clinic/outcomes/improvement.csv",
        "clinic-outcomes-funnel-csv": "/clinic/outcomes/funnel.csv",
        "clinic-outcomes-completeness-csv": "/clinic/outcomes/completeness.csv",
        "clinic-outcomes-questionnaires-csv": "/clinic/outcomes/questionnaires.csv",
        "clinic-outcomes-alarms-csv": "/clinic/outcomes/alarms.csv",
    }.items()
}
# Exports of one patient's record (files, logged as "export:<format>"): the care team gets
# them, anyone else 404.
CARE_EXPORTS = {
    "patient-report-pdf": care_page(
        lambda p: f"/care/patients/{p.public_id}/report.pdf?paper=letter"
    ),
    "patient-fhir": care_page(lambda p: f"/care/patients/{p.public_id}/fhir.json"),
    "patient-checkins-csv": care_page(lambda p: f"/care/patients/{p.public_id}/checkins.csv"),
}
# The patient's own pages behind a password confirmation (tracker.auth.reauth).
PATIENT_REAUTH_PAGES = {
    "my-data-download": patient_page(lambda p: "/me/data/download/"),
    "my-data-erase": patient_page(lambda p: "/me/data/delete/", FORM),
}
# Any signed-in user confirms their password here.
SIGNED_IN_PAGES = {
    "confirm-password": View(lambda p: "/me/confirm-password/?next=/", "patient", FORM),
}
# The clinic admin decides a patient's erasure request (behind a password confirmation).
ERASURE_DECISIONS = {
    "erasure-decide": View(
        lambda e: f"/clinic/erasures/{e.public_id}/",
        "clinic_admin",
        FORM,
        hidden_from=NOT_THE_CLINIC_ADMIN,
        logs_access=True,
        takes="erasure",
    ),
}
# The second factor for staff (tracker.auth.second_factor): staff get them, patients 404.
STAFF_SECOND_FACTOR_PAGES = {
    "two-factor-verify": View(lambda p: "/accounts/two-factor/", "clinician", FORM, PATIENTS),
    "two-factor-setup": View(lambda p: "/accounts/two-factor/set-up/", "clinician", FORM, PATIENTS),
}
# Pages for anyone (their access is checked in tests/security/test_authorization_matrix.py).
PUBLIC = {
    "home": View(lambda p: "/", "patient", answers=302),
    "healthz": View(lambda p: "/healthz", "anonymous", ("GET", "HEAD")),
    # For monitors: 503 until a nightly evaluate_flags has completed (tests/test_readiness.py).
    "healthz-ready": View(lambda p: "/healthz/ready", "anonymous", ("GET", "HEAD"), answers=503),
    "login": View(lambda p: "/accounts/login/", "anonymous", FORM),
    "logout": View(
        lambda p: "/accounts/logout/", "patient", ("POST",), answers=302, sends=lambda p: {}
    ),
    "accept-invitation": View(
        lambda token: f"/accounts/invitation/{token}/", "anonymous", FORM, takes="invitation"
    ),
    "password_reset": View(lambda p: "/accounts/password-reset/", "anonymous", FORM),
    "password_reset_done": View(lambda p: "/accounts/password-reset/sent/", "anonymous"),
    # A good link puts the token in the session and sends the browser on (Django's view).
    "password_reset_confirm": View(
        lambda link: f"/accounts/reset/{link}/", "anonymous", FORM, answers=302, takes="reset link"
    ),
    "password_reset_complete": View(lambda p: "/accounts/reset/done/", "anonymous"),
    # htmx: the error of the one field the patient just left (tests/checkins/test_checkin.py).
    "checkin-validate": View(
        lambda p: "/me/check-in/validate/",
        "patient",
        ("POST",),
        hidden_from=STAFF,
        sends=lambda p: {"field": "back_pain", "back_pain": "11"},
    ),
    # The installable app: tests/test_installable_app.py
    "manifest": View(lambda p: "/manifest.webmanifest", "anonymous"),
    "service-worker": View(lambda p: "/sw.js", "anonymous"),
}


def views() -> dict[str, View]:
    """Every table's rows by URL name."""
    tables = (
        PATIENT_PAGES,
        PATIENT_JSON_ACTIONS,
        CARE_PAGES,
        FLAG_ACTIONS,
        CARE_CHART_DATA,
        {name: view for name, (view, _roles) in LIBRARY_PAGES.items()},
        ENROL_PAGES,
        ADMIN_PAGES,
        CLINICIAN_PAGES,
        STAFF_SECOND_FACTOR_PAGES,
        CARE_EXPORTS,
        PATIENT_REAUTH_PAGES,
        SIGNED_IN_PAGES,
        ERASURE_DECISIONS,
        PUBLIC,
    )
    rows: dict[str, View] = {}
    for table in tables:
        assert not set(table) & set(rows), f"{set(table) & set(rows)} is in two tables"
        rows |= table
    return rows


def test_every_url_is_covered_here():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    assert names - set(views()) == set(), "add the new URL to a table here"


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


@pytest.mark.parametrize("name", sorted(CLINICIAN_PAGES))
def test_clinician_pages(
    client, with_checkin, surgeon, physio, outsider_staff, foreign_staff, clinic_admin, name
):
    url = CLINICIAN_PAGES[name](with_checkin)
    for clinician in (surgeon, outsider_staff, foreign_staff):
        client.force_login(clinician)
        response = client.get(url)
        assert response.status_code == 200
        body = b"".join(response) if response.streaming else response.content
        # Figures, never a patient's name (a PDF's text is compressed: its own test reads it).
        assert "Pat Example" not in body.decode(errors="replace")
    for refused in (physio, clinic_admin, with_checkin.user):
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
    from tests.factories import PASSWORD

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
