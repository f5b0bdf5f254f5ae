"""Each patient's caseload summary always equals a full recomputation from their history.

The oracle (`recomputed`) reads the patient's whole timeline and the flag table and computes
every figure with `tracker.trends.series`, without the summary code.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_flag, make_patient
from tests.programme_data import prescribe
from tracker.care.erasure import erase, request_erasure
from tracker.care.questions import ask
from tracker.care.summary import refresh_stale_summaries, refresh_summaries, stale
from tracker.checkins import recording
from tracker.checkins.recording import record_checkin
from tracker.models import ACTIVE_STATUSES, CheckIn, Flag, Patient, PatientSummary
from tracker.models.timelines import patient_timeline
from tracker.trends.series import adherence_between, last_checkin, pain_trend, value_on

FLAG_FIELDS = ("emergency_flags", "urgent_flags", "soon_flags", "review_flags")


def recomputed(patient: Patient) -> dict:
    """Every figure of the summary, from the whole history, as of the patient's today."""
    today = patient.local_date()
    timeline = patient_timeline(patient)
    adherence = adherence_between(timeline, today - timedelta(days=13), today)  # P9: 2 weeks
    days = [today - timedelta(days=n) for n in range(13, -1, -1)]
    levels = Counter(
        Flag.objects.filter(patient=patient, status__in=ACTIVE_STATUSES).values_list(
            "level", flat=True
        )
    )
    return {
        "computed_for": today,
        "last_checkin": last_checkin(timeline, today),
        "pain_trend": pain_trend(timeline, today) or "",
        "adherence_done": adherence.done,
        "adherence_prescribed": adherence.prescribed,
        "adherence_percent": adherence.percent,
        "back_pain_days": [value_on(timeline, day, "back_pain") for day in days],
        "leg_pain_days": [value_on(timeline, day, "leg_pain") for day in days],
        "open_flags": sum(levels.values()),
        **{name: levels[name.removesuffix("_flags")] for name in FLAG_FIELDS},
    }


def stored(patient: Patient) -> dict:
    summary = PatientSummary.objects.get(patient=patient)
    return {name: getattr(summary, name) for name in recomputed(patient)}


def answers(back=None, leg=None, done=None, item=None, safety=None) -> dict:
    values = dict.fromkeys(CheckIn.ANSWER_FIELDS)
    values.update(back_pain=back, leg_pain=leg, safety=safety or {}, symptoms={})
    if item is not None:
        values["exercises"] = {str(item.public_id): {"done": done}}
    return values


# One step of a patient's and their care team's life.
pain = st.one_of(st.none(), st.integers(min_value=0, max_value=10))
save = st.tuples(
    st.just("save"),
    st.integers(min_value=0, max_value=20),  # days before today (an edit when already saved)
    pain,
    pain,
    st.one_of(st.none(), st.integers(min_value=0, max_value=3)),  # sessions done
)
steps = st.lists(
    st.one_of(
        save,
        st.tuples(st.just("urgent answer"), st.integers(min_value=0, max_value=3)),
        st.tuples(st.just("question")),
        st.tuples(st.just("acknowledge")),
        st.tuples(st.just("resolve")),
        st.tuples(st.just("days pass"), st.integers(min_value=1, max_value=9)),
    ),
    min_size=1,
    max_size=14,
)


@given(steps=steps)
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_summary_equals_a_full_recomputation_after_every_step(patient, physio, steps):
    Flag.objects.filter(patient=patient).delete()
    CheckIn.objects.filter(patient=patient).delete()
    PatientSummary.objects.filter(patient=patient).delete()
    # The fixture's patient lives through every example: prescribe once.
    item = getattr(patient, "walking", None) or prescribe(patient, physio, "walking")
    patient.walking = item
    with time_machine.travel(patient.user.date_joined, tick=False) as clock:
        fresh = Patient.objects.select_related("user").get(pk=patient.pk)
        record_checkin(fresh, fresh.local_date(), answers(3, 4, 1, item), by=None, notify=False)
        for step in steps:
            kind = step[0]
            today = fresh.local_date()
            if kind == "save":
                _, days_ago, back, leg, done = step
                day = max(today - timedelta(days=days_ago), fresh.surgery_date)
                record_checkin(fresh, day, answers(back, leg, done, item), by=None, notify=False)
            elif kind == "urgent answer":
                day = today - timedelta(days=step[1])
                safety = {"calf_pain_swelling": True}
                record_checkin(fresh, day, answers(5, 5, safety=safety), by=None, notify=False)
            elif kind == "question":
                ask(fresh, "May I drive yet?")
            elif kind in ("acknowledge", "resolve"):
                flag = Flag.objects.filter(patient=fresh, status__in=ACTIVE_STATUSES).first()
                if flag is not None and kind == "acknowledge":
                    flag.acknowledge(physio)
                elif flag is not None:
                    flag.resolve(physio, "Called the patient.")
            else:
                clock.shift(timedelta(days=step[1]))
                # A row computed for a day now over is found out of date, and recomputed.
                assert stale(Patient.objects.filter(pk=fresh.pk)).exists()
                assert refresh_stale_summaries(Patient.objects.filter(pk=fresh.pk)) == 1
            assert stored(fresh) == recomputed(fresh), step


def test_acknowledging_changes_no_figure_and_resolving_lowers_the_count(patient, physio):
    record_checkin(patient, patient.local_date(), answers(4, 2), by=None, notify=False)
    flag = make_flag(patient, "P7-SUSTAINED-HIGH", "soon")
    ask(patient, "Can I swim?")
    summary = PatientSummary.objects.get(patient=patient)
    assert (summary.open_flags, summary.soon_flags, summary.review_flags) == (2, 1, 1)
    flag.acknowledge(physio)
    assert stored(patient) == recomputed(patient)
    assert PatientSummary.objects.get(patient=patient).open_flags == 2
    flag.resolve(physio, "Reviewed in clinic.")
    summary = PatientSummary.objects.get(patient=patient)
    assert (summary.open_flags, summary.soon_flags, summary.review_flags) == (1, 0, 1)


def test_a_failed_save_leaves_neither_the_check_in_nor_its_summary(patient, monkeypatch):
    today = patient.local_date()
    record_checkin(patient, today - timedelta(days=1), answers(2, 2), by=None, notify=False)
    before = stored(patient)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    # Fails after the summary was written, still inside the save's transaction.
    monkeypatch.setattr(recording, "findings_dated", fail)
    with pytest.raises(RuntimeError):
        record_checkin(patient, today, answers(9, 9), by=None, notify=False)
    assert not CheckIn.objects.filter(patient=patient, day=today).exists()
    assert stored(patient) == before
    assert before["back_pain_days"][-1] is None


def test_a_summary_that_cannot_be_written_fails_the_save(patient, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("no room left")

    monkeypatch.setattr(recording, "write_summaries", fail)
    with pytest.raises(RuntimeError):
        record_checkin(patient, patient.local_date(), answers(9, 9), by=None, notify=False)
    assert not CheckIn.objects.filter(patient=patient).exists()
    assert not PatientSummary.objects.filter(patient=patient).exists()


def test_a_row_computed_as_of_another_day_is_out_of_date_at_once(patient):
    CheckIn.objects.create(patient=patient, day=patient.local_date(), back_pain=6)
    refresh_summaries([patient], patient.local_date() - timedelta(days=1))
    summary = PatientSummary.objects.get(patient=patient)
    assert summary.last_checkin is None and summary.back_pain_days[-1] is None
    assert stale(Patient.objects.filter(pk=patient.pk)).exists()
    refresh_stale_summaries(Patient.objects.filter(pk=patient.pk))
    assert stored(patient) == recomputed(patient)
    assert not stale(Patient.objects.filter(pk=patient.pk)).exists()


def test_a_row_stays_current_until_the_patients_own_midnight(clinic):
    # 23:30 in Auckland is still the same day there; at 00:30 the next has begun.
    patient = make_patient("kiwi@clinic.test", clinic, time_zone="Pacific/Auckland")
    with time_machine.travel("2026-06-01 11:30:00+00:00", tick=False) as clock:  # 23:30 NZST
        refresh_summaries([patient])
        only = Patient.objects.filter(pk=patient.pk)
        assert not stale(only).exists()
        clock.shift(timedelta(hours=1))
        assert stale(only).exists()


def refresh_queries(patients) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert refresh_summaries(Patient.objects.filter(pk__in=[p.pk for p in patients])) == len(
            patients
        )
    return len(queries)


def test_the_nightly_refresh_costs_the_same_for_2_or_12_patients(clinic):
    groups = []
    for label, size in (("few", 2), ("more", 12)):
        group = [make_patient(f"{label}{n}@clinic.test", clinic) for n in range(size)]
        for n, patient in enumerate(group):
            for days_ago in range(0, 40, 1 + n % 3):
                day = patient.local_date() - timedelta(days=days_ago)
                CheckIn.objects.create(patient=patient, day=day, back_pain=n % 11)
        groups.append(group)
    assert refresh_queries(groups[0]) == refresh_queries(groups[1])
    assert all(stored(p) == recomputed(p) for group in groups for p in group)


def test_refreshing_touches_only_the_patients_asked_for(patient, other_patient):
    refresh_stale_summaries(Patient.objects.filter(pk=patient.pk))
    assert PatientSummary.objects.filter(patient=patient).exists()
    assert not PatientSummary.objects.filter(patient=other_patient).exists()


def test_erasure_takes_the_summary_with_the_patient(patient, clinic_admin):
    record_checkin(patient, patient.local_date(), answers(4, 2), by=None, notify=False)
    assert PatientSummary.objects.filter(patient=patient).exists()
    erase(request_erasure(patient), clinic_admin)
    assert not PatientSummary.objects.filter(patient_id=patient.pk).exists()


def test_the_command_recomputes_every_summary(patient, other_patient, capsys):
    CheckIn.objects.create(patient=patient, day=patient.local_date(), back_pain=7)
    call_command("refresh_summaries")
    assert "Recomputed 2 patient summary(ies)." in capsys.readouterr().out
    assert stored(patient) == recomputed(patient)
    assert PatientSummary.objects.filter(patient=other_patient).exists()


def test_the_migration_fills_a_summary_for_every_patient_already_enrolled(
    patient, other_patient, physio
):
    item = prescribe(patient, physio, "walking")
    for days_ago, back in ((0, 6), (1, 5), (9, 2)):
        day = patient.local_date() - timedelta(days=days_ago)
        record_checkin(patient, day, answers(back, 1, 1, item), by=None, notify=False)
    make_flag(other_patient, "RF-FEVER", "urgent")
    PatientSummary.objects.all().delete()
    migration = import_module("tracker.migrations.0010_patient_summaries")
    migration.fill_summaries(apps, None)
    assert stored(patient) == recomputed(patient)
    assert stored(other_patient) == recomputed(other_patient)
