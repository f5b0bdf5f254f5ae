"""Meaningful improvement at each time point, against a small cohort worked out by hand."""

import pytest
from django.utils import timezone

from tests.factories import make_patient
from tests.outcomes.cohort_data import leg
from tracker.models import Patient
from tracker.outcomes.improvement import MEASURES, by_surgeon, measure_outcomes, time_points
from tracker.outcomes.statistics import wilson_interval
from tracker.rules import Thresholds

pytestmark = pytest.mark.django_db

LEG, BACK, PEG, ODI = MEASURES
THRESHOLDS = Thresholds()
SIX_WEEKS, TWELVE_WEEKS, SIX_MONTHS, ONE_YEAR = time_points(THRESHOLDS)


def outcome(patients, measure, point, today, thresholds):
    """One cell of the table."""
    return measure_outcomes(patients, measure, today, thresholds)[
        time_points(thresholds).index(point)
    ]


def test_leg_pain_at_six_weeks(cohort):
    result = outcome(cohort, LEG, SIX_WEEKS, timezone.localdate(), THRESHOLDS)
    assert (result.eligible, result.with_data, result.improved) == (4, 3, 2)
    assert result.median_change == pytest.approx(1.5)  # changes 4, 1 and 1.5
    assert result.share == pytest.approx(2 / 3)
    assert result.interval == pytest.approx(wilson_interval(2, 3))


def test_peg_at_twelve_weeks_takes_the_closest_score_in_the_window(cohort):
    result = outcome(cohort, PEG, TWELVE_WEEKS, timezone.localdate(), THRESHOLDS)
    assert (result.eligible, result.with_data, result.improved) == (4, 2, 2)
    assert result.median_change == pytest.approx(3)


def test_nobody_is_eligible_before_the_time_point_has_passed(cohort):
    result = outcome(cohort, LEG, SIX_MONTHS, timezone.localdate(), THRESHOLDS)
    assert (result.eligible, result.with_data, result.improved) == (0, 0, 0)
    assert (result.share, result.interval, result.median_change) == (None, None, None)


def test_a_clinic_threshold_changes_who_counts_as_improved(cohort):
    stricter = Thresholds.from_overrides({"mcid_pain_percent": 40})
    result = outcome(cohort, LEG, SIX_WEEKS, timezone.localdate(), stricter)
    assert result.improved == 1  # p3's 30 % no longer reaches; p1's 4 points still do


def test_surgeons_for_the_funnel_plot(cohort):
    shares = by_surgeon(cohort, LEG, SIX_WEEKS, timezone.localdate(), THRESHOLDS)
    assert [(unit.name, unit.with_data, unit.improved) for unit in shares] == [
        ("Ann First", 2, 1),
        ("Bo Second", 1, 1),
    ]


def test_one_patient_cohort(clinic):
    patient = make_patient("only@example.org", clinic, surgery_days_ago=60)
    Patient.objects.filter(pk=patient.pk).update(baseline_leg_pain=5)
    leg(patient, **{f"d{day}": 5 for day in range(39, 46)})
    result = outcome(Patient.objects.all(), LEG, SIX_WEEKS, timezone.localdate(), THRESHOLDS)
    assert (result.eligible, result.with_data, result.improved) == (1, 1, 0)
    assert result.median_change == 0
    assert result.interval == pytest.approx(wilson_interval(0, 1))


def test_wilson_interval_matches_published_values():
    assert wilson_interval(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson_interval(0, 0) is None
