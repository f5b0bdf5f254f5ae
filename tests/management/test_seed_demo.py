from datetime import UTC, date, datetime, timedelta
from html import unescape
from itertools import pairwise

import time_machine
from django.core.management import call_command
from django.urls import reverse

from tracker.management.commands.seed_demo import PATIENTS, SILENT_DAYS
from tracker.models import (
    CheckIn,
    Clinic,
    Flag,
    FlagStatus,
    Patient,
    QuestionnaireResponse,
    Source,
    User,
)
from tracker.models.timelines import patient_timeline
from tracker.rules import evaluate


def rules_for(email):
    patient = Patient.objects.get(user__email=email)
    return {f.rule_id for f in evaluate(patient_timeline(patient), patient.local_date())}


def open_flag(email, rule_id):
    return Flag.objects.get(patient__user__email=email, rule_id=rule_id, status=FlagStatus.OPEN)


def demo_counts():
    return (
        Clinic.objects.count(),
        User.objects.count(),
        Patient.objects.count(),
        CheckIn.objects.count(),
        QuestionnaireResponse.objects.count(),
        Flag.objects.count(),
    )


def test_seed_demo_creates_the_documented_sign_ins_and_is_idempotent(db):
    # A day the clocks change in the demo clinic: every date is counted back from it.
    with time_machine.travel(datetime(2027, 3, 28, 9, 0, tzinfo=UTC)):
        call_command("seed_demo")
        for email in (
            "patient@example.com",
            "physio@example.com",
            "surgeon@example.com",
            "admin@example.com",
        ):
            assert User.objects.get(email=email).check_password("laminar-demo")
        assert Patient.objects.count() == len(PATIENTS)
        emergency = open_flag("emergency@example.com", "RF-CES-BLADDER")
        assert emergency.first_evidence_day == date(2027, 3, 28)
        quiet = Patient.objects.get(user__email="quiet@example.com")
        assert quiet.checkins.latest("day").day == date(2027, 3, 23)
        counts = demo_counts()
        call_command("seed_demo")
        call_command("seed_demo", "--if-empty")
        assert demo_counts() == counts


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
    assert "P12-SILENCE" in rules_for("quiet@example.com")
    # Past data: every flag was raised without an e-mail, as for an import.
    assert not Flag.objects.filter(raised_quietly=False).exists()


def test_the_demo_caseload_and_inbox_show_the_range_of_recovery(client, db):
    call_command("seed_demo")
    surgeon = User.objects.get(email="surgeon@example.com")
    client.force_login(surgeon)
    response = client.get(reverse("caseload"))
    assert response.status_code == 200
    rows = {row.patient.user.email: row for row in response.context["page"].object_list}
    assert len(rows) == len(PATIENTS)
    page = unescape(response.content.decode())
    for row in rows.values():
        assert row.patient.user.full_name in page
    today = rows["patient@example.com"].patient.local_date()
    days = {email: row.patient.days_since_surgery(today) for email, row in rows.items()}
    weeks = {email: row.weeks_since_surgery for email, row in rows.items()}
    # Day 2, day 10, week 5, week 12 and month 6 after surgery.
    assert days["early@example.com"] == 2
    assert days["wound@example.com"] == 10
    assert weeks["quiet@example.com"] == 5
    assert weeks["patient@example.com"] == 12
    assert weeks["mood@example.com"] == 26 and days["mood@example.com"] >= 182

    # The quiet patient last checked in 5 days ago, and the team has a flag for it.
    quiet = rows["quiet@example.com"]
    assert quiet.last_checkin == today - timedelta(days=SILENT_DAYS)
    assert quiet.open_flags >= 1
    silence = open_flag("quiet@example.com", "P12-SILENCE")
    assert silence.first_evidence_day == today - timedelta(days=SILENT_DAYS)
    # Everyone else has checked in within the last two days.
    for email, row in rows.items():
        if email != "quiet@example.com":
            assert (today - row.last_checkin).days <= 1, email

    # An emergency answered today: open, with the patient's answer as its evidence.
    emergency = open_flag("emergency@example.com", "RF-CES-BLADDER")
    assert emergency.level == "emergency"
    assert emergency.first_evidence_day == emergency.last_evidence_day == today
    assert emergency.clinician_explanation
    # Pain rising again after a good recovery: P1's own evidence, from the patient's diary.
    rebound = open_flag("rebound@example.com", "P1-REBOUND")
    assert rebound.last_evidence_day == today
    assert rebound.first_evidence_day > rebound.patient.surgery_date + timedelta(days=14)
    assert rebound.clinician_explanation and rebound.evidence

    inbox = client.get(reverse("triage-inbox"))
    text = unescape(inbox.content.decode())
    for name, title in (
        ("Chris Adeyemi", "Possible cauda equina syndrome: bladder change"),
        ("Bea Kowalski", "Pain rising again after improving"),
        ("Hana Sato", "No recent check-in"),
    ):
        assert name in text and title in text
    for rule, name in (
        ("RF-CES-BLADDER", "Chris Adeyemi"),
        ("P1-REBOUND", "Bea Kowalski"),
        ("P12-SILENCE", "Hana Sato"),
    ):
        listed = client.get(reverse("triage-inbox"), {"rule": rule}).context["page"]
        assert [flag.patient.user.full_name for flag in listed.object_list] == [name]


def test_demo_diaries_miss_a_day_here_and_there(db):
    call_command("seed_demo")
    with_gaps = 0
    for patient in Patient.objects.select_related("user"):
        days = list(patient.checkins.order_by("day").values_list("day", flat=True))
        expected = (days[-1] - patient.surgery_date).days  # day 1 to the last check-in
        if expected >= 20:
            assert 0.03 < 1 - len(days) / expected < 0.35, patient.user.email
            with_gaps += 1
        gaps = [(later - earlier).days - 1 for earlier, later in pairwise(days)]
        assert max(gaps, default=0) <= 2, patient.user.email
    assert with_gaps >= 5


def test_demo_staff_can_pass_the_second_factor_with_demo_code(client, db):
    from io import StringIO

    call_command("seed_demo")
    out = StringIO()
    call_command("demo_code", "surgeon@example.com", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client.post("/accounts/login/", {"username": "surgeon@example.com", "password": "laminar-demo"})
    response = client.get("/care/inbox/")  # not before the second factor
    assert response.status_code == 302
    response = client.post(reverse("two-factor-verify"), {"code": code})
    assert response.status_code == 302
    assert client.get("/care/inbox/").status_code == 200
