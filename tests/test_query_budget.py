"""No page makes more than 12 queries (issue budget), for patients and the care team."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.checkin_data import checkin_post

BUDGET = 12
PATIENT_URLS = [
    "/me/",
    "/me/check-in/",
    "/me/history/",
    "/me/trends/",
    "/me/exercises/",
    "/learn/",
    "/me/ask/",
    "/me/data/",
    "/me/reminders/",
]
CARE_URLS = [
    "/care/",
    "/care/inbox/",
    "/care/patients/{id}/",
    "/care/patients/{id}/programme/",
    "/care/patients/{id}/restrictions/",
]


@pytest.fixture
def checked_in(client, patient):
    client.force_login(patient.user)
    client.post("/me/check-in/", checkin_post(safety_fall="yes", note="Slipped on the stairs"))
    return patient


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", PATIENT_URLS)
def test_patient_pages_stay_within_budget(client, checked_in, url):
    client.force_login(checked_in.user)
    assert queries_for(client, url) <= BUDGET


@pytest.mark.parametrize("url", CARE_URLS)
def test_care_pages_stay_within_budget(client, checked_in, surgeon, url):
    client.force_login(surgeon)
    assert queries_for(client, url.format(id=checked_in.public_id)) <= BUDGET
