"""After a flag is resolved, a rule whose window reaches back before the resolution still opens
a new flag, with its e-mail, when its newest evidence is dated after it (§4 lifecycle)."""

from datetime import timedelta

import pytest

from tests.conftest import make_patient
from tests.flags.test_flag_engine import answers
from tracker.checkins.recording import record_checkin
from tracker.flags.engine import evaluate_patient
from tracker.models import Flag, FlagStatus, Notification


@pytest.fixture
def day7_patient(clinic, surgeon, physio):
    return make_patient("seven@example.test", clinic, surgery_days_ago=7, team=[surgeon, physio])


def record(patient, days_ago, **overrides):
    day = patient.local_date() - timedelta(days=days_ago)
    return record_checkin(patient, day, answers(**overrides), by=None)


def resolve_only_flag(patient, rule_id, surgeon):
    flag = Flag.objects.get(patient=patient, rule_id=rule_id)
    assert flag.resolve(surgeon, "Assessed.")
    return flag


def assert_opened_again(patient, rule_id, first):
    again = Flag.objects.get(patient=patient, rule_id=rule_id, status=FlagStatus.OPEN)
    assert again.pk != first.pk
    return again


def test_hematoma_reopens_the_next_day(day7_patient, surgeon):
    for days_ago in (4, 3, 2):
        record(day7_patient, days_ago, back_pain="3")
    record(day7_patient, 1, back_pain="9", safety_new_leg_weakness="yes")
    first = resolve_only_flag(day7_patient, "RF-HEMATOMA", surgeon)
    record(day7_patient, 0, back_pain="9", safety_new_leg_weakness="yes")
    again = Flag.objects.get(patient=day7_patient, rule_id="RF-HEMATOMA", status=FlagStatus.OPEN)
    assert again.pk != first.pk and again.level == "emergency"
    assert Notification.objects.filter(flag=again, kind="immediate").exists()


def test_uncontrolled_pain_reopens_on_the_next_high_day(day7_patient, surgeon):
    record(day7_patient, 2, back_pain="9", took_other_painkillers="yes")
    record(day7_patient, 1, back_pain="9", took_other_painkillers="yes")
    first = resolve_only_flag(day7_patient, "RF-PAIN-UNCONTROLLED", surgeon)
    record(day7_patient, 0, back_pain="9", took_other_painkillers="yes")
    again = assert_opened_again(day7_patient, "RF-PAIN-UNCONTROLLED", first)
    # its two days: one before the resolution, one after
    assert min(e["date"] for e in again.evidence) < day7_patient.local_date().isoformat()
    assert Notification.objects.filter(flag=again, kind="immediate").exists()


def test_prolonged_opioid_use_reopens_when_opioids_go_on(clinic, surgeon, physio):
    patient = make_patient("opioid@example.test", clinic, surgery_days_ago=100, team=[surgeon])
    for days_ago in range(10, 0, -1):
        record(patient, days_ago, opioid_doses="2")
    first = resolve_only_flag(patient, "P10-OPIOID-PROLONGED", surgeon)
    record(patient, 0, opioid_doses="2")
    evaluate_patient(patient, patient.local_date())
    again = assert_opened_again(patient, "P10-OPIOID-PROLONGED", first)
    assert again.evidence[0]["from"] < again.evidence[0]["date"]


def test_an_unchanged_window_does_not_reopen(clinic, surgeon):
    patient = make_patient("quiet@example.test", clinic, surgery_days_ago=100, team=[surgeon])
    for days_ago in range(10, 0, -1):
        record(patient, days_ago, opioid_doses="2")
    resolve_only_flag(patient, "P10-OPIOID-PROLONGED", surgeon)
    record(patient, 0, opioid_doses="0")
    evaluate_patient(patient, patient.local_date())
    assert not Flag.objects.filter(
        patient=patient, rule_id="P10-OPIOID-PROLONGED", status=FlagStatus.OPEN
    ).exists()
