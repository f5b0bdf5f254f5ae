"""Follow-up completeness against a small cohort counted by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_patient
from tracker.models import CheckIn, Patient, QuestionnaireResponse
from tracker.outcomes.completeness import checkins_by_week, questionnaire_completion, silent_now
from tracker.questionnaires.definitions import Schedule
from tracker.rules import Thresholds

pytestmark = pytest.mark.django_db


def operated(clinic, name, days_ago, enrolled_on_day=0):
    patient = make_patient(f"{name}@example.org", clinic, surgery_days_ago=days_ago)
    enrolled = timezone.now() - timedelta(days=days_ago - enrolled_on_day)
    Patient.objects.filter(pk=patient.pk).update(enrolled_at=enrolled)
    return patient


def checked_in(patient, *post_op_days):
    for number in post_op_days:
        CheckIn.objects.create(
            patient=patient,
            day=patient.surgery_date + timedelta(days=number),
            back_pain=3,
            leg_pain=2,
        )


def test_an_empty_cohort_has_no_weeks_and_nobody_silent(clinic):
    today = timezone.localdate()
    assert checkins_by_week(Patient.objects.all(), today) == []
    silence = silent_now(Patient.objects.all(), today, Thresholds())
    assert (silence.in_follow_up, silence.silent) == (0, 0)


def test_a_patient_enrolled_late_counts_from_enrolment(clinic):
    today = timezone.localdate()
    operated(clinic, "late", days_ago=30, enrolled_on_day=15)  # no check-in yet
    weeks = checkins_by_week(Patient.objects.all(), today)
    assert [(w.week, w.patients) for w in weeks] == [(0, 0), (1, 0), (2, 1), (3, 1)]


def test_one_patient_in_the_first_week_counts_only_finished_weeks(clinic):
    today = timezone.localdate()
    patient = operated(clinic, "one", days_ago=6)
    checked_in(patient, 1, 2, 3)
    assert checkins_by_week(Patient.objects.all(), today) == []  # week 0 is not over yet
    silence = silent_now(Patient.objects.all(), today, Thresholds())
    assert (silence.in_follow_up, silence.silent) == (1, 0)  # days 4 and 5 missed: 2 < 3


def test_weeks_and_silence_match_a_hand_count(clinic):
    today = timezone.localdate()
    a = operated(clinic, "a", days_ago=20)
    checked_in(a, 0, 1, 2, 3, 4, 5, 6, 7, 9)  # week 0 full, week 1 two days
    b = operated(clinic, "b", days_ago=10)
    checked_in(b, 1, 2, 3, 8)  # week 1 is not over: day 8 not counted
    c = operated(clinic, "c", days_ago=30, enrolled_on_day=9)
    checked_in(c, 2, 10, 11)  # day 2 is before enrolment (an imported diary): c counts from it
    d = operated(clinic, "d", days_ago=100)
    checked_in(d, 95)
    operated(clinic, "e", days_ago=400)  # follow-up over
    operated(clinic, "f", days_ago=5)  # never checked in

    weeks = checkins_by_week(Patient.objects.all(), today)
    # f's week 0 is not over; e's whole year is.
    assert [(w.week, w.patients, w.checkin_days) for w in weeks[:4]] == [
        (0, 5, 7 + 3 + 1),  # a, b, c, d, e
        (1, 4, 2 + 2),  # a, c, d, e
        (2, 3, 0),  # c, d, e
        (3, 3, 0),  # c, d, e
    ]
    assert weeks[0].percent == pytest.approx(100 * 11 / 35)
    assert len(weeks) == 52 and (weeks[51].patients, weeks[51].checkin_days) == (1, 0)  # e

    silence = silent_now(Patient.objects.all(), today, Thresholds())
    # a: day 20, last day 9: 10 missed; c: day 30, last day 11: 18 missed; f: day 5, none: 4.
    # b: 1 missed; d: day 100, last day 95: 4 < 7. e is past follow-up.
    assert (silence.in_follow_up, silence.silent) == (5, 3)


def test_questionnaire_completion_at_each_due_point(clinic):
    today = timezone.localdate()
    schedules = {
        "peg": Schedule(every_days=7),
        "phq2": Schedule(every_days=14, satisfied_by=("phq9",)),
        "phq9": Schedule(milestone_days=(42,), window_days=3),
    }
    a = operated(clinic, "a", days_ago=50)
    b = operated(clinic, "b", days_ago=16)
    answered(a, peg=(1, 3, 8), phq9=(10, 43))  # two PEGs in week 0, one in week 1
    answered(b, peg=(2, 15), phq2=(13,))  # day 15: week 2 is not over for b
    rows = questionnaire_completion(Patient.objects.all(), today, schedules, {"peg": "PEG"})
    by_point = {(r.instrument, r.first_day): (r.patients, r.completed) for r in rows}
    assert by_point[("peg", 0)] == (2, 2)
    assert by_point[("peg", 7)] == (2, 1)
    assert by_point[("peg", 14)] == (1, 0)  # only a's week 2 is over
    assert by_point[("phq2", 0)] == (2, 2)  # a's PHQ-9 counts for the PHQ-2
    assert by_point[("phq9", 39)] == (1, 1)  # days 39-45: a only
    assert ("peg", 49) not in by_point  # nobody's week 7 is over
    assert rows[0].title == "PEG" and rows[0].percent == 100


def answered(patient, **days_by_instrument):
    for instrument, days in days_by_instrument.items():
        for number in days:
            QuestionnaireResponse.objects.create(
                patient=patient,
                instrument=instrument,
                day=patient.surgery_date + timedelta(days=number),
                total=3,
            )
