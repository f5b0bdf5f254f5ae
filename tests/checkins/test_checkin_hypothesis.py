"""Arbitrary input to the check-in form and view: never a server error, never a bad value stored."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.checkin_data import checkin_post
from tracker.checkins.forms import CheckInForm
from tracker.models import CheckIn

FIELDS = [
    "back_pain",
    "leg_pain",
    "leg_side",
    "temperature_c",
    "walking_minutes",
    "opioid_doses",
    "sleep_disturbance",
    "note",
    "took_other_painkillers",
    "safety_feverish",
    "safety_bladder_change",
    "symptom_radiating_pain",
    "symptom_radiating_pain_side",
    "submission_id",
]
values = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["", "yes", "no", "on", "left", "both", "none", "38.5", "NaN", "1e400", "\x00"]
    ),
)
submissions = st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS))


@given(data=submissions)
@settings(max_examples=300, deadline=None)
def test_form_never_raises_and_cleans_to_valid_ranges(data):
    form = CheckInForm({**checkin_post(), **data})
    if form.is_valid():
        answers = form.cleaned_data["answers"]
        for name in ("back_pain", "leg_pain", "sleep_disturbance"):
            assert answers[name] is None or 0 <= answers[name] <= 10
        assert answers["temperature_c"] is None or 34 <= answers["temperature_c"] <= 43


@given(data=submissions)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_view_never_errors_and_stores_only_valid_values(patient_client, patient, settings, data):
    # The examples share one patient: the check-in rate limit (tests/auth/test_rate_limits.py)
    # would refuse most of them, and this test is about the form, not the limit.
    settings.RATE_LIMITS = {"checkin": {"per_user": 10_000, "per_address": 10_000}}
    response = patient_client.post("/me/check-in/", {**checkin_post(), **data})
    assert response.status_code in (200, 400)
    for checkin in CheckIn.objects.filter(patient=patient):
        checkin.full_clean()
