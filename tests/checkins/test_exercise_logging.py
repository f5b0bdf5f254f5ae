"""Logging exercises in the daily check-in, and adherence (clinical-reference §1.1, §4 P9)."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.checkin_data import checkin_post
from tests.programme_data import prescribe
from tracker.models import CheckIn, ExerciseLog, Patient, ProgrammeItem
from tracker.models.timelines import patient_timeline
from tracker.rules import evaluate
from tracker.timeline import DayRecord, Timeline
from tracker.trends.series import (
    Adherence,
    ExerciseSessions,
    adherence_between,
    adherence_by_exercise,
    pain_trend,
    weekly_adherence,
)


def field(item, suffix):
    return f"ex_{item.public_id}_{suffix}"


@pytest.fixture
def two_exercises(patient, physio):
    """Week 2 of recovery: pelvic tilts twice a day and walking three times a day."""
    tilts = prescribe(patient, physio, "pelvic-tilts", sessions_per_day=2)
    walking = prescribe(patient, physio, "walking", sessions_per_day=3)
    return tilts, walking


def test_todays_exercises_appear_in_the_check_in(patient_client, two_exercises):
    tilts, walking = two_exercises
    page = patient_client.get("/me/check-in/").content.decode()
    assert "Exercises" in page
    assert "Pelvic tilts" in page and "Walking programme" in page
    assert f'name="{field(tilts, "done")}" value="2"' in page  # "All done" is one tap
    assert "All done" in page and "1 of 2" in page and "Not today" in page
    assert f'name="{field(tilts, "pain")}"' in page
    assert f'name="{field(tilts, "too_hard")}"' in page


def test_without_a_programme_the_check_in_has_no_exercises(patient_client):
    page = patient_client.get("/me/check-in/").content.decode()
    assert 'id="exercises-heading"' not in page
    assert patient_client.post("/me/check-in/", checkin_post()).status_code == 200
    assert CheckIn.objects.count() == 1
    assert not ExerciseLog.objects.exists()


def test_exercises_outside_their_weeks_or_stopped_are_not_asked(patient_client, patient, physio):
    prescribe(patient, physio, "bird-dog", start_week=4, end_week=12)  # patient is in week 2
    prescribe(patient, physio, "ankle-pumps", start_week=0, end_week=2)
    page = patient_client.get("/me/check-in/").content.decode()
    assert "Four-point" not in page and "Ankle pumps" not in page


def test_logging_all_done_some_and_unanswered(patient_client, patient, two_exercises):
    tilts, walking = two_exercises
    response = patient_client.post(
        "/me/check-in/",
        checkin_post(
            **{
                field(tilts, "done"): "2",
                field(tilts, "pain"): "4",
                field(tilts, "too_hard"): "on",
            }
        ),
    )
    assert response.status_code == 200
    logs = {log.item_id: log for log in ExerciseLog.objects.all()}
    assert (logs[tilts.pk].sessions_done, logs[tilts.pk].sessions_prescribed) == (2, 2)
    assert logs[tilts.pk].pain_during == 4 and logs[tilts.pk].too_hard
    # Walking was left empty: counted as not done.
    assert (logs[walking.pk].sessions_done, logs[walking.pk].sessions_prescribed) == (0, 3)
    record = patient_timeline(patient).days[-1]
    assert (record.exercise_done, record.exercise_prescribed) == (2, 5)


def test_changing_the_check_in_updates_the_logs(patient_client, patient, two_exercises):
    tilts, walking = two_exercises
    patient_client.post("/me/check-in/", checkin_post(**{field(tilts, "done"): "0"}))
    form = patient_client.get("/me/check-in/").content.decode()
    assert f'name="{field(tilts, "done")}" value="0" checked' in form
    patient_client.post(
        "/me/check-in/", checkin_post(**{field(tilts, "done"): "1", field(walking, "done"): "3"})
    )
    assert ExerciseLog.objects.count() == 2
    done = dict(ExerciseLog.objects.values_list("item_id", "sessions_done"))
    assert done == {tilts.pk: 1, walking.pk: 3}


@pytest.mark.parametrize(
    ("suffix", "value", "message"),
    [("pain", "11", "Choose a number from 0 to 10."), ("done", "7", "Choose how many")],
)
def test_bad_exercise_answers_are_refused_and_nothing_is_saved(
    patient_client, two_exercises, suffix, value, message
):
    tilts, _ = two_exercises
    response = patient_client.post("/me/check-in/", checkin_post(**{field(tilts, suffix): value}))
    page = response.content.decode()
    assert message in page
    assert "Nothing was saved yet" in page
    assert not CheckIn.objects.exists() and not ExerciseLog.objects.exists()


def test_logs_are_written_in_the_check_ins_transaction(patient_client, two_exercises):
    tilts, _ = two_exercises
    with (
        mock.patch(
            "tracker.checkins.recording.after_checkin_saved", side_effect=RuntimeError("boom")
        ),
        pytest.raises(RuntimeError),
    ):
        patient_client.post("/me/check-in/", checkin_post(**{field(tilts, "done"): "2"}))
    assert not CheckIn.objects.exists()
    assert not ExerciseLog.objects.exists()


def test_a_repeated_submission_is_applied_once(patient_client, two_exercises):
    tilts, _ = two_exercises
    data = checkin_post(
        submission_id="7b0c3c58-58a4-4b0e-9d87-2f6f5d0ad1a1", **{field(tilts, "done"): "2"}
    )
    patient_client.post("/me/check-in/", data)
    ExerciseLog.objects.filter(item=tilts).update(sessions_done=1)
    patient_client.post("/me/check-in/", data)
    assert ExerciseLog.objects.get(item=tilts).sessions_done == 1


def test_answers_stay_json_able_for_revisions(patient_client, two_exercises):
    tilts, _ = two_exercises
    patient_client.post("/me/check-in/", checkin_post(**{field(tilts, "done"): "2"}))
    revision = CheckIn.objects.get().revisions.get()
    assert revision.after["back_pain"] == 3


def test_a_dose_change_does_not_rewrite_logged_days(patient_client, patient, two_exercises):
    tilts, _ = two_exercises
    patient_client.post("/me/check-in/", checkin_post(**{field(tilts, "done"): "2"}))
    ProgrammeItem.objects.filter(pk=tilts.pk).update(sessions_per_day=4)
    log = ExerciseLog.objects.get(item=tilts)
    assert (log.sessions_done, log.sessions_prescribed) == (2, 2)


def test_exercise_days_are_spread_over_the_week(patient, physio):
    item = prescribe(patient, physio, "bridges", days_per_week=3, start_week=0)
    days = [
        n
        for n in range(14)
        if item.scheduled_on(patient.surgery_date + timedelta(n), patient.surgery_date)
    ]
    assert days == [0, 2, 4, 7, 9, 11]
    assert not item.scheduled_on(patient.surgery_date - timedelta(1), patient.surgery_date)


def test_patient_sees_a_weekly_summary(patient_client, patient, two_exercises):
    tilts, walking = two_exercises
    patient_client.post(
        "/me/check-in/", checkin_post(**{field(tilts, "done"): "2", field(walking, "done"): "1"})
    )
    page = patient_client.get("/me/exercises/").content.decode()
    assert "3 / 5" in page and "60 %" in page


def test_checkin_submission_queries_do_not_grow_with_history(client, clinic, surgeon, physio):
    from tests.conftest import make_patient

    counts = []
    for index, days in enumerate((1, 365)):
        patient = make_patient(f"p{index}@clinic.test", clinic, team=(surgeon, physio))
        patient.surgery_date = patient.local_date() - timedelta(days=days + 1)
        patient.save(update_fields=["surgery_date"])
        item = prescribe(patient, physio, "walking")
        checkins = CheckIn.objects.bulk_create(
            CheckIn(patient=patient, day=patient.local_date() - timedelta(days=n), back_pain=3)
            for n in range(1, days + 1)
        )
        ExerciseLog.objects.bulk_create(
            ExerciseLog(checkin=c, item=item, sessions_done=3, sessions_prescribed=3)
            for c in checkins
        )
        client.force_login(patient.user)
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/me/check-in/", checkin_post(**{field(item, "done"): "3"}))
        assert response.status_code == 200
        counts.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/exercises/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3]


# Adherence: the one implementation in tracker.trends.series ---------------------------------------

SURGERY = date(2026, 1, 1)


def day(n, done=None, prescribed=None):
    return DayRecord(SURGERY + timedelta(n), exercise_done=done, exercise_prescribed=prescribed)


def test_adherence_per_day_and_week_counts_only_prescribed_days():
    timeline = Timeline(
        SURGERY,
        days=(day(0, 2, 4), day(1, 5, 4), day(2, None, None), day(7, 0, 4), day(8, 1, 2)),
    )
    assert adherence_between(timeline, SURGERY, SURGERY + timedelta(1)) == Adherence(6, 8)
    weeks = weekly_adherence(timeline)
    assert [(w.week, w.adherence) for w in weeks] == [(0, Adherence(6, 8)), (1, Adherence(1, 6))]
    assert weeks[0].adherence.percent == 75
    assert Adherence(0, 0).percent is None


def test_adherence_per_exercise_uses_the_same_counting():
    start = SURGERY
    sessions = [
        ExerciseSessions(start, "Bridges", 3, 2),  # extra sessions are not counted
        ExerciseSessions(start + timedelta(1), "Bridges", 0, 2),
        ExerciseSessions(start, "Walking", 1, 3),
        ExerciseSessions(start + timedelta(20), "Walking", 3, 3),  # outside the period
    ]
    result = adherence_by_exercise(sessions, start, start + timedelta(6))
    assert result == {"Bridges": Adherence(2, 4), "Walking": Adherence(1, 3)}


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [(5, 6, "up"), (5, 5.9, "flat"), (5, 4, "down"), (5, 4.1, "flat")],
)
def test_pain_trend_compares_two_seven_day_means(before, after, expected):
    # Whole-number pain with a mean of `before` for 7 days, then `after` for 7 days.
    values = spread(before) + spread(after)
    timeline = Timeline(
        SURGERY,
        days=tuple(
            DayRecord(SURGERY + timedelta(n), back_pain=value, leg_pain=0)
            for n, value in enumerate(values)
        ),
    )
    assert pain_trend(timeline, SURGERY + timedelta(13)) == expected


def spread(mean: float) -> list[int]:
    """Seven whole numbers with the given mean (to one decimal)."""
    total = round(mean * 7)
    base = total // 7
    return [base + (1 if n < total - base * 7 else 0) for n in range(7)]


def test_pain_trend_needs_four_days_in_each_week():
    days = tuple(DayRecord(SURGERY + timedelta(n), back_pain=5) for n in (0, 1, 2, 7, 8, 9, 10))
    assert pain_trend(Timeline(SURGERY, days=days), SURGERY + timedelta(13)) is None


def test_the_demo_low_adherence_patient_raises_p9_and_the_others_do_not(demo_data):
    rules = {}
    for email in ("adherence@example.com", "patient@example.com"):
        patient = Patient.objects.get(user__email=email)
        findings = evaluate(patient_timeline(patient), patient.local_date())
        rules[email] = {finding.rule_id for finding in findings}
    assert "P9-ADHERENCE" in rules["adherence@example.com"]
    assert "P9-ADHERENCE" not in rules["patient@example.com"]
    assert ExerciseLog.objects.filter(checkin__patient__user__email="patient@example.com").exists()
