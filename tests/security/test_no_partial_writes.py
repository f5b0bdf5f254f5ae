"""A failure mid-way through a check-in (after the check-in row, its exercise logs and its
revision, before the flags) leaves the database exactly as it was."""

from __future__ import annotations

from unittest import mock

import pytest

from tests.programme_data import clinic_exercise_by
from tests.security.world import checkin_answers, database_snapshot
from tracker.checkins.recording import record_checkin
from tracker.models import CheckIn, CheckInRevision, ExerciseLog, Flag
from tracker.programmes.changes import add_item, library_values, programme_for_editing


@pytest.fixture
def prescribed(patient, physio):
    exercise = clinic_exercise_by(physio)
    dose = library_values(exercise) | {"start_week": 0, "end_week": None}
    return add_item(programme_for_editing(patient, physio), exercise, dose, physio)


def answers_with_exercise(item, done: int, **overrides):
    answers = checkin_answers(**overrides)
    answers["exercises"] = {str(item.public_id): {"done": done, "pain": 3, "too_hard": True}}
    return answers


def fail_before_the_flags():
    return mock.patch("tracker.flags.engine.record_findings", side_effect=RuntimeError("disk full"))


def test_a_first_checkin_that_fails_leaves_nothing(patient, prescribed):
    before = database_snapshot()
    with fail_before_the_flags(), pytest.raises(RuntimeError):
        record_checkin(
            patient,
            patient.local_date(),
            answers_with_exercise(prescribed, 1, safety_bladder_change="yes"),
            by=patient.user,
        )
    assert database_snapshot() == before
    assert not CheckIn.objects.exists() and not ExerciseLog.objects.exists()


def test_a_failed_update_keeps_the_earlier_checkin_logs_and_revisions(patient, prescribed):
    day = patient.local_date()
    record_checkin(patient, day, answers_with_exercise(prescribed, 0), by=patient.user)
    before = database_snapshot()
    with fail_before_the_flags(), pytest.raises(RuntimeError):
        record_checkin(
            patient,
            day,
            answers_with_exercise(prescribed, 1, back_pain="9", safety_bladder_change="yes"),
            by=patient.user,
        )
    assert database_snapshot() == before
    checkin = CheckIn.objects.get()
    assert checkin.back_pain == 3
    assert ExerciseLog.objects.get().sessions_done == 0
    assert CheckInRevision.objects.count() == 1
    assert not Flag.objects.exists()


def test_the_failure_is_really_after_the_checkin_row(patient, prescribed):
    """The injected failure happens once the rows were written, inside the transaction."""
    seen = {}

    def look_then_fail(*args, **kwargs):
        seen["checkins"] = CheckIn.objects.count()
        seen["logs"] = ExerciseLog.objects.count()
        seen["revisions"] = CheckInRevision.objects.count()
        raise RuntimeError("disk full")

    with (
        mock.patch("tracker.flags.engine.record_findings", side_effect=look_then_fail),
        pytest.raises(RuntimeError),
    ):
        record_checkin(
            patient,
            patient.local_date(),
            answers_with_exercise(prescribed, 1, safety_bladder_change="yes"),
            by=patient.user,
        )
    assert seen == {"checkins": 1, "logs": 1, "revisions": 1}
