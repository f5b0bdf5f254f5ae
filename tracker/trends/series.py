"""Trends over a patient's timeline: the one implementation used by rules, charts and reports.

Everything here is a pure function of a `Timeline` (no database, no clock). Days are looked up
through `Timeline.by_day` / `Timeline.checkin_dates`, which are built once per timeline, so a
window costs time proportional to its length, and a series over the whole timeline is linear.

Conventions:
- a "field" is a numeric `DayRecord` attribute: "back_pain", "leg_pain", "max_pain",
  "walking_minutes", "opioid_doses", "sleep_disturbance", …; None means "not recorded";
- windows are calendar days and include both ends;
- "7-day mean" = mean of the recorded values in the 7 days ending on a date, and only when at
  least `min_days` of those days have a value (clinical-reference §4: ≥ 4 of 7 [D]).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from tracker.questionnaires.scoring import MEANINGFUL_CHANGE
from tracker.timeline import DayRecord, QuestionnaireScore, Timeline

WINDOW_DAYS = 7
MIN_RECORDED_DAYS = 4  # §4 [D]: a trend rule runs only with data on >= 4 of the last 7 days

# §2: without a pre-operative value, the baseline is the mean of the first 3 post-operative
# days; those are the first 3 days with a recorded value among days 1-14 (day 0 mixes pre- and
# post-operative pain; a patient who starts checking in late still gets a baseline) [D].
BASELINE_FIRST_POSTOP_DAY = 1
BASELINE_LAST_POSTOP_DAY = 14
BASELINE_POSTOP_DAYS = 3
PRE_OPERATIVE = "pre-operative"
FIRST_POSTOP_DAYS = "first 3 recorded days of post-operative days 1-14"
# Questionnaires (ODI, PEG, PHQ-9) without a pre-operative score fall back to the first score
# in the first 3 weeks [D]; a later score would hide the improvement it is compared with.
QUESTIONNAIRE_BASELINE_LAST_DAY = 21
FIRST_POSTOP_SCORE = "first post-operative score"

_TOLERANCE = 1e-9


def reaches(value: float, threshold: float) -> bool:
    """value >= threshold, forgiving float rounding (3.9 - 3.0 is "0.9" and must reach 0.9)."""
    return value >= threshold - _TOLERANCE


def numeric(value: object) -> float | None:
    """A recorded number (an int stays an int); None for anything missing or not finite."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, int):
        return value
    number = float(value)
    return number if math.isfinite(number) else None


def record_on(timeline: Timeline, day: date) -> DayRecord | None:
    """The check-in of `day`, or None."""
    return timeline.by_day.get(day)


def value_on(timeline: Timeline, day: date, field: str) -> float | None:
    """The value of `field` recorded on `day`, or None."""
    record = timeline.by_day.get(day)
    return None if record is None else numeric(getattr(record, field))


def records_between(timeline: Timeline, start: date, end: date) -> list[DayRecord]:
    """Check-ins dated start … end (inclusive), oldest first."""
    dates = timeline.checkin_dates
    lo = bisect_left(dates, start)
    hi = bisect_right(dates, end)
    return [timeline.by_day[day] for day in dates[lo:hi]]


def last_checkin(timeline: Timeline, as_of: date) -> date | None:
    """The date of the latest check-in on or before `as_of`."""
    dates = timeline.checkin_dates
    index = bisect_right(dates, as_of)
    return dates[index - 1] if index else None


def recorded_values(
    timeline: Timeline, start: date, end: date, field: str
) -> list[tuple[date, float]]:
    """(date, value) for each day start … end on which `field` was recorded, oldest first."""
    values = []
    for record in records_between(timeline, start, end):
        value = numeric(getattr(record, field))
        if value is not None:
            values.append((record.day, value))
    return values


def window_mean(
    timeline: Timeline, start: date, end: date, field: str, min_days: int = 1
) -> float | None:
    """Mean of the values of `field` recorded start … end; None with fewer than `min_days`."""
    values = [value for _, value in recorded_values(timeline, start, end, field)]
    if not values or len(values) < min_days:
        return None
    return sum(values) / len(values)


def seven_day_mean(
    timeline: Timeline,
    as_of: date,
    field: str,
    min_days: int = MIN_RECORDED_DAYS,
    window_days: int = WINDOW_DAYS,
) -> float | None:
    """Mean of `field` over the 7 days ending on `as_of` (§4).

    None when fewer than `min_days` of those days have a value.
    """
    start = as_of - timedelta(days=window_days - 1)
    return window_mean(timeline, start, as_of, field, min_days=max(min_days, 1))


def rolling_means(
    timeline: Timeline,
    field: str,
    start: date | None = None,
    end: date | None = None,
    min_days: int = MIN_RECORDED_DAYS,
    window_days: int = WINDOW_DAYS,
) -> list[tuple[date, float]]:
    """The 7-day mean of `field` for every date start … end that has one, oldest first.

    Only values dated start … end are used (pass the surgery date as `start` for a
    post-operative series). Dates whose window has fewer than `min_days` values are left out.
    Linear in the number of dates covered.
    """
    points = [
        (day, value)
        for day, value in recorded_values(timeline, start or date.min, end or date.max, field)
    ]
    if not points:
        return []
    first = start or points[0][0]
    last = end or points[-1][0] + timedelta(days=window_days - 1)
    need = max(min_days, 1)
    series: list[tuple[date, float]] = []
    total = 0.0
    lo = hi = 0  # points[lo:hi] are in the window ending on `day`
    day = first
    while day <= last:
        while hi < len(points) and points[hi][0] <= day:
            total += points[hi][1]
            hi += 1
        window_start = day - timedelta(days=window_days - 1)
        while lo < hi and points[lo][0] < window_start:
            total -= points[lo][1]
            lo += 1
        if hi - lo >= need:
            series.append((day, total / (hi - lo)))
        if lo == hi:
            # Empty window: jump to the first date whose window holds the next value.
            if hi == len(points):
                break
            day = max(day + timedelta(days=1), points[hi][0])
        else:
            day += timedelta(days=1)
    return series


class Baseline(NamedTuple):
    """A baseline value and where it came from (§2: show clinicians which one was used)."""

    value: float
    source: str  # PRE_OPERATIVE, FIRST_POSTOP_DAYS or FIRST_POSTOP_SCORE


_PRE_OPERATIVE_FIELDS = {"back_pain": "baseline_back_pain", "leg_pain": "baseline_leg_pain"}


def baseline(timeline: Timeline, field: str) -> Baseline | None:
    """The baseline of a daily measure (§2), or None when there is none.

    The pre-operative value entered at enrolment (back and leg pain), else the mean of the
    first 3 days with a recorded value among post-operative days 1-14 (fewer when fewer are
    recorded). Day 0, the day of surgery, mixes pre- and post-operative pain and is left out.
    The rules (P3), charts, summaries and reports all read this one baseline.
    """
    attribute = _PRE_OPERATIVE_FIELDS.get(field)
    if attribute is not None:
        pre_operative = numeric(getattr(timeline, attribute))
        if pre_operative is not None:
            return Baseline(pre_operative, PRE_OPERATIVE)
    values = _first_postop_values(timeline, field)
    if not values:
        return None
    return Baseline(sum(value for _, value in values) / len(values), FIRST_POSTOP_DAYS)


def _first_postop_values(timeline: Timeline, field: str) -> list[tuple[date, float]]:
    first = timeline.surgery_date + timedelta(days=BASELINE_FIRST_POSTOP_DAY)
    last = timeline.surgery_date + timedelta(days=BASELINE_LAST_POSTOP_DAY)
    return recorded_values(timeline, first, last, field)[:BASELINE_POSTOP_DAYS]


def baseline_dates(timeline: Timeline, field: str) -> list[date]:
    """The check-in dates a post-operative baseline of `field` is the mean of; [] when the
    baseline is pre-operative or there is none."""
    found = baseline(timeline, field)
    if found is None or found.source != FIRST_POSTOP_DAYS:
        return []
    return [day for day, _ in _first_postop_values(timeline, field)]


def scores(
    timeline: Timeline, instrument: str, as_of: date | None = None
) -> list[QuestionnaireScore]:
    """Scores of one instrument on or before `as_of` with a usable total, oldest first."""
    found = [
        score
        for score in timeline.questionnaires
        if score.instrument == instrument
        and numeric(score.total) is not None
        and (as_of is None or score.day <= as_of)
    ]
    return sorted(found, key=lambda score: score.day)


def questionnaire_baseline(
    timeline: Timeline, instrument: str
) -> tuple[Baseline, QuestionnaireScore] | None:
    """The baseline score of an instrument and the score it came from, or None.

    The latest score dated before the day of surgery (pre-operative, usually entered at
    enrolment), else the first score of the first 3 post-operative weeks. A score dated on the
    day of surgery is post-operative: it is answered after the operation, about it.
    """
    found = scores(timeline, instrument)
    before = [score for score in found if score.day < timeline.surgery_date]
    if before:
        score = before[-1]
        return Baseline(float(score.total), PRE_OPERATIVE), score
    last_day = timeline.surgery_date + timedelta(days=QUESTIONNAIRE_BASELINE_LAST_DAY)
    for score in found:
        if score.day <= last_day:
            return Baseline(float(score.total), FIRST_POSTOP_SCORE), score
    return None


class Change(NamedTuple):
    """Change from baseline. Negative points mean the value fell (pain improved)."""

    points: float
    percent: float | None  # None when the baseline is 0


def change_from_baseline(baseline_value: float, current: float) -> Change:
    """current − baseline, in points and in percent of the baseline."""
    points = current - baseline_value
    percent = None if baseline_value == 0 else points / baseline_value * 100
    return Change(points, percent)


_PAIN_CHANGE = MEANINGFUL_CHANGE["pain"]


def meaningful_improvement(
    baseline_value: float,
    current: float,
    points: float | None = _PAIN_CHANGE.points,
    percent: float | None = _PAIN_CHANGE.percent,
) -> bool:
    """True when `current` is better than baseline by ≥ `points` OR ≥ `percent` % (§2).

    The defaults are the reference's pain row; pass the clinic's (`Thresholds.meaningful_change`).
    A criterion given as None does not apply.
    """
    fall = baseline_value - current
    if points is not None and reaches(fall, points):
        return True
    return (
        percent is not None and baseline_value > 0 and reaches(fall / baseline_value * 100, percent)
    )


def week_since_surgery(timeline: Timeline, day: date) -> int:
    """Whole weeks since surgery: week 0 is the day of surgery and the 6 days after it."""
    return timeline.day_number(day) // 7


def week_dates(timeline: Timeline, week: int) -> tuple[date, date]:
    """First and last date of a week since surgery."""
    first = timeline.surgery_date + timedelta(days=7 * week)
    return first, first + timedelta(days=6)


class Adherence(NamedTuple):
    """Exercise sessions done and prescribed over a period."""

    done: int
    prescribed: int

    @property
    def percent(self) -> float | None:
        """Done as a percentage of prescribed; None when nothing was prescribed."""
        return self.done / self.prescribed * 100 if self.prescribed > 0 else None


def adherence_between(timeline: Timeline, start: date, end: date) -> Adherence:
    """Sessions done and prescribed on the check-ins start … end.

    Only days with a prescription count; sessions beyond the prescription are not counted,
    so extra work one day cannot hide missed days.
    """
    done = prescribed = 0
    for record in records_between(timeline, start, end):
        counted = sessions_counted(record.exercise_done, record.exercise_prescribed)
        if counted is not None:
            done += counted[0]
            prescribed += counted[1]
    return Adherence(done, prescribed)


def sessions_counted(done: object, prescribed: object) -> tuple[int, int] | None:
    """(done, prescribed) as adherence counts them; None when nothing was prescribed.

    Sessions beyond the prescription are not counted, so extra work cannot hide missed work.
    """
    day_prescribed = numeric(prescribed)
    if day_prescribed is None or day_prescribed <= 0:
        return None
    day_done = max(numeric(done) or 0, 0)
    return int(min(day_done, day_prescribed)), int(day_prescribed)


class WeekAdherence(NamedTuple):
    week: int  # weeks since surgery, 0 = days 0-6
    start: date
    end: date
    adherence: Adherence


def weekly_adherence(timeline: Timeline, as_of: date | None = None) -> list[WeekAdherence]:
    """Adherence per week since surgery, for the weeks with a prescription up to `as_of`.

    A week that contains `as_of` is counted up to `as_of`.
    """
    weeks: dict[int, list[int]] = {}
    end = as_of or date.max
    for record in records_between(timeline, timeline.surgery_date, end):
        counted = sessions_counted(record.exercise_done, record.exercise_prescribed)
        if counted is None:
            continue
        totals = weeks.setdefault(week_since_surgery(timeline, record.day), [0, 0])
        totals[0] += counted[0]
        totals[1] += counted[1]
    result = []
    for week in sorted(weeks):
        first, last = week_dates(timeline, week)
        if as_of is not None:
            last = min(last, as_of)
        result.append(WeekAdherence(week, first, last, Adherence(*weeks[week])))
    return result


class ExerciseSessions(NamedTuple):
    """One exercise's sessions on one day, as logged in the check-in."""

    day: date
    exercise: str
    done: int
    prescribed: int


def adherence_by_exercise(
    sessions: Iterable[ExerciseSessions], start: date, end: date
) -> dict[str, Adherence]:
    """Adherence per exercise over start … end, counted as `adherence_between` counts days."""
    totals: dict[str, list[int]] = {}
    for entry in sessions:
        counted = sessions_counted(entry.done, entry.prescribed)
        if counted is None or not start <= entry.day <= end:
            continue
        total = totals.setdefault(entry.exercise, [0, 0])
        total[0] += counted[0]
        total[1] += counted[1]
    return {name: Adherence(*total) for name, total in sorted(totals.items())}


# §4 principle: a trend compares multi-day means. A change of a whole point between two
# consecutive 7-day means is shown as "up" or "down" [D].
TREND_STEP = 1.0


def pain_trend(timeline: Timeline, as_of: date, field: str = "max_pain") -> str | None:
    """The direction of `field`: "up", "down" or "flat".

    The 7-day mean ending `as_of` against the 7 days before it; None when either week has
    fewer than 4 recorded days (§4).
    """
    current = seven_day_mean(timeline, as_of, field)
    before = seven_day_mean(timeline, as_of - timedelta(days=WINDOW_DAYS), field)
    if current is None or before is None:
        return None
    if reaches(current - before, TREND_STEP):
        return "up"
    if reaches(before - current, TREND_STEP):
        return "down"
    return "flat"


def symptom_days(timeline: Timeline, code: str, start: date, end: date) -> list[date]:
    """The dates start … end on which symptom `code` was ticked."""
    return [
        record.day
        for record in records_between(timeline, start, end)
        if code in symptoms_of(record)
    ]


def symptom_day_counts(timeline: Timeline, start: date, end: date) -> dict[str, int]:
    """How many days start … end each ticked symptom was present, by symptom code."""
    counts: Counter[str] = Counter()
    for record in records_between(timeline, start, end):
        counts.update(symptoms_of(record).keys())
    return dict(sorted(counts.items()))


def symptoms_of(record: DayRecord) -> dict[str, str]:
    """A record's symptoms as code -> side, tolerating a missing or malformed value."""
    symptoms = record.symptoms
    if isinstance(symptoms, dict):
        return {str(code): side if isinstance(side, str) else "" for code, side in symptoms.items()}
    if isinstance(symptoms, list | tuple | set | frozenset):
        return {str(code): "" for code in symptoms}
    return {}


def answers_of(record: DayRecord) -> frozenset[str]:
    """A record's "yes" safety answers, tolerating a missing or malformed value."""
    answers = record.safety_answers
    if isinstance(answers, str):
        return frozenset({answers})
    if isinstance(answers, dict):
        return frozenset(str(code) for code, yes in answers.items() if yes is True)
    try:
        return frozenset(str(code) for code in answers or ())
    except TypeError:
        return frozenset()


def walking_series(
    timeline: Timeline, start: date | None = None, end: date | None = None
) -> list[tuple[date, float]]:
    """Recorded longest-walk minutes per day (use `rolling_means` for the 7-day trend)."""
    return recorded_values(timeline, start or date.min, end or date.max, "walking_minutes")


class OpioidDays(NamedTuple):
    """Days with an opioid dose among the days on which opioid use was recorded."""

    with_opioid: tuple[date, ...]
    recorded: int

    @property
    def percent(self) -> float | None:
        return len(self.with_opioid) / self.recorded * 100 if self.recorded else None


def opioid_days(timeline: Timeline, start: date, end: date) -> OpioidDays:
    """Days start … end with opioid_doses > 0, out of the days where opioid_doses was answered."""
    recorded = recorded_values(timeline, start, end, "opioid_doses")
    return OpioidDays(tuple(day for day, doses in recorded if doses > 0), len(recorded))


def improvement_level(
    baseline_value: float,
    points: float | None = _PAIN_CHANGE.points,
    percent: float | None = _PAIN_CHANGE.percent,
) -> float:
    """The value at or below which a score is a meaningful improvement on `baseline_value`.

    §2: ≥ `points` OR ≥ `percent` % lower, so whichever of the two is reached first (a
    criterion given as None does not apply). Never below 0 (with a baseline of 0 there is no
    improvement to reach).
    """
    falls = [] if points is None else [points]
    if percent is not None:
        falls.append(baseline_value * percent / 100)
    if not falls:
        return 0.0
    return max(baseline_value - min(falls), 0)


def daily_values(
    timeline: Timeline, field: str, start: date, end: date
) -> list[tuple[date, float | None]]:
    """One (date, value) for every calendar day start … end; None where nothing was recorded."""
    values = []
    day = start
    while day <= end:
        values.append((day, value_on(timeline, day, field)))
        day += timedelta(days=1)
    return values


def latest_seven_day_mean(
    timeline: Timeline, field: str, as_of: date, min_days: int = MIN_RECORDED_DAYS
) -> tuple[date, float] | None:
    """The 7-day mean of `field` ending on the latest check-in on or before `as_of` (§4).

    None when that window has fewer than `min_days` values: a single reading says too little.
    """
    last = last_checkin(timeline, as_of)
    if last is None:
        return None
    mean = seven_day_mean(timeline, last, field, min_days=min_days)
    return None if mean is None else (last, mean)


class WeekSymptoms(NamedTuple):
    week: int  # weeks since surgery
    start: date  # first day of the week that falls in the period asked for
    end: date
    checkins: int  # days with a check-in that week
    days: dict[str, int]  # symptom code -> days ticked that week


def weekly_symptom_days(timeline: Timeline, start: date, end: date) -> list[WeekSymptoms]:
    """Symptom days per week since surgery, for each week start … end with a check-in.

    A week cut by `start` or `end` counts only its days inside the period.
    """
    weeks: dict[int, tuple[int, Counter[str]]] = {}
    for record in records_between(timeline, start, end):
        week = week_since_surgery(timeline, record.day)
        checkins, counts = weeks.get(week, (0, Counter()))
        counts.update(symptoms_of(record).keys())
        weeks[week] = (checkins + 1, counts)
    result = []
    for week in sorted(weeks):
        first, last = week_dates(timeline, week)
        checkins, counts = weeks[week]
        result.append(
            WeekSymptoms(
                week, max(first, start), min(last, end), checkins, dict(sorted(counts.items()))
            )
        )
    return result
