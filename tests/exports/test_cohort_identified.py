"""The identified cohort: clinicians download it for the patients whose care team they are on;
the clinic admin is refused it (403, pointing at the pseudonymised file) and others get 404."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_patient
from tests.report_data import checkin_days
from tracker.exports import csv_export
from tracker.models import AccessLog, CheckIn

URL = "/clinic/exports/cohort.csv"
NOTE = "Knee gave way on the stairs at my sister's"


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def cohort(patient, other_patient):
    """Pat (care team: surgeon and physio) and Olive (no care team), ten days each."""
    checkin_days(patient, 10)
    checkin_days(other_patient, 10)
    CheckIn.objects.update(note=NOTE)
    return [patient, other_patient]


def test_a_clinician_gets_their_care_teams_patients_with_names_dates_and_notes(
    client, surgeon, cohort
):
    client.force_login(surgeon)
    response = client.get(URL)
    assert response.status_code == 200 and response.streaming
    rows = rows_of(response)
    pat = cohort[0]
    assert len(rows) == CheckIn.objects.filter(patient=pat).count()
    assert {row["patient"] for row in rows} == {"Pat Example"}  # not Olive: not their patient
    assert {row["email"] for row in rows} == {"patient@clinic.test"}
    assert {row["date_of_birth"] for row in rows} == {"1960-05-17"}
    assert {row["note"] for row in rows} == {NOTE}
    assert rows[0]["date"] == pat.checkins.order_by("day").first().day.isoformat()
    logged = AccessLog.objects.filter(action="export:cohort-csv", actor=surgeon)
    assert list(logged.values_list("patient_ref", flat=True)) == [pat.public_id]


def test_a_clinician_outside_every_care_team_gets_an_empty_file(client, outsider_staff, cohort):
    client.force_login(outsider_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert rows_of(response) == []
    assert not AccessLog.objects.exists()


def test_the_clinic_admin_is_refused_the_identified_cohort_and_shown_the_other(
    client, clinic_admin, cohort
):
    client.force_login(clinic_admin)
    response = client.get(URL)
    assert response.status_code == 403
    page = response.content.decode()
    assert "for clinicians" in page
    assert f'href="{URL}?pseudonymise=1"' in page
    assert "Pat Example" not in page and NOTE not in page
    assert not AccessLog.objects.exists()


def test_no_one_else_gets_either_cohort(client, physio, foreign_staff, surgeon, cohort):
    for person in (physio, foreign_staff, cohort[0].user):
        client.force_login(person)
        assert client.get(URL).status_code == (200 if person is foreign_staff else 404)
        assert client.get(URL + "?pseudonymise=1").status_code == 404
    # The pseudonymised cohort is the clinic admin's; a clinician has the identified one.
    client.force_login(surgeon)
    assert client.get(URL + "?pseudonymise=1").status_code == 404
    assert not AccessLog.objects.filter(patient_ref__in=[p.public_id for p in cohort]).exists()
    client.logout()
    assert client.get(URL)["Location"].startswith("/accounts/login/")


def test_another_clinics_clinician_sees_only_their_own_patients(client, foreign_staff, cohort):
    fay = make_patient(
        "fay@elsewhere.test", foreign_staff.clinic, team=(foreign_staff,), full_name="Fay Foreign"
    )
    checkin_days(fay, 3)
    client.force_login(foreign_staff)
    assert {row["patient"] for row in rows_of(client.get(URL))} == {"Fay Foreign"}


def test_it_is_read_in_chunks_with_a_constant_number_of_queries(
    client, clinic, surgeon, monkeypatch
):
    monkeypatch.setattr(csv_export, "CHUNK_SIZE", 7)
    counts = []
    for index, (patients, days) in enumerate(((1, 1), (6, 12))):
        for number in range(patients):
            patient = make_patient(f"c{index}-{number}@clinic.test", clinic, team=(surgeon,))
            checkin_days(patient, days)
        client.force_login(surgeon)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
            before = [q for q in queries.captured_queries if "tracker_checkin" in q["sql"]]
            rows = rows_of(response)
        counts.append(len([q for q in queries.captured_queries if "tracker_checkin" in q["sql"]]))
        assert before == []  # it streams: nothing is read before the response goes out
        assert len(rows) == CheckIn.objects.count()
        CheckIn.objects.all().delete()
    assert counts == [1, 1]
