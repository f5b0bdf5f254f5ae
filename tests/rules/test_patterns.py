"""Pattern rules of clinical-reference §4, at, just below and just above their thresholds."""

import pytest

from tests.rules import day, evidence_dates, iso, rec, score, series, the_finding, timeline
from tracker.rules import patterns
from tracker.rules.patterns import offer_only, offers_phq9
from tracker.rules.registry import evaluate, questionnaire_findings_for_day
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Level

DEFAULTS = Thresholds()


def check(rule, *parts, as_of, questionnaires=(), thresholds=DEFAULTS, **baselines):
    return rule(
        timeline(*parts, questionnaires=questionnaires, **baselines), day(as_of), thresholds
    )


def periodic(pattern, days):
    """`pattern` repeated over `days` days: every 7-day window of a 7-long pattern has the
    same sum, so its 7-day mean is sum(pattern) / 7 on every day."""
    return [pattern[i % len(pattern)] for i in range(days)]


# P1-REBOUND -----------------------------------------------------------------------------

# Back pain 2 on days 0-29 (lowest 7-day mean 2), then the pattern on days 30-40, as_of 40:
# the 5 persistence days (36-40) each have windows made only of the pattern.


def rebound_back(pattern, field="back_pain", **extra):
    return series(0, **{field: [2] * 30 + periodic(pattern, 11)}, **extra)


@pytest.mark.parametrize(
    ("pattern", "fires"),
    [
        ([4, 4, 4, 4, 4, 4, 3], False),  # 7-day mean 27/7: 1.86 points above the lowest
        ([4] * 7, True),  # exactly 2 points (and 100 %)
        ([4, 4, 4, 4, 4, 4, 5], True),
    ],
)
def test_rebound_points_threshold(pattern, fires):
    findings = check(patterns.rebound_after_improvement, rebound_back(pattern), as_of=40)
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.REVIEW
        lowest = finding.evidence[0]
        assert lowest["back_pain_7_day_mean"] == 2
        assert lowest["lowest_since_surgery"] is True
        assert evidence_dates(finding)[1:] == [iso(n) for n in range(36, 41)]


def test_rebound_needs_30_percent_as_well_as_2_points():
    # lowest 7, now 9: +2 points but only +28.6 %
    steady = series(0, back_pain=[7] * 30 + [9] * 11)
    assert check(patterns.rebound_after_improvement, steady, as_of=40) == []
    higher = series(0, back_pain=[7] * 30 + [10] * 11)
    assert check(patterns.rebound_after_improvement, higher, as_of=40)


@pytest.mark.parametrize(
    ("pattern", "fires"),
    [([6, 6, 6, 6, 6, 6, 5], False), ([6] * 7, True), ([6, 6, 6, 6, 6, 6, 7], True)],
)
def test_rebound_percent_threshold(pattern, fires):
    # points switched off, 50 %: lowest 4 needs a 7-day mean of 6
    thresholds = Thresholds.from_overrides({"rebound_points": 0, "rebound_percent": 50})
    parts = series(0, back_pain=[4] * 30 + periodic(pattern, 11))
    findings = check(patterns.rebound_after_improvement, parts, as_of=40, thresholds=thresholds)
    assert bool(findings) is fires


@pytest.mark.parametrize(("as_of", "fires"), [(25, False), (26, True), (27, True)])
def test_rebound_must_last_5_days(as_of, fires):
    # pain 2 until day 20, then 10: the 7-day mean is >= 4 from day 22 on
    parts = series(0, back_pain=[2] * 21 + [10] * 10)
    findings = check(patterns.rebound_after_improvement, parts, as_of=as_of)
    assert bool(findings) is fires


@pytest.mark.parametrize(("as_of", "fires"), [(14, False), (15, True)])
def test_rebound_only_after_day_14(as_of, fires):
    parts = series(0, back_pain=[2] * 7 + [10] * 10)
    findings = check(patterns.rebound_after_improvement, parts, as_of=as_of)
    assert bool(findings) is fires


def test_rebound_needs_4_recorded_days_in_each_window():
    # 4 days of each week recorded in the rebound: exactly 4 values in every window
    parts = rebound_back([4] * 7)
    sparse = [r for r in parts if r.day < day(30) or (r.day - day(30)).days % 7 < 4]
    assert check(patterns.rebound_after_improvement, sparse, as_of=40)
    sparser = [r for r in sparse if r.day != day(38)]
    assert check(patterns.rebound_after_improvement, sparser, as_of=40) == []


def test_rebound_led_by_leg_pain_is_soon():
    parts = rebound_back([6] * 7, field="leg_pain")
    finding = the_finding(check(patterns.rebound_after_improvement, parts, as_of=40))
    assert finding.level is Level.SOON
    assert "leg_pain_7_day_mean" in finding.evidence[0]


def test_rebound_with_a_nerve_symptom_is_soon():
    parts = rebound_back([6] * 7)
    tl_parts = [*parts[:-1], rec(40, back_pain=6, symptoms={"numbness_tingling": "left"})]
    finding = the_finding(check(patterns.rebound_after_improvement, tl_parts, as_of=40))
    assert finding.level is Level.SOON
    assert finding.evidence[-1] == {
        "date": iso(40),
        "symptoms": ["numbness_tingling"],
        "answers": [],
    }


def test_pain_that_never_improved_is_not_a_rebound():
    assert check(patterns.rebound_after_improvement, series(0, back_pain=[6] * 60), as_of=59) == []


# P2-NEW-RADIATING -----------------------------------------------------------------------

# Leg pain quiet on days 10-23, then the last 5 days (24-28) given by `recent`.


def radiating(recent, quiet_value=1, quiet_skip=(), **extra):
    return [
        series(10, skip=quiet_skip, leg_pain=[quiet_value] * 14),
        series(24, leg_pain=recent, **extra),
    ]


@pytest.mark.parametrize(
    ("recent", "fires"),
    [
        ([0, 5, 0, 5, 0], False),  # 2 of 5 days
        ([0, 5, 0, 5, 4], True),  # 3 of 5 days, the third exactly 4
        ([5, 5, 5, 5, 5], True),
        ([0, 3, 3, 3, 0], False),  # 3 of 5 days but only 3/10
    ],
)
def test_new_leg_pain_after_two_quiet_weeks(recent, fires):
    findings = check(patterns.new_radiating_pain, *radiating(recent), as_of=28)
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.SOON
        first_high = 24 + next(i for i, value in enumerate(recent) if value >= 4)
        quiet = finding.evidence[0]
        assert quiet["date"] == iso(first_high - 14)
        assert quiet["quiet_until"] == iso(first_high - 1)
        assert quiet["first_high_day"] == iso(first_high)
        assert quiet["max_leg_pain"] == 1


@pytest.mark.parametrize(("quiet_value", "fires"), [(1, True), (2, False)])
def test_quiet_weeks_mean_leg_pain_at_most_1(quiet_value, fires):
    findings = check(
        patterns.new_radiating_pain, *radiating([5] * 5, quiet_value=quiet_value), as_of=28
    )
    assert bool(findings) is fires


@pytest.mark.parametrize(("missed", "fires"), [(range(10, 16), True), (range(10, 17), False)])
def test_quiet_weeks_need_8_of_14_recorded_days(missed, fires):
    findings = check(patterns.new_radiating_pain, *radiating([5] * 5, quiet_skip=missed), as_of=28)
    assert bool(findings) is fires


@pytest.mark.parametrize(
    ("painful_day", "fires"),
    [
        (11, True),  # 15 days before the first high day: outside the quiet 14
        (12, False),  # 14 days before: the first quiet day
        (25, False),  # the day before the first high day, inside the 5-day window
    ],
)
def test_quiet_days_are_counted_back_from_the_first_high_day(painful_day, fires):
    # Leg pain 1 on days 8-25 (2 on `painful_day`), then 5 on days 26-28: the 5-day window
    # of as_of 28 is days 24-28 and its first high day is 26, so the quiet days are 12-25.
    quiet = [2 if n == painful_day else 1 for n in range(8, 26)]
    parts = [series(8, leg_pain=quiet), series(26, leg_pain=[5, 5, 5])]
    findings = check(patterns.new_radiating_pain, *parts, as_of=28)
    assert bool(findings) is fires
    if fires:
        assert the_finding(findings).evidence[0] == {
            "date": iso(12),
            "quiet_until": iso(25),
            "quiet_days_recorded": 14,
            "max_leg_pain": 1,
            "first_high_day": iso(26),
        }


def test_new_leg_pain_with_weakness_is_urgent():
    parts = radiating([5] * 5)
    parts.append([rec(27, leg_pain=5, symptoms={"leg_weakness": "left"})])
    finding = the_finding(check(patterns.new_radiating_pain, *parts, as_of=28))
    assert finding.level is Level.URGENT


def test_radiating_pain_newly_ticked_after_14_days_without_it():
    before = series(10, back_pain=[3] * 14)
    ticked = rec(24, back_pain=3, symptoms={"radiating_pain": "right"})
    finding = the_finding(check(patterns.new_radiating_pain, before, ticked, as_of=24))
    assert finding.level is Level.SOON
    assert finding.evidence[-1] == {
        "date": iso(24),
        "symptoms": ["radiating_pain"],
        "days_without_before": 14,
    }
    ticked_before = [*before, rec(15, back_pain=3, symptoms="radiating_pain")]
    assert check(patterns.new_radiating_pain, ticked_before, ticked, as_of=24) == []


# P3-LEG-NO-MCID-6W ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fires"),
    [
        ([6] * 7, False),  # fell exactly 2 points from 8
        ([6, 6, 6, 6, 6, 6, 7], True),  # 1.86 points, 23 %
    ],
)
def test_leg_pain_points_threshold_at_6_weeks(values, fires):
    findings = check(
        patterns.leg_pain_not_improved_at_6_weeks,
        series(36, leg_pain=values),
        as_of=42,
        baseline_leg_pain=8,
    )
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.REVIEW
        assert finding.evidence[0]["leg_pain_baseline"] == 8
        assert finding.evidence[0]["baseline_source"] == "pre-operative"
        assert finding.evidence[1] == {"date": iso(42), "leg_pain_7_day_mean": 6.14}


@pytest.mark.parametrize(
    ("values", "fires"),
    [
        ([4, 4, 3, 3], False),  # mean 3.5: fell exactly 30 % from 5
        ([4, 4, 4, 3], True),  # mean 3.75: 25 % and 1.25 points
    ],
)
def test_leg_pain_percent_threshold_at_6_weeks(values, fires):
    findings = check(
        patterns.leg_pain_not_improved_at_6_weeks,
        series(39, leg_pain=values),
        as_of=42,
        baseline_leg_pain=5,
    )
    assert bool(findings) is fires


@pytest.mark.parametrize(
    ("n", "fires"), [(38, False), (39, True), (42, True), (45, True), (46, False)]
)
def test_leg_pain_checked_in_week_6_plus_or_minus_3_days(n, fires):
    findings = check(
        patterns.leg_pain_not_improved_at_6_weeks,
        series(30, leg_pain=[7] * 20),
        as_of=n,
        baseline_leg_pain=7,
    )
    assert bool(findings) is fires


FIRST_RECORDED_DAYS = "first 3 recorded days of post-operative days 1-14"


def test_leg_pain_baseline_from_first_3_post_operative_days():
    finding = the_finding(
        check(
            patterns.leg_pain_not_improved_at_6_weeks,
            series(0, leg_pain=[9, 6, 7, 8, 1]),  # day 0 and the 4th recorded day left out
            series(36, leg_pain=[6] * 7),
            as_of=42,
        )
    )
    assert finding.evidence[0] == {
        "date": iso(1),
        "leg_pain_baseline": 7,
        "baseline_source": FIRST_RECORDED_DAYS,
        "baseline_dates": [iso(1), iso(2), iso(3)],
    }
    assert FIRST_RECORDED_DAYS in finding.clinician_explanation


@pytest.mark.parametrize(
    ("third_day", "fires"),
    [
        (13, True),  # baseline mean(8, 8, 2) = 6: the 7-day mean 6 did not fall
        (14, True),  # the last day of the first 14 days after surgery still counts
        (15, False),  # too late: baseline mean(8, 8) = 8, and 6 is a fall of 2 points
    ],
)
def test_leg_pain_baseline_from_first_3_recorded_days_within_14_days(third_day, fires):
    findings = check(
        patterns.leg_pain_not_improved_at_6_weeks,
        rec(0, leg_pain=2),  # the day of surgery never counts
        rec(11, leg_pain=8),
        rec(12, leg_pain=8),
        rec(third_day, leg_pain=2),
        series(36, leg_pain=[6] * 7),
        as_of=42,
    )
    assert bool(findings) is fires
    if fires:
        assert the_finding(findings).evidence[0] == {
            "date": iso(11),
            "leg_pain_baseline": 6,
            "baseline_source": FIRST_RECORDED_DAYS,
            "baseline_dates": [iso(11), iso(12), iso(third_day)],
        }


def test_series_baseline_agrees_with_the_rules():
    # The charts and summaries show the baseline P3 compares with (tracker.trends.series).
    from tracker.trends.series import baseline, baseline_dates

    early = [rec(2, leg_pain=8), rec(9, leg_pain=6), rec(14, leg_pain=4), rec(20, leg_pain=1)]
    tl = timeline(*early)
    assert baseline(tl, "leg_pain") == (6, FIRST_RECORDED_DAYS)
    assert baseline_dates(tl, "leg_pain") == [day(2), day(9), day(14)]
    finding = the_finding(
        check(
            patterns.leg_pain_not_improved_at_6_weeks, early, series(36, leg_pain=[6] * 7), as_of=42
        )
    )
    assert finding.evidence[0]["baseline_dates"] == [iso(2), iso(9), iso(14)]


def test_leg_pain_baseline_prefers_the_pre_operative_value():
    finding = the_finding(
        check(
            patterns.leg_pain_not_improved_at_6_weeks,
            series(1, leg_pain=[9, 9, 9]),
            series(36, leg_pain=[6] * 7),
            as_of=42,
            baseline_leg_pain=7,
        )
    )
    assert finding.evidence[0] == {
        "date": iso(0),
        "leg_pain_baseline": 7,
        "baseline_source": "pre-operative",
        "baseline_dates": [],
    }


def test_leg_pain_at_6_weeks_needs_4_recorded_days_a_baseline_and_leg_pain():
    three_days = series(40, leg_pain=[7] * 3)
    assert (
        check(patterns.leg_pain_not_improved_at_6_weeks, three_days, as_of=42, baseline_leg_pain=7)
        == []
    )
    four_days = series(39, leg_pain=[7] * 4)
    assert check(
        patterns.leg_pain_not_improved_at_6_weeks, four_days, as_of=42, baseline_leg_pain=7
    )
    assert check(patterns.leg_pain_not_improved_at_6_weeks, four_days, as_of=42) == []
    no_leg_pain = series(36, leg_pain=[1] * 7)
    assert (
        check(patterns.leg_pain_not_improved_at_6_weeks, no_leg_pain, as_of=42, baseline_leg_pain=1)
        == []
    )


# P4-FUNCTION-NO-MCID-12W ----------------------------------------------------------------


@pytest.mark.parametrize(("week_12", "fires"), [(27, False), (28, False), (29, True)])
def test_odi_fall_below_30_percent_at_12_weeks(week_12, fires):
    scores = [score("odi", -5, 40), score("odi", 84, week_12)]
    findings = check(patterns.function_not_improved_at_12_weeks, as_of=84, questionnaires=scores)
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.REVIEW
        assert finding.evidence[0] == {
            "date": iso(-5),
            "instrument": "odi",
            "total": 40,
            "baseline_source": "pre-operative",
        }
        assert finding.evidence[1]["total"] == week_12
        assert finding.evidence[1]["fall_percent"] == 27.5


@pytest.mark.parametrize(("week_12", "fires"), [(4.9, False), (5.0, True)])
def test_peg_is_used_where_there_is_no_odi(week_12, fires):
    scores = [score("peg", 0, 7.0), score("peg", 85, week_12)]
    findings = check(patterns.function_not_improved_at_12_weeks, as_of=86, questionnaires=scores)
    assert bool(findings) is fires
    if fires:
        assert the_finding(findings).evidence[1]["instrument"] == "peg"


def test_an_improved_odi_is_not_overruled_by_peg():
    scores = [
        score("odi", 0, 40),
        score("odi", 84, 20),
        score("peg", 0, 7),
        score("peg", 84, 7),
    ]
    assert check(patterns.function_not_improved_at_12_weeks, as_of=84, questionnaires=scores) == []


def test_score_on_the_day_of_surgery_is_post_operative():
    # Pre-operative ODI 50 (day -5); 34 at week 12 is a 32 % fall: no finding. Read as
    # pre-operative, the day-0 score 30 would hide that improvement and raise P4.
    scores = [score("odi", -5, 50), score("odi", 0, 30), score("odi", 84, 34)]
    assert check(patterns.function_not_improved_at_12_weeks, as_of=84, questionnaires=scores) == []


def test_a_day_0_score_alone_is_the_first_post_operative_baseline():
    scores = [score("peg", 0, 7.0), score("peg", 84, 5.0)]  # 28.6 %: not enough
    finding = the_finding(
        check(patterns.function_not_improved_at_12_weeks, as_of=84, questionnaires=scores)
    )
    assert finding.evidence[0] == {
        "date": iso(0),
        "instrument": "peg",
        "total": 7.0,
        "baseline_source": "first post-operative score",
    }
    assert finding.rule_version == 2  # the logic that reads day 0 as post-operative
    # P5 reads the same check from day 90.
    p5 = the_finding(check(patterns.chronic_postsurgical_pain, as_of=90, questionnaires=scores))
    assert p5.rule_version == 2
    assert p5.evidence[0]["baseline_source"] == "first post-operative score"


@pytest.mark.parametrize(("score_day", "fires"), [(76, False), (77, True), (91, True), (92, False)])
def test_week_12_score_window(score_day, fires):
    scores = [score("odi", 0, 40), score("odi", score_day, 38)]
    findings = check(patterns.function_not_improved_at_12_weeks, as_of=100, questionnaires=scores)
    assert bool(findings) is fires


def test_week_12_score_is_not_read_before_it_exists():
    scores = [score("odi", 0, 40), score("odi", 86, 38)]
    assert check(patterns.function_not_improved_at_12_weeks, as_of=85, questionnaires=scores) == []


def test_odi_baseline_falls_back_to_the_first_post_operative_score():
    scores = [score("odi", 14, 40), score("odi", 84, 35)]
    finding = the_finding(
        check(patterns.function_not_improved_at_12_weeks, as_of=84, questionnaires=scores)
    )
    assert finding.evidence[0]["baseline_source"] == "first post-operative score"
    late_first = [score("odi", 30, 40), score("odi", 84, 35)]
    assert (
        check(patterns.function_not_improved_at_12_weeks, as_of=84, questionnaires=late_first) == []
    )


# P5-CHRONIC-POSTSURGICAL, P6-PAIN-SPECIALIST --------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "pattern", "fires"),
    [
        (89, [4] * 7, False),
        (90, [4, 4, 4, 4, 4, 4, 3], False),
        (90, [4] * 7, True),
        (91, [4, 4, 4, 4, 4, 4, 5], True),
    ],
)
def test_chronic_post_surgical_pain_from_day_90(as_of, pattern, fires):
    parts = series(as_of - 6, leg_pain=pattern, back_pain=1)
    findings = check(patterns.chronic_postsurgical_pain, parts, as_of=as_of)
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.REVIEW
        assert finding.evidence[0]["date"] == iso(as_of)
        assert "leg_pain_7_day_mean" in finding.evidence[0]
        assert "persistent spinal pain syndrome type 2" in finding.clinician_explanation


def test_chronic_post_surgical_pain_when_function_did_not_improve():
    scores = [score("odi", 0, 40), score("odi", 84, 36)]
    finding = the_finding(
        check(patterns.chronic_postsurgical_pain, as_of=95, questionnaires=scores)
    )
    assert [e["instrument"] for e in finding.evidence] == ["odi", "odi"]
    assert "P4" in finding.clinician_explanation


@pytest.mark.parametrize(
    ("as_of", "pattern", "fires"),
    [
        (179, [5] * 7, False),
        (180, [5, 5, 5, 5, 5, 5, 4], False),
        (180, [5] * 7, True),
        (200, [6] * 7, True),
    ],
)
def test_pain_specialist_from_day_180(as_of, pattern, fires):
    findings = check(
        patterns.pain_specialist_referral, series(as_of - 6, back_pain=pattern), as_of=as_of
    )
    assert bool(findings) is fires
    if fires:
        assert "specialist pain assessment" in the_finding(findings).clinician_explanation


# P7-SUSTAINED-HIGH ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fires"),
    [
        ([7, 7, 7, 7, 2, 2, 2], False),  # 4 of 7 days
        ([7, 7, 7, 7, 7, 2, 2], True),  # 5 of 7 days
        ([6, 6, 6, 6, 6, 6, 6], False),
        ([9] * 7, True),
    ],
)
def test_sustained_high_pain(values, fires):
    findings = check(patterns.sustained_high_pain, series(24, leg_pain=values), as_of=30)
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.SOON
        assert len(finding.evidence) >= 5
        assert all(e["leg_pain"] >= 7 for e in finding.evidence)


@pytest.mark.parametrize(("as_of", "fires"), [(14, False), (15, True)])
def test_sustained_high_pain_only_after_day_14(as_of, fires):
    findings = check(patterns.sustained_high_pain, series(0, back_pain=[8] * 20), as_of=as_of)
    assert bool(findings) is fires


# P8-DEPRESSION --------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "fires"), [(9, False), (10, True), (11, True)])
def test_phq9_of_10_or_more_notifies(total, fires):
    findings = check(patterns.low_mood, as_of=50, questionnaires=[score("phq9", 42, total)])
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.REVIEW
        assert finding.evidence == ({"date": iso(42), "instrument": "phq9", "total": total},)
        assert not offer_only(finding.evidence)
        assert not offers_phq9(finding.evidence)


@pytest.mark.parametrize(("latest", "fires"), [(6, False), (7, True)])
def test_phq9_rise_of_5_from_the_lowest_earlier_score(latest, fires):
    scores = [score("phq9", 0, 4), score("phq9", 42, 2), score("phq9", 84, latest)]
    findings = check(patterns.low_mood, as_of=84, questionnaires=scores)
    assert bool(findings) is fires
    if fires:
        evidence = the_finding(findings).evidence[0]
        assert evidence["lowest_earlier_total"] == 2
        assert evidence["lowest_earlier_date"] == iso(42)


@pytest.mark.parametrize(("total", "fires"), [(2, False), (3, True)])
def test_positive_phq2_offers_phq9(total, fires):
    findings = check(patterns.low_mood, as_of=20, questionnaires=[score("phq2", 14, total)])
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.evidence == (
            {"date": iso(14), "instrument": "phq2", "total": total, "offer_phq9": True},
        )
        assert "a few more questions" in finding.patient_message
        assert offer_only(finding.evidence)
        assert offers_phq9(finding.evidence)


def test_phq2_already_followed_by_a_phq9_is_not_offered_again():
    scores = [score("phq2", 14, 4), score("phq9", 15, 6)]
    assert check(patterns.low_mood, as_of=20, questionnaires=scores) == []


@pytest.mark.parametrize(
    ("as_of", "notifies"),
    [(20, False), (21, True), (22, True)],  # 6, 7 and 8 days after the positive PHQ-2
)
def test_offered_phq9_unanswered_for_7_days_notifies_the_care_team(as_of, notifies):
    findings = check(patterns.low_mood, as_of=as_of, questionnaires=[score("phq2", 14, 3)])
    finding = the_finding(findings)
    assert finding.level is Level.REVIEW
    assert offers_phq9(finding.evidence)  # the PHQ-9 stays offered to the patient
    assert offer_only(finding.evidence) is not notifies
    offer = {"date": iso(14), "instrument": "phq2", "total": 3, "offer_phq9": True}
    if notifies:
        assert finding.evidence == (
            offer,
            {"date": iso(21), "phq9_offered_on": iso(14), "phq9_unanswered_days": 7},
        )
        assert "still waiting" in finding.patient_message
    else:
        assert finding.evidence == (offer,)


@pytest.mark.parametrize("phq9_day", [14, 20, 21])
def test_phq9_answered_by_the_7th_day_after_the_phq2_notifies_nobody(phq9_day):
    scores = [score("phq2", 14, 5), score("phq9", phq9_day, 7)]
    assert check(patterns.low_mood, as_of=30, questionnaires=scores) == []


def test_phq9_answered_before_the_positive_phq2_does_not_answer_its_offer():
    scores = [score("phq9", 10, 4), score("phq2", 14, 3)]
    finding = the_finding(check(patterns.low_mood, as_of=21, questionnaires=scores))
    assert not offer_only(finding.evidence)
    assert evidence_dates(finding) == [iso(14), iso(21)]


def test_high_phq9_then_positive_phq2_notifies_and_offers():
    scores = [score("phq9", 42, 12), score("phq2", 56, 4)]
    finding = the_finding(check(patterns.low_mood, as_of=56, questionnaires=scores))
    assert offers_phq9(finding.evidence)
    assert not offer_only(finding.evidence)
    assert "care team will look" in finding.patient_message


def test_offer_only_needs_evidence():
    assert offer_only([]) is False
    assert offers_phq9([]) is False


def test_questionnaire_response_lists_findings_in_the_order_of_evaluate():
    tl = timeline(questionnaires=[score("odi", 0, 40), score("odi", 84, 38), score("phq9", 84, 12)])
    ids = [f.rule_id for f in questionnaire_findings_for_day(tl, day(84))]
    assert ids == ["P4-FUNCTION-NO-MCID-12W", "P8-DEPRESSION"]
    assert [f.rule_id for f in evaluate(tl, day(84)) if f.rule_id in ids] == ids


# P9-ADHERENCE ---------------------------------------------------------------------------

# 2 sessions prescribed a day; weeks since surgery: week 3 = days 21-27, week 4 = days 28-34.


@pytest.mark.parametrize(
    ("done", "fires"),
    [
        ([1] * 14, False),  # 50 % in each week
        ([0] + [1] * 13, False),  # 43 % in week 3 but 50 % in week 4
        ([0] + [1] * 6 + [0] + [1] * 6, True),  # 43 % in each week
    ],
)
def test_low_adherence_in_each_of_the_last_two_weeks(done, fires):
    parts = series(21, exercise_done=done, exercise_prescribed=2)
    findings = check(patterns.low_exercise_adherence, parts, as_of=34)
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.REVIEW
        assert [e["week"] for e in finding.evidence] == [3, 4]
        assert finding.evidence[0] == {
            "date": iso(21),
            "week": 3,
            "done": 6,
            "prescribed": 14,
            "percent": 42.86,
        }


@pytest.mark.parametrize(("recent_done", "fires"), [(8, False), (7, True)])
def test_adherence_drop_of_half_versus_the_two_weeks_before(recent_done, fires):
    # weeks 1-2: all 14 done of 14 a week; weeks 3-4: recent_done of 14 a week
    done = [2] * 14 + ([2] * (recent_done // 2) + [recent_done % 2] + [0] * 7)[:7] * 2
    parts = series(7, exercise_done=done, exercise_prescribed=2)
    findings = check(patterns.low_exercise_adherence, parts, as_of=34)
    assert bool(findings) is fires
    if fires:
        assert the_finding(findings).evidence[0]["weeks"] == [1, 2]


def test_adherence_uses_complete_weeks_only():
    parts = series(21, exercise_done=[0] * 14, exercise_prescribed=2)
    assert check(patterns.low_exercise_adherence, parts, as_of=33) == []  # weeks 2 and 3
    assert check(patterns.low_exercise_adherence, parts, as_of=34)


def test_adherence_is_skipped_without_a_prescription():
    parts = series(7, exercise_done=[0] * 28)
    assert check(patterns.low_exercise_adherence, parts, as_of=34) == []
    zero = series(7, exercise_done=[0] * 28, exercise_prescribed=0)
    assert check(patterns.low_exercise_adherence, zero, as_of=34) == []


def test_extra_sessions_do_not_make_up_for_missed_days():
    done = ([6] + [0] * 6) * 2  # 6 sessions on one day, none on the other six
    parts = series(21, exercise_done=done, exercise_prescribed=1)
    assert check(patterns.low_exercise_adherence, parts, as_of=34)


# P10-OPIOID-PROLONGED -------------------------------------------------------------------


@pytest.mark.parametrize(("days_with_opioid", "fires"), [(4, False), (5, True), (6, True)])
def test_opioid_on_half_the_recorded_days_from_day_90(days_with_opioid, fires):
    doses = [1] * days_with_opioid + [0] * (10 - days_with_opioid)
    parts = series(90, opioid_doses=doses)
    findings = check(patterns.prolonged_opioid_use, parts, as_of=99)
    assert bool(findings) is fires
    if fires:
        evidence = the_finding(findings).evidence[0]
        assert evidence["days_with_opioid"] == days_with_opioid
        assert evidence["recorded_days"] == 10
        assert evidence["opioid_dates"] == [iso(n) for n in range(90, 90 + days_with_opioid)]


def test_opioid_use_before_day_90_and_after_day_180_is_not_counted():
    parts = [series(60, opioid_doses=[3] * 30), series(90, opioid_doses=[0] * 91)]
    parts.append(series(181, opioid_doses=[3] * 100))
    assert check(patterns.prolonged_opioid_use, *parts, as_of=280) == []
    assert check(patterns.prolonged_opioid_use, series(60, opioid_doses=[3] * 30), as_of=89) == []


def test_opioid_rule_needs_4_recorded_days():
    assert check(patterns.prolonged_opioid_use, series(90, opioid_doses=[2] * 3), as_of=95) == []
    assert check(patterns.prolonged_opioid_use, series(90, opioid_doses=[2] * 4), as_of=95)


# P11-WALKING-DECLINE --------------------------------------------------------------------

# Days 7-20: the 2 weeks before; days 21-27: the current 7 days; as_of 27.


@pytest.mark.parametrize(("now", "fires"), [(31, False), (30, True), (29, True)])
def test_walking_halved_versus_the_two_weeks_before(now, fires):
    parts = series(7, walking_minutes=[60] * 14 + [now] * 7)
    findings = check(patterns.walking_decline, parts, as_of=27)
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.REVIEW
        assert finding.evidence[0] == {
            "date": iso(7),
            "until": iso(20),
            "walking_minutes_mean": 60,
        }


@pytest.mark.parametrize(("leg_now", "level"), [(3, Level.REVIEW), (4, Level.SOON)])
def test_walking_decline_with_rising_leg_pain_is_soon(leg_now, level):
    parts = series(7, walking_minutes=[60] * 14 + [20] * 7, leg_pain=[2] * 14 + [leg_now] * 7)
    assert the_finding(check(patterns.walking_decline, parts, as_of=27)).level is level


@pytest.mark.parametrize(("as_of", "fires"), [(14, False), (15, True)])
def test_walking_decline_only_after_week_2(as_of, fires):
    parts = series(0, walking_minutes=[60] * 8 + [10] * 8)
    assert bool(check(patterns.walking_decline, parts, as_of=as_of)) is fires


# P12-SILENCE ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "as_of", "fires"),
    [
        (10, 13, False),  # missed days 11 and 12: 2 full days, day 13 is not over
        (10, 14, True),  # 3 missed days in weeks 0-6
        (10, 15, True),
        (37, 41, True),
        (38, 41, False),
        (38, 42, False),  # from day 42 the limit is 7 days
        (50, 57, False),  # 6 missed days
        (50, 58, True),  # 7 missed days
        (50, 59, True),
    ],
)
def test_silence(last, as_of, fires):
    findings = check(patterns.check_ins_stopped, series(0, back_pain=[3] * (last + 1)), as_of=as_of)
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.REVIEW
        missed = as_of - last - 1
        assert finding.evidence == (
            {
                "date": iso(last),
                "last_checkin": iso(last),
                "days_without_checkin": as_of - last,
                "missed_days": missed,
                "threshold_days": 3 if as_of < 42 else 7,
            },
        )
        assert f"{missed} days" in finding.patient_message


def test_silence_run_after_midnight_counts_only_whole_missed_days():
    # A run at 01:15 on day D after a check-in on D-3 has missed D-2 and D-1 only.
    tl = series(0, back_pain=[3] * 8)
    assert check(patterns.check_ins_stopped, tl, as_of=10) == []
    assert check(patterns.check_ins_stopped, tl, rec(10, back_pain=3), as_of=10) == []


def test_silence_evidence_says_how_far_past_its_threshold_it_is():
    finding = the_finding(
        check(patterns.check_ins_stopped, series(0, back_pain=[3] * 11), as_of=16)
    )
    entry = finding.evidence[0]
    assert (entry["missed_days"], entry["threshold_days"]) == (5, 3)


def test_silence_since_surgery_without_any_checkin():
    assert check(patterns.check_ins_stopped, as_of=3) == []
    finding = the_finding(check(patterns.check_ins_stopped, as_of=4))
    assert finding.evidence[0] == {
        "date": iso(0),
        "last_checkin": None,
        "days_without_checkin": 4,
        "missed_days": 3,
        "threshold_days": 3,
    }


def test_no_patterns_before_surgery():
    tl_parts = series(-30, back_pain=[9] * 25)
    for rule in (patterns.check_ins_stopped, patterns.new_radiating_pain):
        assert check(rule, tl_parts, as_of=-1) == []


def test_opioid_evidence_is_dated_by_the_latest_day_with_an_opioid():
    parts = series(90, opioid_doses=[1, 1, 1, 1, 1, 0, 0, 1, 0, 0])
    evidence = the_finding(check(patterns.prolonged_opioid_use, parts, as_of=99)).evidence[0]
    assert (evidence["date"], evidence["from"], evidence["until"]) == (iso(97), iso(90), iso(99))
