"""The daily run: time-dependent rules, the silence reminder before any flag, --as-of."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.flags.test_flag_engine import answers
from tracker.checkins.recording import record_checkin
from tracker.flags.engine import evaluate_patient
from tracker.models import CheckIn, Flag, PatientReminder


def test_silence_reminds_the_patient_first_then_flags(patient, django_capture_on_commit_callbacks):
    last = patient.local_date() - timedelta(days=10)
    record_checkin(patient, last, answers(), by=None)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("evaluate_flags", "--as-of", (last + timedelta(days=4)).isoformat())
    assert PatientReminder.objects.filter(patient=patient).count() == 1
    assert [m.to for m in mail.outbox] == [[patient.user.email]]
    assert "check-in" in mail.outbox[0].body
    assert not Flag.objects.filter(rule_id="P12-SILENCE").exists()
    call_command("evaluate_flags", "--as-of", (last + timedelta(days=5)).isoformat())
    flag = Flag.objects.get(rule_id="P12-SILENCE")
    assert flag.level == "review"
    assert flag.evidence[0]["last_checkin"] == last.isoformat()


def test_as_of_evaluates_the_week_6_milestone(patient):
    patient.baseline_leg_pain = 6
    patient.save()
    surgery = patient.surgery_date
    for n in range(35, 43):
        record_checkin(patient, surgery + timedelta(days=n), answers(leg_pain="5"), by=None)
    call_command(
        "evaluate_flags",
        "--patient",
        patient.user.email,
        "--as-of",
        (surgery + timedelta(days=42)).isoformat(),
    )
    assert Flag.objects.filter(rule_id="P3-LEG-NO-MCID-6W").exists()


def test_running_twice_changes_nothing(patient):
    surgery = patient.surgery_date
    for n in range(1, 15):
        record_checkin(
            patient,
            surgery + timedelta(days=n),
            answers(back_pain="9", leg_pain="8", leg_side="left"),
            by=None,
        )
    call_command("evaluate_flags")
    snapshot = list(Flag.objects.values_list("rule_id", "status", "evidence"))
    call_command("evaluate_flags")
    assert list(Flag.objects.values_list("rule_id", "status", "evidence")) == snapshot


def test_unknown_patient_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("evaluate_flags", "--patient", "nobody@example.test")


def test_evaluating_two_years_costs_the_same_queries_as_one_day(clinic, surgeon):
    from tests.conftest import make_patient

    def measure(days):
        patient = make_patient(
            f"p{days}@clinic.test", clinic, team=(surgeon,), surgery_days_ago=days + 1
        )
        today = patient.local_date()
        CheckIn.objects.bulk_create(
            CheckIn(
                patient=patient,
                day=today - timedelta(days=n),
                back_pain=2,
                leg_pain=1,
                leg_side="left",
            )
            for n in range(days)
        )
        with CaptureQueriesContext(connection) as queries:
            evaluate_patient(patient, today, include_time_rules=True)
        return len(queries)

    assert measure(1) == measure(730)
