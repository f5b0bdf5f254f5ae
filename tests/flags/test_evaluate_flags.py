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


# P12: whole missed days, and a silence already well past its threshold -----------------------


def silence_after(patient, last_day: int):
    """Daily check-ins from day 1 to `last_day` after surgery (none since)."""
    for n in range(1, last_day + 1):
        CheckIn.objects.create(patient=patient, day=patient.surgery_date + timedelta(days=n))


def run_on(patient, n: int):
    call_command(
        "evaluate_flags", "--as-of", (patient.surgery_date + timedelta(days=n)).isoformat()
    )


@pytest.mark.parametrize(
    ("as_of", "reminded", "flagged"),
    [
        (13, False, False),  # days 11 and 12 missed: below the 3 days of weeks 0-6
        (14, True, False),  # 3 missed: at the threshold, the patient is reminded first
        (15, True, False),  # 1 past: still a reminder first when none went out
        (16, True, True),  # 2 past: the flag does not wait for a reminder
    ],
)
def test_first_run_of_a_silence_reminds_first_unless_well_past_its_threshold(
    patient, as_of, reminded, flagged
):
    silence_after(patient, 10)
    run_on(patient, as_of)
    assert PatientReminder.objects.filter(patient=patient).exists() is reminded
    assert Flag.objects.filter(rule_id="P12-SILENCE").exists() is flagged


def test_patient_silent_10_days_in_week_2_is_flagged_on_the_first_run(
    patient, surgeon, django_capture_on_commit_callbacks
):
    silence_after(patient, 4)
    with django_capture_on_commit_callbacks(execute=True):
        run_on(patient, 15)  # days 5-14 missed: 10 days, 7 past the threshold of 3
    flag = Flag.objects.get(rule_id="P12-SILENCE")
    assert (flag.evidence[0]["missed_days"], flag.evidence[0]["threshold_days"]) == (10, 3)
    # The patient is still asked to check in, the same night.
    assert PatientReminder.objects.filter(patient=patient).count() == 1
    assert patient.user.email in [m.to[0] for m in mail.outbox]
    run_on(patient, 16)
    assert PatientReminder.objects.filter(patient=patient).count() == 1


def test_nightly_runs_that_stopped_flag_at_once_when_they_start_again(patient):
    silence_after(patient, 10)
    run_on(patient, 14)  # reminder: 3 missed days
    assert not Flag.objects.filter(rule_id="P12-SILENCE").exists()
    run_on(patient, 20)  # the runs stopped for 5 nights: 9 missed days
    assert Flag.objects.filter(rule_id="P12-SILENCE").exists()
    assert PatientReminder.objects.filter(patient=patient).count() == 1


def test_the_0115_run_does_not_count_the_day_that_has_just_begun(clinic, surgeon):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from tests.factories import make_patient

    london = ZoneInfo("Europe/London")  # the patient's time zone
    with time_machine.travel(datetime(2026, 3, 20, 1, 15, tzinfo=london), tick=False):
        patient = make_patient("night@clinic.test", clinic, team=(surgeon,), surgery_days_ago=10)
        today = patient.local_date()
        CheckIn.objects.create(patient=patient, day=today - timedelta(days=3))
        call_command("evaluate_flags")  # missed: the two days before today only
        assert not PatientReminder.objects.filter(patient=patient).exists()
    with time_machine.travel(datetime(2026, 3, 21, 1, 15, tzinfo=london), tick=False):
        call_command("evaluate_flags")  # now 3 whole days
        assert PatientReminder.objects.filter(patient=patient).exists()
        assert not Flag.objects.filter(rule_id="P12-SILENCE").exists()


# P8: an offered PHQ-9 left unanswered -------------------------------------------------------


def test_an_offered_phq9_unanswered_for_7_days_reaches_the_care_team(patient, surgeon, physio):
    from tracker.checkins.questionnaire_responses import record_response
    from tracker.models import Notification

    phq2_day = patient.surgery_date + timedelta(days=14)
    result = record_response(patient, "phq2", phq2_day, {"phq-q1": 2, "phq-q2": 1}, by=None)
    assert [f.rule_id for f in result.findings] == ["P8-DEPRESSION"]  # the PHQ-9 is offered
    assert not Flag.objects.filter(rule_id="P8-DEPRESSION").exists()  # to the patient only
    run_on(patient, 20)  # 6 days later
    assert not Flag.objects.filter(rule_id="P8-DEPRESSION").exists()
    run_on(patient, 21)  # 7 days later
    flag = Flag.objects.get(rule_id="P8-DEPRESSION")
    assert flag.level == "review"
    assert flag.evidence[-1]["phq9_offered_on"] == phq2_day.isoformat()
    recipients = set(Notification.objects.filter(flag=flag).values_list("recipient", flat=True))
    assert recipients == {surgeon.pk, physio.pk}
