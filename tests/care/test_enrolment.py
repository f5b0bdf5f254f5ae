import re

from django.core import mail

from tracker.models import AccessLog, Patient, Role


def enrolment_data(surgeon, physio, **overrides):
    data = {
        "full_name": "Nina Newcomer",
        "email": "Nina@Example.test",
        "date_of_birth": "1971-02-03",
        "surgery_date": "2026-11-20",
        "procedure": "Lumbar laminectomy",
        "levels": "L4–L5",
        "surgeon": surgeon.pk,
        "baseline_back_pain": "6",
        "baseline_leg_pain": "8",
        "time_zone": "Europe/London",
        "care_team": [surgeon.pk, physio.pk],
    }
    data.update(overrides)
    return data


def test_clinician_enrols_patient_who_gets_an_invitation(
    client, surgeon, physio, django_capture_on_commit_callbacks
):
    client.force_login(surgeon)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/care/enrol/", enrolment_data(surgeon, physio))
    patient = Patient.objects.get(user__email="nina@example.test")
    assert response.url == "/care/"
    assert set(patient.care_team.all()) == {surgeon, physio}
    assert patient.baseline_leg_pain == 8
    assert patient.user.role == Role.PATIENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.test"]
    link = re.search(r"https?://[^/]+(/accounts/invitation/\S+/)", message.body).group(1)
    client.logout()
    client.post(
        link, {"password1": "nina's long passphrase", "password2": "nina's long passphrase"}
    )
    assert client.get("/").url == "/me/"


def test_enrolment_errors_are_shown_beside_the_field_and_nothing_is_saved(client, surgeon, physio):
    client.force_login(surgeon)
    response = client.post(
        "/care/enrol/",
        enrolment_data(
            surgeon,
            physio,
            baseline_leg_pain="11",
            date_of_birth="2999-01-01",
            time_zone="Mars/Base",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="field-baseline_leg_pain"' in html and "less than or equal to 10" in html
    assert "date of birth in the past" in html
    assert "time zone such as" in html
    assert not Patient.objects.filter(user__email="nina@example.test").exists()


def test_email_already_in_use_is_refused(client, surgeon, physio, patient):
    client.force_login(surgeon)
    response = client.post(
        "/care/enrol/", enrolment_data(surgeon, physio, email="patient@clinic.test")
    )
    assert "already has an account" in response.content.decode()


def test_physio_cannot_enrol(client, physio):
    client.force_login(physio)
    assert client.get("/care/enrol/").status_code == 404


def test_care_team_of_another_clinic_cannot_be_chosen(client, surgeon, physio, foreign_staff):
    client.force_login(surgeon)
    response = client.post(
        "/care/enrol/", enrolment_data(surgeon, physio, care_team=[foreign_staff.pk])
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Patient.objects.exists()


def test_clinic_admin_changes_a_care_team(client, clinic_admin, patient, outsider_staff, surgeon):
    client.force_login(clinic_admin)
    response = client.post(
        f"/care/patients/{patient.public_id}/care-team/",
        {"care_team": [surgeon.pk, outsider_staff.pk]},
    )
    assert response.status_code == 302
    assert set(patient.care_team.all()) == {surgeon, outsider_staff}
    assert AccessLog.objects.filter(actor=clinic_admin, action="care team").count() == 1


def test_caseload_lists_only_own_patients(client, surgeon, patient, other_patient):
    client.force_login(surgeon)
    html = client.get("/care/").content.decode()
    assert "Pat Example" in html
    assert "Olive Other" not in html


def test_patient_summary_for_care_team(client, surgeon, patient):
    client.force_login(surgeon)
    html = client.get(f"/care/patients/{patient.public_id}/").content.decode()
    assert "Pat Example" in html and "L4–L5" in html and "Phil Physio" in html
