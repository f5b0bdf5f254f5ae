"""Pages make the same number of queries whatever the length of a patient's history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.checkin_data import checkin_post
from tracker.models import CheckIn, QuestionnaireResponse


def add_history(patient, days):
    today = patient.local_date()
    patient.surgery_date = today - timedelta(days=days + 1)
    patient.save(update_fields=["surgery_date"])
    CheckIn.objects.bulk_create(
        CheckIn(
            patient=patient,
            day=today - timedelta(days=n),
            back_pain=2 + n % 2,
            leg_pain=1,
            leg_side="left",
            symptoms={"muscle_spasm": ""},
            safety={"fall": False},
        )
        for n in range(1, days + 1)
    )
    # An improving PEG: 8 in the first days after surgery, 2 since.
    QuestionnaireResponse.objects.bulk_create(
        QuestionnaireResponse(
            patient=patient,
            instrument="peg",
            day=today - timedelta(days=n),
            total=8 if n > days - 7 else 2,
            item_scores={"peg-pain": 2},
        )
        for n in range(1, days + 1, 7)
    )


def count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == 200
    return len(queries)


PAGES = [
    ("get", "/me/"),
    ("get", "/me/check-in/"),
    ("get", "/me/history/"),
]


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_patient_pages_constant_queries(client, clinic, surgeon, method, url):
    from tests.conftest import make_patient

    counts = []
    for index, days in enumerate((1, 365)):
        patient = make_patient(f"p{index}@clinic.test", clinic, team=(surgeon,))
        add_history(patient, days)
        client.force_login(patient.user)
        counts.append(count(client, method, url))
    assert counts[0] == counts[1]
    assert counts[0] <= 12


def test_checkin_submission_constant_queries(client, clinic, surgeon):
    from tests.conftest import make_patient

    counts = []
    for index, days in enumerate((1, 365)):
        patient = make_patient(f"p{index}@clinic.test", clinic, team=(surgeon,))
        add_history(patient, days)
        client.force_login(patient.user)
        counts.append(count(client, "post", "/me/check-in/", checkin_post()))
    assert counts[0] == counts[1]
