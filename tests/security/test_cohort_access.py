"""The cohort URL's two files, every role × GET, HEAD and POST, as the authorization matrix
checks every URL: /clinic/exports/cohort.csv (identified) is the clinicians', and its
?pseudonymise=1 form (in the matrix already) names no patient even to the clinic admin."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security.test_authorization_matrix import (
    HIDDEN,
    LOGIN,
    METHODS,
    PAGE,
    changes,
    leaks,
    refused,
    send,
)
from tests.security.world import FAY, OLIVE, PAT, ROLES, build_world, database_snapshot

IDENTIFIED = "/clinic/exports/cohort.csv"
PSEUDONYMISED = IDENTIFIED + "?pseudonymise=1"
GET_ONLY = {405}
# role -> (GET and HEAD, POST)
EXPECTED = {
    "anonymous": (LOGIN, LOGIN),
    "patient": (HIDDEN, HIDDEN),
    "other_patient": (HIDDEN, HIDDEN),
    "physio": (HIDDEN, HIDDEN),
    # Clinicians get their care team's patients (an outsider to every team: an empty file).
    "clinician": (PAGE, GET_ONLY),
    "outsider_staff": (PAGE, GET_ONLY),
    "foreign_staff": (PAGE, GET_ONLY),
    # The admin knows the export (they download its pseudonymised form): refused, told why.
    "clinic_admin": ({403}, GET_ONLY),
}


@pytest.fixture
def world(patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin):
    return build_world(
        patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin
    )


def body_of(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    return content.decode(errors="replace")


def test_the_identified_cohort_for_every_role_and_method(world):
    assert set(EXPECTED) == set(ROLES)
    problems = []
    for role in ROLES:
        get_expected, post_expected = EXPECTED[role]
        expected = {"GET": get_expected, "HEAD": get_expected | {405}, "POST": post_expected}
        for method in METHODS:
            client = Client()
            if world.people[role] is not None:
                client.force_login(world.people[role])
            before = database_snapshot()
            response = send(client, method, IDENTIFIED)
            status = response.status_code
            cell = f"{role:15} {method:4}"
            if status not in expected[method]:
                problems.append(f"{cell}: {status}, expected {sorted(expected[method])}")
            if refused(response) and (changed := changes(before, database_snapshot(), status)):
                problems.append(f"{cell}: refused, yet {changed} changed")
            if leaked := leaks(body_of(response), role):
                problems.append(f"{cell}: shows {leaked}")
    assert problems == [], "\n".join(problems)


def test_the_clinicians_file_names_their_patient(world):
    client = Client()
    client.force_login(world.people["clinician"])
    body = body_of(client.get(IDENTIFIED))
    assert PAT[0] in body and PAT[1] in body


def test_the_clinic_admin_sees_no_patient_in_either_file(world):
    client = Client()
    client.force_login(world.people["clinic_admin"])
    for path in (IDENTIFIED, PSEUDONYMISED):
        body = body_of(client.get(path))
        assert [text for person in (PAT, OLIVE, FAY) for text in person if text in body] == []
