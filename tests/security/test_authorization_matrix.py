"""Every URL × every role × GET, HEAD and POST, against expectations written down here.

The URL names come from the resolver and their access class from the persona tables in
tests/test_personas.py: a URL in no table, or a table with no expectations below, fails.
A refused request changes nothing in the database; no response names another patient.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import get_resolver

from tests import test_personas as personas
from tests.security.world import FORBIDDEN, ROLES, build_world, database_snapshot
from tracker.models import AccessLog

METHODS = ("GET", "HEAD", "POST")

# Expected status codes: class -> role -> (GET and HEAD, POST). HEAD answers as GET does.
LOGIN = {302}  # to the sign-in page
HIDDEN = {404}  # as for a page that does not exist
PAGE = {200}
FORM_POST = {200, 302}  # an empty form comes back with errors, or the action is done
READ_ONLY_POST = {200, 405}  # a page that only shows: refused or answered as a GET


def cells(**by_role):
    unknown = set(by_role) - set(ROLES) - {"staff", "patients"}
    assert not unknown, unknown
    table = {}
    for role in ROLES:
        group = "patients" if role in ("patient", "other_patient") else "staff"
        table[role] = by_role.get(role) or by_role.get(group if role != "anonymous" else "-")
        assert table[role] is not None, role
    return table


EXPECTED = {
    # The signed-in patient's own pages: every patient gets their own; staff do not have them.
    "patient": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(PAGE, FORM_POST | READ_ONLY_POST),
        staff=(HIDDEN, HIDDEN),
    ),
    # One patient's clinical data: the care team only.
    "care-patient": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        physio=(PAGE, FORM_POST | READ_ONLY_POST | {403}),
        # Programmes are the physiotherapist's to change, restrictions the clinician's: each
        # reads the other's (a write is 403).
        clinician=(PAGE, FORM_POST | READ_ONLY_POST | {403}),
        # A view that takes only GET answers 405 before it looks for the patient at all.
        outsider_staff=(HIDDEN, HIDDEN | {405}),
        foreign_staff=(HIDDEN, HIDDEN | {405}),
        clinic_admin=(HIDDEN, HIDDEN | {405}),
    ),
    # Care staff's own lists (caseload, inbox): every care staff member gets theirs.
    "care-list": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        physio=(PAGE, READ_ONLY_POST),
        clinician=(PAGE, READ_ONLY_POST),
        outsider_staff=(PAGE, READ_ONLY_POST),
        foreign_staff=(PAGE, READ_ONLY_POST),
        clinic_admin=(HIDDEN, HIDDEN),
    ),
    # POST-only actions on a patient's flag.
    "flag-action": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN | {405}, HIDDEN),
        physio=({405}, {302}),
        clinician=({405}, {302}),
        outsider_staff=(HIDDEN | {405}, HIDDEN),
        foreign_staff=(HIDDEN | {405}, HIDDEN),
        clinic_admin=(HIDDEN | {405}, HIDDEN),
    ),
    # Enrolling a patient: clinicians (any, of their own clinic) and the clinic admin.
    "enrol-form": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        physio=(HIDDEN, HIDDEN),
        clinician=(PAGE, FORM_POST),
        outsider_staff=(PAGE, FORM_POST),
        foreign_staff=(PAGE, FORM_POST),
        clinic_admin=(PAGE, FORM_POST),
    ),
    # One patient's care team: clinicians on it and the clinic's admin.
    "enrol-patient": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        physio=(HIDDEN, HIDDEN),
        clinician=(PAGE, FORM_POST),
        outsider_staff=(HIDDEN, HIDDEN),
        foreign_staff=(HIDDEN, HIDDEN),
        clinic_admin=(PAGE, FORM_POST),
    ),
    "clinic-admin": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        staff=(HIDDEN, HIDDEN),
        clinic_admin=(PAGE, FORM_POST | READ_ONLY_POST),
    ),
    # The exercise library: care staff of any clinic read it.
    "library-read": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        staff=(PAGE, READ_ONLY_POST),
        clinic_admin=(HIDDEN, HIDDEN),
    ),
    # Writing to it: physiotherapists; editing an exercise: the one who wrote it.
    "library-write": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        staff=(HIDDEN, HIDDEN),
        physio=(PAGE, FORM_POST),
    ),
    "second-factor": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        staff=(PAGE, FORM_POST),
    ),
    # The patient's own JSON endpoints (POST only): a form-encoded empty body is refused.
    "patient-json": cells(
        anonymous=(LOGIN | {405}, LOGIN),
        patients=({405}, {400}),
        staff=(HIDDEN | {405}, HIDDEN),
    ),
    # Pages anyone may reach; what each answers is written per URL below.
    "home": cells(anonymous=(LOGIN, LOGIN), patients=({302}, {302}), staff=({302}, {302})),
    "healthz": cells(anonymous=(PAGE, {405}), patients=(PAGE, {405}), staff=(PAGE, {405})),
    # Not ready (503) in a world where the nightly evaluation has never run.
    "healthz-ready": cells(anonymous=({503}, {405}), patients=({503}, {405}), staff=({503}, {405})),
    "sign-in": cells(anonymous=(PAGE, PAGE), patients=({302}, {302}), staff=({302}, {302})),
    "sign-out": cells(anonymous=({405}, {302}), patients=({405}, {302}), staff=({405}, {302})),
    "invitation-bad-token": cells(
        anonymous=(HIDDEN, HIDDEN), patients=(HIDDEN, HIDDEN), staff=(HIDDEN, HIDDEN)
    ),
    "password-reset": cells(
        anonymous=(PAGE, FORM_POST), patients=(PAGE, FORM_POST), staff=(PAGE, FORM_POST)
    ),
    "plain-page": cells(anonymous=(PAGE, {405}), patients=(PAGE, {405}), staff=(PAGE, {405})),
    "static-app-file": cells(anonymous=(PAGE, {405}), patients=(PAGE, {405}), staff=(PAGE, {405})),
    "checkin-validate": cells(
        anonymous=(LOGIN | {405}, LOGIN),
        patients=({405}, PAGE),
        staff=(HIDDEN | {405}, HIDDEN),
    ),
    # The patient's pages behind a password confirmation: first to /me/confirm-password/.
    "patient-reauth": cells(
        anonymous=(LOGIN, LOGIN),
        patients=({302}, {302}),
        staff=(HIDDEN, HIDDEN),
    ),
    # The password confirmation itself: anyone signed in.
    "signed-in-form": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(PAGE, FORM_POST),
        staff=(PAGE, FORM_POST),
    ),
    # The clinic's outcomes: clinicians of the clinic (figures, no patient named), GET only.
    "clinic-clinician": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        physio=(HIDDEN, HIDDEN),
        clinician=(PAGE, {405}),
        outsider_staff=(PAGE, {405}),
        foreign_staff=(PAGE, {405}),
        clinic_admin=(HIDDEN, HIDDEN),
    ),
    # Deciding an erasure: the clinic admin, after confirming the password (302 first).
    "erasure-decision": cells(
        anonymous=(LOGIN, LOGIN),
        patients=(HIDDEN, HIDDEN),
        staff=(HIDDEN, HIDDEN),
        clinic_admin=({302}, {302}),
    ),
}

# Which expectation each persona table's URLs get.
CARE_LISTS = {"caseload", "triage-inbox"}
LIBRARY_WRITE = {"exercise-add", "exercise-edit"}
PUBLIC_PATHS = {
    "home": ("home", "/"),
    "healthz": ("healthz", "/healthz"),
    "healthz-ready": ("healthz-ready", "/healthz/ready"),
    "login": ("sign-in", "/accounts/login/"),
    "logout": ("sign-out", "/accounts/logout/"),
    "accept-invitation": ("invitation-bad-token", "/accounts/invitation/not-a-token/"),
    "password_reset": ("password-reset", "/accounts/password-reset/"),
    "password_reset_done": ("plain-page", "/accounts/password-reset/sent/"),
    "password_reset_confirm": ("password-reset", "/accounts/reset/MQ/not-a-token/"),
    "password_reset_complete": ("plain-page", "/accounts/reset/done/"),
    "checkin-validate": ("checkin-validate", "/me/check-in/validate/"),
    "manifest": ("static-app-file", "/manifest.webmanifest"),
    "service-worker": ("static-app-file", "/sw.js"),
}


def url_classes() -> dict[str, tuple[str, object]]:
    """name -> (expectation class, path builder taking the World)."""
    found: dict[str, tuple[str, object]] = {}

    def add(name, cls, build):
        assert name not in found, f"{name} is in two persona tables"
        found[name] = (cls, build)

    for name, build in personas.PATIENT_PAGES.items():
        add(name, "patient", lambda w, b=build: b(w.patient))
    for name, build in personas.CARE_PAGES.items():
        cls = "care-list" if name in CARE_LISTS else "care-patient"
        add(name, cls, lambda w, b=build: b(w.patient))
    for name, build in personas.CARE_CHART_DATA.items():
        add(name, "care-patient", lambda w, b=build: b(w.patient))
    for name, build in personas.FLAG_ACTIONS.items():
        add(name, "flag-action", lambda w, b=build: b(w.patient))
    for name, build in personas.ENROL_PAGES.items():
        cls = "enrol-form" if name == "enrol" else "enrol-patient"
        add(name, cls, lambda w, b=build: b(w.patient))
    for name, build in personas.ADMIN_PAGES.items():
        add(name, "clinic-admin", lambda w, b=build: b(w.patient))
    for name, build in personas.CLINICIAN_PAGES.items():
        add(name, "clinic-clinician", lambda w, b=build: b(w.patient))
    for name, (build, _roles) in personas.LIBRARY_PAGES.items():
        cls = "library-write" if name in LIBRARY_WRITE else "library-read"
        add(name, cls, lambda w, b=build: b(w.exercise))
    for name, build in personas.STAFF_SECOND_FACTOR_PAGES.items():
        add(name, "second-factor", lambda w, b=build: b(w.patient))
    for name, build in personas.PATIENT_JSON_ACTIONS.items():
        add(name, "patient-json", lambda w, b=build: b(w.patient))
    for name, build in personas.CARE_EXPORTS.items():
        add(name, "care-patient", lambda w, b=build: b(w.patient))
    for name, build in personas.PATIENT_REAUTH_PAGES.items():
        add(name, "patient-reauth", lambda w, b=build: b(w.patient))
    for name, build in personas.SIGNED_IN_PAGES.items():
        add(name, "signed-in-form", lambda w, b=build: b(w.patient))
    for name, build in personas.ERASURE_DECISIONS.items():
        add(name, "erasure-decision", lambda w, b=build: b(erasure_request(w.patient)))
    for name in personas.PUBLIC:
        if name in PUBLIC_PATHS:  # else test_every_url_has_an_access_class fails
            cls, path = PUBLIC_PATHS[name]
            add(name, cls, lambda w, p=path: p)
    return found


KNOWN_TABLES = {
    "PATIENT_PAGES",
    "CLINICIAN_PAGES",
    "CARE_PAGES",
    "CARE_CHART_DATA",
    "FLAG_ACTIONS",
    "ENROL_PAGES",
    "ADMIN_PAGES",
    "LIBRARY_PAGES",
    "STAFF_SECOND_FACTOR_PAGES",
    "PATIENT_JSON_ACTIONS",
    "CARE_EXPORTS",
    "PATIENT_REAUTH_PAGES",
    "SIGNED_IN_PAGES",
    "ERASURE_DECISIONS",
    "PUBLIC",
}


def erasure_request(patient):
    from tracker.models import ErasureRequest

    return ErasureRequest.objects.get_or_create(
        patient=patient, defaults={"clinic": patient.clinic, "patient_ref": patient.public_id}
    )[0]


def test_every_persona_table_has_expectations_here():
    tables = {
        name
        for name, value in vars(personas).items()
        if name.isupper() and isinstance(value, dict | set | frozenset)
    }
    assert tables - KNOWN_TABLES == set(), "give the new persona table an access class here"


def test_every_url_has_an_access_class():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    assert names - set(url_classes()) == set()


URL_NAMES = sorted(url_classes())
# The number of cases: every URL × every role × every method.
CASES = len(URL_NAMES) * len(ROLES) * len(METHODS)


@pytest.fixture
def world(patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin):
    return build_world(
        patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin
    )


def send(client: Client, method: str, path: str):
    return {"GET": client.get, "HEAD": client.head, "POST": client.post}[method](path)


REFUSED_REDIRECTS = ("/accounts/login/", "/accounts/two-factor/", "/me/confirm-password/")


def refused(response) -> bool:
    if response.status_code == 302:
        return response["Location"].startswith(REFUSED_REDIRECTS)
    return response.status_code in (403, 404, 405, 429)


def changes(before: dict, after: dict, status: int) -> list[str]:
    """Tables whose rows differ. A care team member refused a write (403) did reach the
    patient's record: that access is logged, one row, and nothing else changes."""
    changed = [table for table in before if before[table] != after[table]]
    log = AccessLog._meta.db_table
    if status == 403 and changed == [log] and len(after[log]) == len(before[log]) + 1:
        return []
    return changed


def leaks(body: str, role: str) -> list[str]:
    return [text for person in FORBIDDEN[role] for text in person if text in body]


@pytest.mark.parametrize("name", URL_NAMES)
def test_authorization_matrix(world, name):
    """Every role and method on one URL (one world per URL, roles in the order of ROLES)."""
    cls, build = url_classes()[name]
    path = build(world)
    problems = []
    for role in ROLES:
        get_expected, post_expected = EXPECTED[cls][role]
        # A view that lists its methods as GET and POST refuses HEAD (405) for everyone alike.
        expected = {"GET": get_expected, "HEAD": get_expected | {405}, "POST": post_expected}
        for method in METHODS:
            client = Client()
            if world.people[role] is not None:
                client.force_login(world.people[role])
            before = database_snapshot()
            response = send(client, method, path)
            status = response.status_code
            cell = f"{role:15} {method:4} {path}"
            if status not in expected[method]:
                problems.append(f"{cell}: {status}, expected {sorted(expected[method])}")
            if refused(response) and (changed := changes(before, database_snapshot(), status)):
                problems.append(f"{cell}: refused, yet {changed} changed")
            body = b"".join(response) if response.streaming else response.content
            if leaked := leaks(body.decode(errors="replace"), role):
                problems.append(f"{cell}: shows {leaked}")
    assert problems == [], "\n".join(problems)
