"""Charts from a known timeline: Chart.js data, plotly figures, tables and the wording."""

import pytest

from tests.rules import day, iso, rec, score, series, timeline
from tracker.charts import figures as charts
from tracker.charts import patient_charts as trend_charts
from tracker.charts.figures import FlagMarker, Period
from tracker.rules.thresholds import Thresholds
from tracker.timeline import DayRecord
from tracker.trends import wording as trend_summaries

# Surgery on day 0; leg pain 6 on days 1-3 (no pre-operative value), then 3 on days 4-13.
LEG = series(1, leg_pain=[6, 6, 6] + [3] * 10, back_pain=[4] * 13, walking_minutes=[5] * 13)
FIRST_TWO_WEEKS = Period(day(0), day(13))


def dataset(data, label):
    return next(d for d in data["datasets"] if d["label"] == label)


def trace(figure, name):
    return next(t for t in figure["data"] if t["name"] == name)


# Chart.js ------------------------------------------------------------------------------------


def test_chartjs_data_has_a_label_per_day_and_aligned_datasets():
    chart = trend_charts.build_chart("leg-pain", timeline(LEG), FIRST_TWO_WEEKS)
    data = charts.chartjs_data(chart)
    assert data["labels"] == [iso(n) for n in range(14)]
    assert data["weeks"] == [0] * 7 + [1] * 7
    assert [d["label"] for d in data["datasets"]] == [
        "Each day",
        "7-day average",
        "Baseline",
        "Meaningful improvement",
    ]
    assert dataset(data, "Each day")["data"] == [None, 6, 6, 6] + [3] * 10
    means = dataset(data, "7-day average")["data"]
    assert means[:4] == [None] * 4  # fewer than 4 of 7 days recorded (§4)
    assert means[4] == pytest.approx(5.25)  # (6+6+6+3)/4
    assert means[5] == pytest.approx(4.8)  # (6+6+6+3+3)/5
    assert means[13] == 3
    assert dataset(data, "Baseline")["data"] == [6] * 14
    # §2: 2 points or 30 % below 6, whichever is reached first: 30 % = 1.8 points.
    assert dataset(data, "Meaningful improvement")["data"] == [4.2] * 14


def test_patient_charts_have_no_flags_or_band_even_when_given_flags():
    flag = FlagMarker(day(10), "P1-REBOUND (Review, Open)", "review", "/care/flags/x/")
    chart = trend_charts.build_chart("leg-pain", timeline(LEG), FIRST_TWO_WEEKS, flags=[flag])
    labels = [d["label"] for d in charts.chartjs_data(chart)["datasets"]]
    assert "Flags" not in labels
    assert "Typical recovery (population data)" not in labels


def test_care_team_chart_has_flags_and_the_typical_recovery_band():
    flag = FlagMarker(day(10), "P1-REBOUND (Review, Open)", "review", "/care/flags/abc/")
    late = FlagMarker(day(40), "P7-SUSTAINED-HIGH (Soon, Open)", "soon", "/care/flags/def/")
    tl = timeline(LEG, baseline_leg_pain=8)
    chart = trend_charts.build_chart(
        "leg-pain", tl, FIRST_TWO_WEEKS, flags=[flag, late], care_team=True
    )
    data = charts.chartjs_data(chart)
    flags = dataset(data, "Flags")
    assert flags["data"][10] == trend_charts.FLAG_Y
    assert [value for value in flags["data"] if value is not None] == [trend_charts.FLAG_Y]
    assert flags["links"][10] == "/care/flags/abc/"
    high, low = (d for d in data["datasets"] if d["label"] == "Typical recovery (population data)")
    # Day 7 is week 1: 35-85 % of the pre-operative baseline 8.
    assert (low["data"][7], high["data"][7]) == (2.8, 6.8)
    assert low["data"][0] is None  # the day of surgery has no expected value

    figure = charts.plotly_figure(chart)
    marker = trace(figure, "Flags")
    assert marker["x"] == [iso(10)]
    assert marker["customdata"] == [[1, "/care/flags/abc/"]]
    assert marker["meta"] == "flag-links"
    assert marker["text"] == ["P1-REBOUND (Review, Open)"]
    assert any("population data" in note for note in chart.notes)


@pytest.mark.parametrize(
    ("day_number", "band"),
    [(0, None), (3, (35, 85)), (7, (35, 85)), (14, (30, 80)), (28, (27.5, 75)), (3000, (15, 55))],
)
def test_typical_recovery_band_as_percent_of_baseline(day_number, band):
    assert trend_charts.typical_recovery_percent(day_number) == band


# plotly --------------------------------------------------------------------------------------


def test_plotly_figure_is_plain_data_with_weeks_since_surgery_on_the_axis():
    tl = timeline(LEG, baseline_leg_pain=8)
    figure = charts.plotly_figure(trend_charts.build_chart("leg-pain", tl, FIRST_TWO_WEEKS))
    daily = trace(figure, "Each day")
    assert daily["mode"] == "markers"
    assert daily["x"] == [iso(n) for n in range(1, 14)]  # unrecorded days are left out
    assert daily["customdata"] == [0] * 6 + [1] * 7  # weeks since surgery, shown on hover
    baseline = trace(figure, "Baseline")
    assert baseline["y"] == [8, 8]
    assert baseline["line"]["dash"] == "dash"
    assert trace(figure, "Meaningful improvement")["y"] == [6, 6]  # 2 points below 8
    xaxis = figure["layout"]["xaxis"]
    assert xaxis["title"]["text"] == "Weeks since surgery"
    assert xaxis["tickvals"] == [iso(0), iso(7)]
    assert xaxis["ticktext"] == ["0", "1"]
    assert figure["config"]["responsive"] is True
    assert figure["layout"]["transition"] == {"duration": 0}


def test_week_ticks_stay_few_over_two_years():
    tl = timeline(series(1, leg_pain=[3] * 730))
    chart = trend_charts.build_chart("leg-pain", tl, Period(day(0), day(730)))
    values, labels = charts.week_ticks(chart)
    assert 3 <= len(labels) <= 6
    assert labels[0] == "0"
    assert all(int(label) % 26 == 0 for label in labels)
    assert values[1] == iso(7 * int(labels[1]))


# Other series --------------------------------------------------------------------------------


def test_symptoms_chart_counts_days_per_week_since_surgery():
    tl = timeline(
        rec(1, symptoms="muscle_spasm incision_pain"),
        rec(2, symptoms="muscle_spasm"),
        rec(8),
        rec(9, symptoms="numbness_tingling"),
    )
    chart = trend_charts.build_chart("symptoms", tl, FIRST_TWO_WEEKS)
    data = charts.chartjs_data(chart)
    assert data["labels"] == [iso(0), iso(7)]
    assert {d["label"]: d["data"] for d in data["datasets"]} == {
        "Wound pain": [1, 0],
        "Muscle spasms": [2, 0],
        "Numbness or tingling": [0, 1],
    }
    assert charts.plotly_figure(chart)["layout"]["barmode"] == "stack"
    assert chart.summary == "In week 1 after surgery you noted: numbness or tingling on 1 day."


def test_adherence_chart_is_empty_without_a_programme():
    chart = trend_charts.build_chart("adherence", timeline(LEG), FIRST_TWO_WEEKS)
    assert not chart.has_data
    assert charts.chartjs_data(chart)["labels"] == []


def test_adherence_chart_gives_percent_per_week():
    records = [
        DayRecord(day=day(n), exercise_done=done, exercise_prescribed=2)
        for n, done in ((1, 2), (2, 1), (8, 0), (9, 2))
    ]
    chart = trend_charts.build_chart("adherence", timeline(records), FIRST_TWO_WEEKS)
    data = charts.chartjs_data(chart)
    assert data["labels"] == [iso(0), iso(7)]
    assert data["datasets"][0]["data"] == [75, 50]


def test_peg_and_mood_charts_plot_scores_on_their_days():
    tl = timeline(
        questionnaires=[score("peg", 2, 8), score("peg", 9, 5), score("phq2", 9, 1)],
    )
    peg = charts.chartjs_data(trend_charts.build_chart("peg", tl, FIRST_TWO_WEEKS))
    assert peg["labels"] == [iso(2), iso(9)]
    assert dataset(peg, "PEG")["data"] == [8, 5]
    assert dataset(peg, "Meaningful improvement")["data"] == [5.6, 5.6]  # 30 % below 8
    mood = charts.chartjs_data(trend_charts.build_chart("mood", tl, FIRST_TWO_WEEKS))
    assert mood["labels"] == [iso(9)]
    assert [d["label"] for d in mood["datasets"]] == ["PHQ-2"]


def test_unknown_chart_is_a_key_error():
    with pytest.raises(KeyError):
        trend_charts.build_chart("cholesterol", timeline(LEG), FIRST_TWO_WEEKS)


# Table alternative -------------------------------------------------------------------------


def test_table_has_one_row_per_day_with_data_and_links_flags():
    flag = FlagMarker(day(10), "P1-REBOUND (Review, Open)", "review", "/care/flags/abc/")
    chart = trend_charts.build_chart(
        "leg-pain", timeline(LEG), FIRST_TWO_WEEKS, flags=[flag], care_team=True
    )
    table = charts.table(chart)
    assert table.headers == (
        "Date",
        "Week since surgery",
        "Leg pain: each day",
        "Leg pain: 7-day average",
        "Flags",
    )
    assert len(table.rows) == 13  # day 0 has nothing recorded
    row = table.rows[9]  # day 10
    assert [cell.text for cell in row] == [
        (day(10)).strftime("%-d %b %Y"),
        "1",
        "3",
        "3",
        "P1-REBOUND (Review, Open)",
    ]
    assert row[-1].href == "/care/flags/abc/"
    assert any("Meaningful improvement: 4.2 or lower" in note for note in table.notes)


# Wording -------------------------------------------------------------------------------------


def last_week(leg_pain, **baselines):
    return timeline(series(20, leg_pain=[leg_pain] * 7), **baselines)


@pytest.mark.parametrize(
    ("current", "sentence"),
    [
        (3, "Your leg pain is 40 % lower than before surgery. That is a meaningful improvement."),
        (4, "Your leg pain is 20 % lower than before surgery. That is a small change so far."),
        (5, "Your leg pain is about the same as before surgery (5 out of 10 on average)."),
        (
            6,
            "Your leg pain is 20 % higher than before surgery. If it worries you, "
            "call your surgical team.",
        ),
    ],
)
def test_encouraging_but_honest_pain_sentence(current, sentence):
    tl = last_week(current, baseline_leg_pain=5)
    assert trend_summaries.pain_sentence(tl, "leg_pain", day(30)) == sentence


def test_pain_sentence_names_a_post_operative_baseline():
    tl = timeline(series(1, back_pain=[8, 8, 8] + [4] * 7))
    assert trend_summaries.pain_sentence(tl, "back_pain", day(10)) == (
        "Your back pain is 50 % lower than in your first days after surgery. "
        "That is a meaningful improvement."
    )


def test_pain_sentence_needs_4_days_of_the_last_7():
    tl = timeline(series(20, leg_pain=[3, 3, 3]), baseline_leg_pain=5)
    assert trend_summaries.pain_sentence(tl, "leg_pain", day(30)).startswith(
        "Check in on at least 4 days"
    )


def test_care_team_wording_gives_numbers_and_the_baseline_used():
    tl = last_week(3, baseline_leg_pain=5)
    sentence = trend_summaries.pain_sentence(tl, "leg_pain", day(30), care_team=True)
    assert sentence == (
        f"7-day average 3 on {day(26).strftime('%-d %b')} against a baseline of 5 "
        "(pre-operative): −2 points, −40 %. Meaningful improvement: ≥ 2 points or ≥ 30 % "
        "(§2, Ostelo 2008 [E])."
    )


def test_care_summary_change_from_baseline():
    tl = timeline(
        series(1, back_pain=[6, 6, 6] + [4] * 30, leg_pain=[5] * 33),
        questionnaires=[score("peg", 3, 6), score("peg", 30, 3)],
        baseline_leg_pain=8,
    )
    summary = trend_summaries.care_summary(tl, day(33))
    assert (summary.weeks_since_surgery, summary.last_checkin) == (4, day(33))
    back, leg, peg = summary.measures
    assert (back.baseline, back.baseline_source, back.current) == (
        6,
        "mean of the first 3 check-ins of post-operative days 1–14",
        4,
    )
    assert (back.points, back.meaningful) == (-2, True)
    assert (leg.baseline_source, leg.points, round(leg.percent)) == ("pre-operative", -3, -38)
    assert (peg.baseline, peg.baseline_source, peg.current, peg.meaningful) == (
        6,
        "first post-operative score",
        3,
        True,
    )
    assert summary.adherence == "No exercise programme yet"


def test_walking_sentence_compares_with_the_first_week():
    tl = timeline(series(1, walking_minutes=[5] * 7 + [10] * 7 + [30] * 7))
    assert trend_summaries.walking_sentence(tl, day(21)) == (
        "Your longest walk has averaged 30 minutes a day over your last 7 days. "
        "In your first week after surgery it was 5 minutes."
    )


def test_chart_description_names_the_period_and_the_summary():
    period = Period(day(0), day(30))
    chart = trend_charts.build_chart("leg-pain", last_week(3, baseline_leg_pain=5), period)
    start, end = (d.strftime("%-d %b %Y") for d in (period.start, period.end))
    assert chart.description == (
        f"Leg pain, {start} to {end}. Your leg pain is 40 % lower than before surgery. "
        "That is a meaningful improvement."
    )


# A clinic's own §2 values ------------------------------------------------------------------

# Leg pain 5 before surgery, 3.5 on average lately: 1.5 points and 30 % lower.
HALF_POINT_SHORT = series(25, leg_pain=[3, 4, 3, 4, 3, 4])
CLINIC_40 = Thresholds.from_overrides({"mcid_pain_percent": 40}).meaningful_change


def test_with_no_clinic_values_the_reference_table_is_used():
    assert Thresholds().meaningful_change == trend_charts.MEANINGFUL_CHANGE


def test_clinic_percent_moves_the_pain_improvement_line_and_its_note():
    tl = timeline(HALF_POINT_SHORT, baseline_leg_pain=5)
    period = Period(day(24), day(30))
    default = trend_charts.build_chart("leg-pain", tl, period, care_team=True)
    clinic = trend_charts.build_chart(
        "leg-pain", tl, period, care_team=True, change_table=CLINIC_40
    )
    # The easier of 2 points and the percentage: 30 % of 5 is 1.5, 40 % of 5 is 2.
    assert dataset(charts.chartjs_data(default), "Meaningful improvement")["data"][0] == 3.5
    assert dataset(charts.chartjs_data(clinic), "Meaningful improvement")["data"][0] == 3
    assert clinic.notes[1] == (
        "Meaningful improvement: 3 or lower (≥ 2 points or ≥ 40 % below the baseline, "
        "whichever comes first; clinic setting; §2: ≥ 2 points or ≥ 30 %, Ostelo 2008 [E])."
    )
    assert default.notes[1] == (
        "Meaningful improvement: 3.5 or lower (≥ 2 points or ≥ 30 % below the baseline, "
        "whichever comes first; §2, Ostelo 2008 [E])."
    )


def test_clinic_percent_changes_what_the_pain_sentence_calls_meaningful():
    tl = timeline(HALF_POINT_SHORT, baseline_leg_pain=5)
    assert trend_summaries.pain_sentence(tl, "leg_pain", day(30)) == (
        "Your leg pain is 30 % lower than before surgery. That is a meaningful improvement."
    )
    assert trend_summaries.pain_sentence(tl, "leg_pain", day(30), change_table=CLINIC_40) == (
        "Your leg pain is 30 % lower than before surgery. That is a small change so far."
    )
    care = trend_summaries.pain_sentence(
        tl, "leg_pain", day(30), care_team=True, change_table=CLINIC_40
    )
    assert "Meaningful improvement" not in care
    better = timeline(series(23, leg_pain=[3] * 8), baseline_leg_pain=5)  # 40 %
    care = trend_summaries.pain_sentence(
        better, "leg_pain", day(30), care_team=True, change_table=CLINIC_40
    )
    assert care.endswith(
        "Meaningful improvement: ≥ 2 points or ≥ 40 % "
        "(clinic setting; §2: ≥ 2 points or ≥ 30 %, Ostelo 2008 [E])."
    )


def test_clinic_peg_percent_moves_the_peg_line_the_sentence_and_the_summary():
    tl = timeline(questionnaires=[score("peg", 2, 8), score("peg", 9, 5.4)])  # 32.5 % lower
    clinic = Thresholds.from_overrides({"mcid_peg_percent": 40}).meaningful_change
    default = trend_charts.build_chart("peg", tl, FIRST_TWO_WEEKS, care_team=True)
    chart = trend_charts.build_chart(
        "peg", tl, FIRST_TWO_WEEKS, care_team=True, change_table=clinic
    )
    assert dataset(charts.chartjs_data(default), "Meaningful improvement")["data"] == [5.6, 5.6]
    assert dataset(charts.chartjs_data(chart), "Meaningful improvement")["data"] == [4.8, 4.8]
    assert "≥ 40 % below the baseline; clinic setting; §2: ≥ 30 %" in chart.notes[1]
    assert default.summary.endswith(
        "Meaningful improvement: ≥ 30 % (§2, no settled MCID, by analogy [D])."
    )
    assert "Meaningful improvement" not in chart.summary
    peg = trend_summaries.care_summary(tl, day(13), clinic).measures[2]
    assert (peg.meaningful, peg.threshold) == (
        False,
        "≥ 40 % (clinic setting; §2: ≥ 30 %, no settled MCID, by analogy [D])",
    )
    assert trend_summaries.care_summary(tl, day(13)).measures[2].meaningful is True
