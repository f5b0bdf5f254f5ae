"""Simultaneous writes on PostgreSQL (SQLite serialises writers and ignores row locks, so
these run only there): check-ins of the same patient and day, and acknowledgements of the
same flag, each thread on its own database connection."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.programme_data import clinic_exercise_by
from tests.security.world import checkin_answers
from tracker.checkins.recording import record_checkin
from tracker.models import CheckIn, CheckInRevision, ExerciseLog, Flag, FlagStatus, Patient, User
from tracker.programmes.changes import add_item, library_values, programme_for_editing

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]
THREADS = 20


def all_at_once(work, count: int) -> list:
    """Run work(i) for i in range(count) in threads released together."""
    start = threading.Barrier(count)

    def run(index):
        try:
            start.wait()
            return work(index)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_simultaneous_checkins_keep_one_and_lose_nothing(patient, physio):
    exercise = clinic_exercise_by(physio)
    dose = library_values(exercise) | {"start_week": 0, "end_week": None}
    items = [add_item(programme_for_editing(patient, physio), exercise, dose, physio)]
    items.append(add_item(programme_for_editing(patient, physio), exercise, dose, physio))
    day = patient.local_date()

    def submit(index):
        answers = checkin_answers(back_pain=str(index % 11), note=f"submission {index}")
        answers["exercises"] = {
            str(item.public_id): {"done": index % 2, "pain": index % 11, "too_hard": False}
            for item in items
        }
        me = Patient.objects.get(pk=patient.pk)
        record_checkin(me, day, answers, by=me.user, submission_id=uuid.uuid4())
        return index

    assert sorted(all_at_once(submit, THREADS)) == list(range(THREADS))

    checkin = CheckIn.objects.get(patient=patient, day=day)
    revisions = list(CheckInRevision.objects.filter(checkin=checkin).order_by("id"))
    assert len(revisions) == THREADS
    # Each submission saw the one before it: no update was lost on the way.
    assert revisions[0].before == {}
    for earlier, later in zip(revisions, revisions[1:], strict=False):
        assert later.before == earlier.after
    # The check-in holds the last complete submission, exercise logs included.
    last = revisions[-1].after
    assert checkin.answers() == last
    index = int(checkin.note.removeprefix("submission "))
    logs = ExerciseLog.objects.filter(checkin=checkin)
    assert sorted(log.item_id for log in logs) == sorted(item.pk for item in items)
    assert {(log.sessions_done > 0, log.pain_during) for log in logs} == {
        (index % 2 == 1, index % 11)
    }


def test_two_staff_acknowledging_at_once_make_one_acknowledgement(patient, surgeon, physio):
    record_checkin(
        patient,
        patient.local_date(),
        checkin_answers(safety_calf_pain_swelling="yes"),
        by=patient.user,
    )
    flag = Flag.objects.get(patient=patient)
    staff = [surgeon, physio]

    def acknowledge(index):
        return Flag.objects.get(pk=flag.pk).acknowledge(User.objects.get(pk=staff[index].pk))

    results = all_at_once(acknowledge, 2)
    assert sorted(results) == [False, True]
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACKNOWLEDGED
    assert flag.acknowledged_by == staff[results.index(True)]
