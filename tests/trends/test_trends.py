"""Trends over a timeline: 7-day means, baselines, MCID, adherence, symptoms, walking, opioids."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rules import SURGERY, day, rec, score, series, timeline
from tracker.trends import series as trends
from tracker.trends.series import Adherence, Baseline, Change

# 7-day means -------------------------------------------------------------------------------


@pytest.mark.parametrize(("recorded", "mean"), [(3, None), (4, 6.5), (5, 7.0)])
def test_seven_day_mean_needs_4_recorded_days(recorded, mean):
    tl = timeline(series(10, back_pain=[5, 6, 7, 8, 9][:recorded]))
    assert trends.seven_day_mean(tl, day(16), "back_pain") == mean


def test_seven_day_mean_uses_only_the_7_days_ending_on_the_date():
    tl = timeline(series(0, back_pain=[10, 1, 1, 1, 1, 1, 1, 1, 10]))
    assert trends.seven_day_mean(tl, day(7), "back_pain") == 1
    assert trends.seven_day_mean(tl, day(8), "back_pain") == pytest.approx(16 / 7)


def test_seven_day_mean_skips_unanswered_values_and_takes_a_minimum():
    tl = timeline(series(0, back_pain=[2, None, 4, None, 6, None, 8]))
    assert trends.seven_day_mean(tl, day(6), "back_pain") == 5
    assert trends.seven_day_mean(tl, day(6), "back_pain", min_days=5) is None
    assert trends.seven_day_mean(tl, day(6), "back_pain", min_days=1) == 5


def test_rolling_means_series():
    tl = timeline(series(0, back_pain=[4, 4, 4, 4, 8], skip=[2]))
    assert trends.rolling_means(tl, "back_pain") == [
        (day(4), 5.0),
        (day(5), 5.0),
        (day(6), 5.0),
    ]  # day 7's window holds only 3 values
    assert trends.rolling_means(tl, "back_pain", min_days=1)[0] == (day(0), 4.0)


def test_rolling_means_within_start_and_end():
    tl = timeline(series(-5, back_pain=[9] * 5 + [1] * 10))
    means = trends.rolling_means(tl, "back_pain", start=SURGERY, end=day(5))
    assert means == [(day(3), 1.0), (day(4), 1.0), (day(5), 1.0)]


@given(
    st.dictionaries(
        st.integers(min_value=0, max_value=60),
        st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
        max_size=40,
    ),
    st.integers(min_value=1, max_value=7),
)
def test_rolling_means_equal_seven_day_mean_on_every_date(values, min_days):
    tl = timeline(rec(n, back_pain=value) for n, value in values.items())
    series_ = dict(trends.rolling_means(tl, "back_pain", min_days=min_days))
    for n in range(-2, 70):
        expected = trends.seven_day_mean(tl, day(n), "back_pain", min_days=min_days)
        got = series_.get(day(n))
        if expected is None:
            assert got is None
        else:
            assert got == pytest.approx(expected)


# Baseline, change, MCID -------------------------------------------------------------------


def test_baseline_prefers_the_pre_operative_value():
    tl = timeline(series(1, leg_pain=[2, 2, 2]), baseline_leg_pain=7)
    assert trends.baseline(tl, "leg_pain") == Baseline(7, "pre-operative")
    value, source = trends.baseline(tl, "leg_pain")
    assert (value, source) == (7, "pre-operative")


FIRST_RECORDED_DAYS = "first 3 recorded days of post-operative days 1-14"


def test_baseline_falls_back_to_the_first_3_recorded_post_operative_days():
    # Day 0 mixes pre- and post-operative pain; day 2 was not answered; day 5 is the 4th.
    tl = timeline(series(0, back_pain=[10, 6, None, 8, 1, 9]))
    assert trends.baseline(tl, "back_pain") == Baseline(5, FIRST_RECORDED_DAYS)
    assert trends.baseline_dates(tl, "back_pain") == [day(1), day(3), day(4)]


@pytest.mark.parametrize(
    ("third_day", "value", "dates"),
    [
        (14, 6, [11, 12, 14]),  # day 14 is the last day that counts
        (15, 8, [11, 12]),  # too late: the mean of the 2 days recorded in time
    ],
)
def test_baseline_days_are_the_first_14_after_surgery(third_day, value, dates):
    tl = timeline(
        rec(0, back_pain=1), rec(11, back_pain=8), rec(12, back_pain=8), rec(third_day, back_pain=2)
    )
    assert trends.baseline(tl, "back_pain") == Baseline(value, FIRST_RECORDED_DAYS)
    assert trends.baseline_dates(tl, "back_pain") == [day(n) for n in dates]


def test_no_baseline_without_data():
    assert trends.baseline(timeline(rec(15, back_pain=3)), "back_pain") is None
    assert trends.baseline(timeline(rec(0, back_pain=3)), "back_pain") is None
    assert trends.baseline(timeline(), "walking_minutes") is None
    assert trends.baseline_dates(timeline(rec(1, back_pain=3)), "back_pain") == [day(1)]
    pre_operative = timeline(rec(1, back_pain=3), baseline_back_pain=6)
    assert trends.baseline_dates(pre_operative, "back_pain") == []


def test_change_from_baseline_in_points_and_percent():
    assert trends.change_from_baseline(8, 6) == Change(-2, -25)
    assert trends.change_from_baseline(4, 5) == Change(1, 25)
    assert trends.change_from_baseline(0, 3) == Change(3, None)


@pytest.mark.parametrize(
    ("baseline", "current", "meaningful"),
    [
        (8, 6.1, False),  # 1.9 points, 24 %
        (8, 6, True),  # 2 points
        (8, 5.9, True),
        (5, 3.6, False),  # 1.4 points, 28 %
        (5, 3.5, True),  # 30 %
        (5, 3.4, True),
        (0, 0, False),
        (3, 5, False),
    ],
)
def test_meaningful_improvement_is_2_points_or_30_percent(baseline, current, meaningful):
    assert trends.meaningful_improvement(baseline, current) is meaningful


def test_meaningful_improvement_takes_other_cut_offs():
    # ODI: 10 points or 30 %
    assert trends.meaningful_improvement(40, 31, points=10, percent=30) is False
    assert trends.meaningful_improvement(40, 30, points=10, percent=30) is True


def test_questionnaire_baseline():
    tl = timeline(questionnaires=[score("odi", -4, 46), score("odi", -1, 44), score("odi", 14, 30)])
    base, source_score = trends.questionnaire_baseline(tl, "odi")
    assert base == Baseline(44, "pre-operative")
    assert source_score.day == day(-1)
    post = timeline(questionnaires=[score("odi", 14, 30), score("odi", 42, 20)])
    assert trends.questionnaire_baseline(post, "odi")[0] == Baseline(
        30, "first post-operative score"
    )
    late = timeline(questionnaires=[score("odi", 22, 30)])
    assert trends.questionnaire_baseline(late, "odi") is None


def test_a_score_on_the_day_of_surgery_is_post_operative():
    # Answered after the operation, about it: never the pre-operative baseline.
    with_pre = timeline(
        questionnaires=[score("peg", -3, 8), score("peg", 0, 5), score("peg", 14, 4)]
    )
    base, source_score = trends.questionnaire_baseline(with_pre, "peg")
    assert (base, source_score.day) == (Baseline(8, "pre-operative"), day(-3))
    only_post = timeline(questionnaires=[score("peg", 0, 5), score("peg", 14, 4)])
    base, source_score = trends.questionnaire_baseline(only_post, "peg")
    assert (base, source_score.day) == (Baseline(5, "first post-operative score"), day(0))


# Adherence --------------------------------------------------------------------------------


def test_weekly_adherence_by_week_since_surgery():
    tl = timeline(
        series(0, exercise_done=[2] * 7 + [1] * 7 + [3] * 3, exercise_prescribed=2),
        rec(20, exercise_done=1),  # no prescription: not counted
    )
    weeks = trends.weekly_adherence(tl, as_of=day(16))
    assert [(w.week, w.start, w.end, w.adherence) for w in weeks] == [
        (0, day(0), day(6), Adherence(14, 14)),
        (1, day(7), day(13), Adherence(7, 14)),
        (2, day(14), day(16), Adherence(6, 6)),
    ]
    assert weeks[1].adherence.percent == 50


def test_adherence_without_prescription_has_no_percent():
    assert trends.adherence_between(timeline(rec(3, exercise_done=2)), day(0), day(6)) == (0, 0)
    assert Adherence(0, 0).percent is None


# Symptoms, walking, opioids ---------------------------------------------------------------


def test_symptom_day_counts():
    tl = timeline(
        rec(1, symptoms="incision_pain muscle_spasm"),
        rec(2, symptoms={"numbness_tingling": "left", "incision_pain": ""}),
        rec(3),
        rec(9, symptoms="incision_pain"),
    )
    assert trends.symptom_day_counts(tl, day(0), day(7)) == {
        "incision_pain": 2,
        "muscle_spasm": 1,
        "numbness_tingling": 1,
    }
    assert trends.symptom_days(tl, "incision_pain", day(0), day(30)) == [day(1), day(2), day(9)]


def test_walking_series_is_the_recorded_minutes():
    tl = timeline(series(0, walking_minutes=[5, None, 10, 15]))
    assert trends.walking_series(tl) == [(day(0), 5), (day(2), 10), (day(3), 15)]
    assert trends.walking_series(tl, start=day(1), end=day(2)) == [(day(2), 10)]


def test_opioid_days_count_only_answered_days():
    tl = timeline(series(90, opioid_doses=[2, 0, None, 1]))
    found = trends.opioid_days(tl, day(90), day(100))
    assert found.with_opioid == (day(90), day(93))
    assert found.recorded == 3
    assert found.percent == pytest.approx(200 / 3)


# Odd data ---------------------------------------------------------------------------------


def test_numeric_accepts_numbers_and_decimals_only():
    assert trends.numeric(Decimal("37.8")) == 37.8
    assert trends.numeric(3) == 3.0
    for odd in (None, True, "7", float("nan"), float("inf")):
        assert trends.numeric(odd) is None


def test_answers_and_symptoms_tolerate_other_shapes():
    record = rec(1)
    odd = record.__class__(day=record.day, safety_answers={"fall": True, "feverish": False})
    assert trends.answers_of(odd) == {"fall"}
    listed = record.__class__(day=record.day, symptoms=["constipation"])  # type: ignore[arg-type]
    assert trends.symptoms_of(listed) == {"constipation": ""}


def test_last_checkin_on_or_before_a_date():
    tl = timeline(rec(1), rec(5), rec(9))
    assert trends.last_checkin(tl, day(8)) == day(5)
    assert trends.last_checkin(tl, day(0)) is None


def test_rolling_means_over_two_years_of_daily_data():
    tl = timeline(series(0, back_pain=[n % 11 for n in range(730)]))
    means = trends.rolling_means(tl, "back_pain", start=SURGERY, end=SURGERY + timedelta(729))
    assert len(means) == 730 - 3


# Chart series ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "level"),
    [(8, 6), (10, 8), (6, 4.2), (5, 3.5), (0, 0)],  # 2 points, or 30 % when that is less
)
def test_improvement_level_is_the_easier_of_2_points_and_30_percent(baseline, level):
    assert trends.improvement_level(baseline) == pytest.approx(level)
    assert trends.meaningful_improvement(baseline, level) or baseline == 0


def test_daily_values_has_every_day_with_none_for_missing_days():
    tl = timeline(rec(1, leg_pain=4), rec(3, leg_pain=2))
    assert trends.daily_values(tl, "leg_pain", day(0), day(3)) == [
        (day(0), None),
        (day(1), 4),
        (day(2), None),
        (day(3), 2),
    ]


def test_latest_seven_day_mean_ends_on_the_last_checkin():
    tl = timeline(series(10, leg_pain=[6, 4, 4, 4, 4]))
    assert trends.latest_seven_day_mean(tl, "leg_pain", day(30)) == (day(14), 4.4)
    assert trends.latest_seven_day_mean(tl, "leg_pain", day(12)) is None  # 3 days only
    assert trends.latest_seven_day_mean(timeline(), "leg_pain", day(12)) is None


def test_weekly_symptom_days_by_week_since_surgery():
    tl = timeline(
        rec(5, symptoms="muscle_spasm"),
        rec(6, symptoms="muscle_spasm constipation"),
        rec(7),
        rec(8, symptoms="muscle_spasm"),
        rec(20, symptoms="incision_pain"),
    )
    weeks = trends.weekly_symptom_days(tl, day(6), day(20))
    assert [(w.week, w.start, w.end, w.checkins, w.days) for w in weeks] == [
        (0, day(6), day(6), 1, {"constipation": 1, "muscle_spasm": 1}),
        (1, day(7), day(13), 2, {"muscle_spasm": 1}),
        (2, day(14), day(20), 1, {"incision_pain": 1}),
    ]
