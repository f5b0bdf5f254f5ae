"""The patient's own data: the zip, who viewed it, erasure, and the password confirmation."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
import time_machine
from django.utils import timezone

from tests.factories import PASSWORD, make_flag
from tests.report_data import peg_scores
from tracker.auth.access import record_access
from tracker.auth.reauth import REAUTH_VALID_SECONDS
from tracker.models import (
    AccessLog,
    CheckIn,
    ErasureRequest,
    ErasureStatus,
    ExerciseLog,
    Flag,
    Patient,
    QuestionnaireResponse,
    User,
)


def confirm(client, password=PASSWORD, next_path="/me/data/"):
    return client.post(f"/me/confirm-password/?next={next_path}", {"password": password})


@pytest.fixture
def with_data(patient, surgeon, physio, client):
    from tests.checkin_data import checkin_post
    from tests.programme_data import prescribe

    client.force_login(patient.user)
    client.post("/me/check-in/", checkin_post(note="Slept badly, back ached at night."))
    item = prescribe(patient, physio)
    ExerciseLog.objects.create(
        checkin=patient.checkins.get(), item=item, sessions_done=1, sessions_prescribed=2
    )
    peg_scores(patient, 2)
    make_flag(patient)
    client.force_login(surgeon)
    client.get(f"/care/patients/{patient.public_id}/")  # logged: the surgeon viewed the record
    client.logout()
    return patient


def test_download_asks_for_the_password_first(client, with_data):
    client.force_login(with_data.user)
    response = client.get("/me/data/download/")
    assert response.status_code == 302
    assert response["Location"] == "/me/confirm-password/?next=%2Fme%2Fdata%2Fdownload%2F"
    wrong = confirm(client, "not my password", "/me/data/download/")
    assert wrong.status_code == 200
    assert "That is not your password." in wrong.content.decode()
    assert client.get("/me/data/download/").status_code == 302
    right = confirm(client, PASSWORD, "/me/data/download/")
    assert right.status_code == 302 and right["Location"] == "/me/data/download/"
    assert client.get("/me/data/download/").status_code == 200


def test_confirmation_lasts_five_minutes(client, with_data):
    client.force_login(with_data.user)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        confirm(client)
        traveller.shift(REAUTH_VALID_SECONDS - 5)
        assert client.get("/me/data/download/").status_code == 200
        traveller.shift(10)
        assert client.get("/me/data/download/").status_code == 302


def test_next_never_leads_off_site(client, with_data):
    client.force_login(with_data.user)
    response = confirm(client, PASSWORD, "https://evil.example/")
    assert response["Location"] == "/"


def test_the_zip_holds_everything_and_who_viewed_it(client, with_data):
    client.force_login(with_data.user)
    confirm(client)
    response = client.get("/me/data/download/")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {
        "README.txt",
        "data.json",
        "checkins.csv",
        "access_log.csv",
    }
    data = json.loads(archive.read("data.json"))
    assert data["you"]["name"] == "Pat Example"
    assert data["you"]["email"] == "patient@clinic.test"
    assert data["checkins"][0]["note"] == "Slept badly, back ached at night."
    assert data["checkins"][0]["changes"]
    assert [q["questionnaire"] for q in data["questionnaires"]] == ["peg"]
    assert "RF-FEVER" in {f["rule"] for f in data["flags"]}
    diary = list(csv.DictReader(io.StringIO(archive.read("checkins.csv").decode())))
    assert diary[0]["note"] == "Slept badly, back ached at night."
    viewers = list(csv.DictReader(io.StringIO(archive.read("access_log.csv").decode())))
    assert any("Sam Surgeon" in row["who"] and row["what"] == "summary" for row in viewers)


def test_who_viewed_my_data_page(client, with_data, other_patient):
    client.force_login(with_data.user)
    page = client.get("/me/access-log/").content.decode()
    assert "Sam Surgeon" in page
    client.force_login(other_patient.user)
    assert "Sam Surgeon" not in client.get("/me/access-log/").content.decode()


def test_access_log_page_queries_do_not_grow(client, with_data, surgeon, rf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(with_data.user)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get("/me/access-log/")
        counts.append(len(queries))
        request = rf.get("/care/")
        request.user = surgeon
        for _ in range(30):
            record_access(request, with_data, "summary")
    assert counts[0] == counts[1]


def test_erasure_end_to_end(client, with_data, clinic_admin, surgeon):
    patient_ref = with_data.public_id
    user_pk, patient_pk = with_data.user.pk, with_data.pk
    logged_before = AccessLog.objects.filter(patient_ref=patient_ref).count()
    client.force_login(with_data.user)
    assert client.post("/me/data/delete/").status_code == 302  # asks for the password first
    assert not ErasureRequest.objects.exists()
    confirm(client, PASSWORD, "/me/data/delete/")
    assert "Yes, ask for my account" in client.get("/me/data/delete/").content.decode()
    client.post("/me/data/delete/")
    erasure = ErasureRequest.objects.get()
    assert erasure.status == ErasureStatus.REQUESTED and erasure.patient_ref == patient_ref
    assert "Your clinic will confirm it" in client.get("/me/data/").content.decode()

    client.force_login(clinic_admin)
    assert "Pat Example" in client.get("/clinic/erasures/").content.decode()
    decide = f"/clinic/erasures/{erasure.public_id}/"
    assert client.post(decide, {"decision": "erase"}).status_code == 302  # password first
    assert Patient.objects.filter(pk=patient_pk).exists()
    confirm(client, PASSWORD, decide)
    assert client.post(decide, {"decision": "erase"}).status_code == 302

    assert not User.objects.filter(pk=user_pk).exists()
    assert not Patient.objects.filter(pk=patient_pk).exists()
    assert not CheckIn.objects.filter(patient_id=patient_pk).exists()
    assert not QuestionnaireResponse.objects.filter(patient_id=patient_pk).exists()
    assert not Flag.objects.filter(patient_id=patient_pk).exists()
    assert not ExerciseLog.objects.filter(checkin__patient_id=patient_pk).exists()
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.DONE and erasure.patient is None
    assert erasure.decided_by == clinic_admin and erasure.patient_ref == patient_ref
    # The access log keeps every row (one more: the admin's erasure), by reference only.
    rows = AccessLog.objects.filter(patient_ref=patient_ref)
    assert rows.count() == logged_before + 1
    assert rows.filter(action="erasure", actor=clinic_admin).exists()
    listing = client.get("/clinic/erasures/").content.decode()
    assert "Pat Example" not in listing and str(patient_ref) in listing
    # The surgeon's caseload no longer knows the patient.
    client.force_login(surgeon)
    assert "Pat Example" not in client.get("/care/").content.decode()
    assert client.get(f"/care/patients/{patient_ref}/").status_code == 404


def test_cancelled_request_keeps_the_account(client, with_data, clinic_admin):
    erasure = ErasureRequest.objects.create(
        clinic=with_data.clinic, patient=with_data, patient_ref=with_data.public_id
    )
    client.force_login(clinic_admin)
    confirm(client, PASSWORD, "/clinic/")
    client.post(f"/clinic/erasures/{erasure.public_id}/", {"decision": "cancel"})
    erasure.refresh_from_db()
    assert erasure.status == ErasureStatus.CANCELLED
    assert Patient.objects.filter(pk=with_data.pk).exists()


def test_another_clinics_admin_cannot_decide(client, with_data, other_clinic):
    from tests.conftest import make_user
    from tracker.models import Role

    erasure = ErasureRequest.objects.create(
        clinic=with_data.clinic, patient=with_data, patient_ref=with_data.public_id
    )
    admin = make_user("admin@elsewhere.test", Role.ADMIN, other_clinic)
    client.force_login(admin)
    confirm(client, PASSWORD, "/clinic/")
    assert client.get(f"/clinic/erasures/{erasure.public_id}/").status_code == 404
    assert (
        client.post(f"/clinic/erasures/{erasure.public_id}/", {"decision": "erase"}).status_code
        == 404
    )
    assert Patient.objects.filter(pk=with_data.pk).exists()
