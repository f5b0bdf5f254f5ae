"""Arbitrary histories through the real recording path: evaluation never raises, and running
it again changes nothing."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.checkins.recording import record_checkin
from tracker.flags.engine import evaluate_patient
from tracker.models import Flag, Patient
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES

pain = st.one_of(st.none(), st.integers(min_value=0, max_value=10))
day_answers = st.fixed_dictionaries(
    {
        "back_pain": pain,
        "leg_pain": pain,
        "leg_side": st.sampled_from(["", "none", "left", "right", "both"]),
        "symptoms": st.dictionaries(
            st.sampled_from(
                ["radiating_pain", "numbness_tingling", "constipation", "leg_weakness"]
            ),
            st.sampled_from(["", "left", "both"]),
            max_size=2,
        ),
        "safety": st.dictionaries(
            st.sampled_from(sorted(SAFETY_ANSWER_CODES)), st.booleans(), max_size=3
        ),
        "temperature_c": st.none(),
        "walking_minutes": st.one_of(st.none(), st.integers(min_value=0, max_value=600)),
        "opioid_doses": st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
        "took_other_painkillers": st.one_of(st.none(), st.booleans()),
        "took_nerve_pain_medicine": st.none(),
        "sleep_disturbance": pain,
        "note": st.just(""),
    }
)
histories = st.dictionaries(st.integers(min_value=0, max_value=120), day_answers, max_size=12)


@given(history=histories, offset=st.integers(min_value=0, max_value=200))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_evaluation_is_safe_and_idempotent(patient, history, offset):
    Flag.objects.all().delete()
    patient.checkins.all().delete()
    fresh = Patient.objects.get(pk=patient.pk)
    for n in sorted(history):
        record_checkin(
            fresh, fresh.surgery_date + timedelta(days=n), history[n], by=None, notify=False
        )
    as_of = fresh.surgery_date + timedelta(days=offset)
    evaluate_patient(fresh, as_of, include_time_rules=True, notify=False)
    first = sorted(Flag.objects.values_list("rule_id", "level", "status", "evidence"))
    evaluate_patient(fresh, as_of, include_time_rules=True, notify=False)
    assert sorted(Flag.objects.values_list("rule_id", "level", "status", "evidence")) == first
    assert (
        Flag.objects.filter(status="open").values("rule_id").distinct().count()
        == Flag.objects.filter(status="open").count()
    )
