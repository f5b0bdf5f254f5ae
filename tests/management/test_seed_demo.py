from django.core.management import call_command
from django.urls import reverse

from tracker.models import CheckIn, Clinic, Patient, QuestionnaireResponse, Source, User
from tracker.models.timelines import patient_timeline
from tracker.rules import evaluate


def rules_for(email):
    patient = Patient.objects.get(user__email=email)
    return {f.rule_id for f in evaluate(patient_timeline(patient), patient.local_date())}


def test_seed_demo_creates_the_documented_sign_ins_and_is_idempotent(db):
    call_command("seed_demo")
    for email in (
        "patient@example.com",
        "physio@example.com",
        "surgeon@example.com",
        "admin@example.com",
    ):
        assert User.objects.get(email=email).check_password("laminar-demo")
    assert Patient.objects.count() == 6
    checkins = CheckIn.objects.count()
    assert checkins > 6 * 60
    call_command("seed_demo")
    call_command("seed_demo", "--if-empty")
    assert Clinic.objects.count() == 1
    assert Patient.objects.count() == 6
    assert CheckIn.objects.count() == checkins


def test_demo_histories_go_through_the_recording_path_and_raise_their_flags(db):
    call_command("seed_demo")
    assert set(CheckIn.objects.values_list("revisions__source", flat=True)) == {Source.DEMO}
    assert QuestionnaireResponse.objects.filter(instrument="phq9").exists()
    assert rules_for("patient@example.com") == set()
    assert {"RF-CES-BLADDER", "RF-CES-SADDLE"} <= rules_for("emergency@example.com")
    assert {"RF-WOUND", "RF-FEVER"} <= rules_for("wound@example.com")
    assert "P1-REBOUND" in rules_for("rebound@example.com")
    assert "P8-DEPRESSION" in rules_for("mood@example.com")
    assert "P11-WALKING-DECLINE" in rules_for("adherence@example.com")
    # Every patient's history spans about 90 days.
    patient = Patient.objects.get(user__email="patient@example.com")
    days = patient.checkins.order_by("day").values_list("day", flat=True)
    assert (days.last() - days.first()).days >= 85


def test_demo_staff_can_pass_the_second_factor_with_demo_code(client, db):
    from io import StringIO

    call_command("seed_demo")
    out = StringIO()
    call_command("demo_code", "surgeon@example.com", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client.post("/accounts/login/", {"username": "surgeon@example.com", "password": "laminar-demo"})
    response = client.post(reverse("two-factor-verify"), {"code": code})
    assert response.status_code == 302
    assert client.get("/care/inbox/").status_code == 200
