"""Each patient's kept outcome values (tracker.models.outcome_points) always say what their
check-ins and questionnaires say: after saves, edits of a past day and questionnaire answers
they equal a recomputation, and a change made any other way is counted all the same."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_patient
from tests.outcomes.cohort_data import leg, peg
from tracker.checkins.questionnaire_responses import record_response
from tracker.checkins.recording import record_checkin
from tracker.models import CheckIn, DuePointAnswers, OutcomePoints, Patient, QuestionnaireResponse
from tracker.models import outcome_points as kept
from tracker.models.checkins import Source
from tracker.outcomes.completeness import checkins_by_week, questionnaire_completion, silent_now
from tracker.outcomes.improvement import MEASURES, measure_outcomes, time_points
from tracker.questionnaires.definitions import default_schedules
from tracker.rules import Thresholds
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES

pytestmark = pytest.mark.django_db

LEG, BACK, PEG, ODI = MEASURES
THRESHOLDS = Thresholds()
SIX_WEEKS, TWELVE_WEEKS = time_points(THRESHOLDS)[:2]


def answers(leg_pain, back_pain=3, **changes):
    values = {
        "back_pain": back_pain,
        "leg_pain": leg_pain,
        "leg_side": "left" if leg_pain else "none",
        "symptoms": {},
        "safety": dict.fromkeys(SAFETY_ANSWER_CODES, False),
        "temperature_c": None,
        "walking_minutes": 20,
        "opioid_doses": 0,
        "took_other_painkillers": False,
        "took_nerve_pain_medicine": False,
        "sleep_disturbance": 2,
        "note": "",
    }
    values.update(changes)
    return values


def checked_in(patient, day_number, leg_pain, back_pain=3, **changes):
    day = patient.surgery_date + timedelta(days=day_number)
    return record_checkin(
        patient,
        day,
        answers(leg_pain, back_pain, **changes),
        by=patient.user,
        source=Source.IMPORT,
        notify=False,
    )


def pegged(patient, day_number, value):
    record_response(
        patient,
        "peg",
        patient.surgery_date + timedelta(days=day_number),
        {"peg-pain": value, "peg-enjoyment": value, "peg-activity": value},
        by=None,
        notify=False,
    )


def kept_row(patient) -> dict:
    row = OutcomePoints.objects.filter(patient=patient).values().get()
    row.pop("computed_at")
    return row


def recomputed_row(patient) -> dict:
    OutcomePoints.objects.filter(patient=patient).delete()
    kept.refresh_points(Patient.objects.filter(pk=patient.pk), THRESHOLDS)
    return kept_row(patient)


def cell(patients, measure, point, thresholds=THRESHOLDS):
    result = measure_outcomes(patients, measure, timezone.localdate(), thresholds)
    return result[time_points(thresholds).index(point)]


def test_saves_edits_and_answers_keep_the_row_equal_to_a_recomputation(clinic):
    patient = make_patient("kept@example.org", clinic, surgery_days_ago=100)
    Patient.objects.filter(pk=patient.pk).update(baseline_leg_pain=None, baseline_back_pain=6)
    patient.refresh_from_db()
    for day_number in (2, 3, 5):
        checked_in(patient, day_number, leg_pain=8)
    for day_number in range(39, 46):
        checked_in(patient, day_number, leg_pain=4)
    pegged(patient, 3, 7)
    pegged(patient, 84, 3)
    # Every save wrote the row in its own transaction: the figures find nothing to write.
    assert not kept.stale_points(Patient.objects.all(), THRESHOLDS).exists()
    assert not kept.stale_due_points(Patient.objects.all(), default_schedules()).exists()
    row = kept_row(patient)
    assert (row["leg_pain_baseline"], row["leg_pain_6w"], row["leg_pain_6w_days"]) == (8, 4, 7)
    assert (row["back_pain_baseline"], row["peg_baseline"], row["peg_12w"]) == (6, 7, 3)
    assert row == recomputed_row(patient)

    checked_in(patient, 40, leg_pain=0)  # a past day corrected
    checked_in(patient, 3, leg_pain=2)  # and a baseline day
    pegged(patient, 84, 5)  # the 12-week PEG answered again
    row = kept_row(patient)
    assert row["leg_pain_6w"] == pytest.approx(24 / 7)
    assert row["leg_pain_baseline"] == pytest.approx(6)  # mean of 8, 2 and 8
    assert row["peg_12w"] == 5
    assert row == recomputed_row(patient)
    assert kept_row(patient)["week_5_days"] == 3  # days 39, 40 and 41 (days 35-41)


def test_each_week_and_the_last_check_in_come_from_the_saves(clinic):
    patient = make_patient("weeks@example.org", clinic, surgery_days_ago=20)
    Patient.objects.filter(pk=patient.pk).update(enrolled_at=timezone.now() - timedelta(days=20))
    for day_number in (0, 1, 6, 7, 12):
        checked_in(patient, day_number, leg_pain=3)
    weeks = checkins_by_week(Patient.objects.all(), timezone.localdate())
    assert [(w.week, w.patients, w.checkin_days) for w in weeks] == [(0, 1, 3), (1, 1, 2)]
    # Last check-in on day 12 of 20: 7 days missed, past the early threshold of 3.
    assert silent_now(Patient.objects.all(), timezone.localdate(), THRESHOLDS).silent == 1
    checked_in(patient, 19, leg_pain=3)
    assert silent_now(Patient.objects.all(), timezone.localdate(), THRESHOLDS).silent == 0


def test_a_change_made_outside_the_recording_path_is_counted(clinic, cohort):
    assert cell(cohort, LEG, SIX_WEEKS).improved == 2  # p1 and p3 of 3
    p2 = cohort.get(user__email="p2@example.org")
    p1 = cohort.get(user__email="p1@example.org")

    # A bulk update of p2's 6-week days (as a data fix would be): the trigger clears the row.
    CheckIn.objects.filter(patient=p2, day__gte=p2.surgery_date + timedelta(days=39)).update(
        leg_pain=1
    )
    assert not OutcomePoints.objects.filter(patient=p2).exists()
    assert cell(cohort, LEG, SIX_WEEKS).improved == 3  # 7 → 1

    # The surgeon corrects p1's pre-operative leg pain from 8 to 5: 5 → 4 is 1 point, 20 %.
    Patient.objects.filter(pk=p1.pk).update(baseline_leg_pain=5)
    assert cell(cohort, LEG, SIX_WEEKS).improved == 2

    # Rows written in bulk (an import) and a deleted response count too.
    CheckIn.objects.filter(patient=p1).delete()
    CheckIn.objects.bulk_create(
        CheckIn(patient=p1, day=p1.surgery_date + timedelta(days=n), leg_pain=0)
        for n in range(39, 46)
    )
    assert cell(cohort, LEG, SIX_WEEKS).improved == 3
    assert cell(cohort, PEG, TWELVE_WEEKS).with_data == 2
    QuestionnaireResponse.objects.filter(patient=p1).delete()
    assert cell(cohort, PEG, TWELVE_WEEKS).with_data == 1


def test_a_clinic_with_other_windows_is_counted_with_its_own(cohort):
    # P4's window of ± 7 days lowered to ± 3: p1's day 80 and p2's days 77 and 88 fall out.
    narrower = Thresholds.from_overrides({"function_tolerance_days": 3})
    narrow_point = time_points(narrower)[1]
    assert cell(cohort, PEG, TWELVE_WEEKS).with_data == 2
    assert cell(cohort, PEG, narrow_point, narrower).with_data == 0
    assert set(OutcomePoints.objects.values_list("basis", flat=True)) == {
        kept.basis_of(kept.point_windows(narrower))
    }
    assert cell(cohort, PEG, TWELVE_WEEKS).with_data == 2


def test_a_failure_to_write_the_row_never_costs_the_check_in(clinic, monkeypatch):
    patient = make_patient("safe@example.org", clinic, surgery_days_ago=50)
    Patient.objects.filter(pk=patient.pk).update(baseline_leg_pain=8)
    patient.refresh_from_db()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(kept, "_refresh_patient_points", broken)
    for day_number in range(39, 46):
        result = checked_in(patient, day_number, leg_pain=2)
        assert result.created
    assert CheckIn.objects.filter(patient=patient).count() == 7
    assert not OutcomePoints.objects.filter(patient=patient).exists()

    monkeypatch.undo()
    outcome = cell(Patient.objects.all(), LEG, SIX_WEEKS)
    assert (outcome.with_data, outcome.improved) == (1, 1)  # counted once written


def test_due_points_answered_are_kept_per_questionnaire(clinic):
    patient = make_patient("due@example.org", clinic, surgery_days_ago=30)
    enrolled = timezone.now() - timedelta(days=30)  # enrolled on the day of surgery
    Patient.objects.filter(pk=patient.pk).update(enrolled_at=enrolled)
    pegged(patient, 1, 5)
    pegged(patient, 15, 4)
    schedule = default_schedules()["peg"]
    stored = DuePointAnswers.objects.get(patient=patient, instrument="peg")
    assert stored.answered == 0b101  # weeks 0 and 2 of the year's 53
    assert stored.windows == kept.windows_key(kept.due_windows(schedule), ["peg"])
    rows = questionnaire_completion(
        Patient.objects.all(), timezone.localdate(), {"peg": schedule}, {}
    )
    assert [(r.first_day, r.patients, r.completed) for r in rows] == [
        (0, 1, 1),
        (7, 1, 0),
        (14, 1, 1),
        (21, 1, 0),
    ]


def test_patients_without_data_have_a_row_with_nothing_in_it(clinic):
    patient = make_patient("empty@example.org", clinic, surgery_days_ago=400)
    leg(patient)
    peg(patient)
    outcome = cell(Patient.objects.all(), LEG, SIX_WEEKS)
    assert (outcome.eligible, outcome.with_data) == (1, 0)
    row = kept_row(patient)
    assert row["leg_pain_6w"] is None and row["leg_pain_6w_days"] == 0
    assert row["first_checkin"] is None and row["week_0_days"] == 0


def test_the_nightly_run_writes_every_row_again(clinic, cohort):
    from io import StringIO

    from django.core.management import call_command

    p1 = cohort.get(user__email="p1@example.org")
    assert cell(cohort, LEG, SIX_WEEKS).improved == 2  # every row written
    # One row gone wrong (as two saves of one patient at the same instant could leave it) and
    # the others missing (as after rows written in bulk).
    OutcomePoints.objects.filter(patient=p1).update(leg_pain_6w=8)
    OutcomePoints.objects.exclude(patient=p1).delete()
    out = StringIO()
    call_command("update_recovery_bands", stdout=out)
    assert "Outcome values written for 5 patient(s)." in out.getvalue()
    assert kept_row(p1)["leg_pain_6w"] == 4
    assert not kept.stale_points(cohort, THRESHOLDS).exists()
    assert not kept.stale_due_points(cohort, default_schedules()).exists()


def test_the_triggers_are_in_place_after_every_migration():
    """SQLite rebuilds a table to alter it, and the rebuilt table has no triggers: a later
    migration of check-ins, questionnaire responses or patients must create them again."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    expected = {
        "sqlite": {
            f"{table}_outcome_values_{event}"
            for table in ("tracker_checkin", "tracker_questionnaireresponse")
            for event in ("insert", "delete", "update")
        },
        "postgresql": {
            f"{table}_outcome_values_{event}"
            for table in ("tracker_checkin", "tracker_questionnaireresponse")
            for event in ("write", "update")
        },
    }[connection.vendor] | {"tracker_patient_outcome_values_update"}
    assert expected <= names
