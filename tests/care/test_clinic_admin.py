from django.core import mail

from tracker.models import Clinic, Role, User


def test_admin_sees_staff_and_enrolments(
    client, clinic_admin, surgeon, patient, other_clinic, foreign_staff
):
    client.force_login(clinic_admin)
    html = client.get("/clinic/").content.decode()
    assert "Sam Surgeon" in html and "Pat Example" in html
    assert "Otto Other" not in html


def test_admin_invites_staff(client, clinic_admin, django_capture_on_commit_callbacks):
    client.force_login(clinic_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/clinic/staff/new/",
            {
                "full_name": "Quinn Q",
                "email": "quinn@clinic.test",
                "role": "clinician",
                "clinician_kind": "nurse",
            },
        )
    assert response.status_code == 302
    quinn = User.objects.get(email="quinn@clinic.test")
    assert quinn.role == Role.CLINICIAN and quinn.clinic == clinic_admin.clinic
    assert mail.outbox[0].to == ["quinn@clinic.test"]


def test_clinician_needs_a_kind(client, clinic_admin):
    client.force_login(clinic_admin)
    html = client.post(
        "/clinic/staff/new/",
        {"full_name": "Quinn Q", "email": "quinn@clinic.test", "role": "clinician"},
    ).content.decode()
    assert "Choose surgeon or nurse" in html
    assert not User.objects.filter(email="quinn@clinic.test").exists()


def test_admin_edits_clinic_numbers(client, clinic_admin, clinic):
    client.force_login(clinic_admin)
    data = {
        "name": clinic.name,
        "time_zone": "Europe/Dublin",
        "emergency_number": "112",
        "surgical_team_phone": "01 234",
        "out_of_hours_phone": "01 999",
        "crisis_line": "Samaritans 116 123",
    }
    assert client.post("/clinic/settings/", data).status_code == 302
    clinic.refresh_from_db()
    assert clinic.emergency_number == "112"


def test_bad_time_zone_is_refused(client, clinic_admin, clinic):
    client.force_login(clinic_admin)
    data = {
        "name": clinic.name,
        "time_zone": "Nowhere/Atlantis",
        "emergency_number": "112",
        "surgical_team_phone": "01 234",
        "out_of_hours_phone": "01 999",
        "crisis_line": "x",
    }
    html = client.post("/clinic/settings/", data).content.decode()
    assert "not a known time zone" in html
    assert Clinic.objects.get().time_zone == "Europe/London"


def test_other_roles_cannot_reach_clinic_pages(client, surgeon, patient):
    for user in (surgeon, patient.user):
        client.force_login(user)
        for url in ("/clinic/", "/clinic/staff/new/", "/clinic/settings/"):
            assert client.get(url).status_code == 404
