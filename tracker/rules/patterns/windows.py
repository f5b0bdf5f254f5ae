"""The windows of days pattern rules look at, and how those windows appear in evidence."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any, NamedTuple

from tracker.rules.definition import iso, rounded
from tracker.rules.thresholds import Thresholds
from tracker.timeline import DayRecord, Timeline
from tracker.trends.series import (
    PRE_OPERATIVE,
    answers_of,
    baseline,
    recorded_values,
    symptoms_of,
)

PAIN_FIELDS = ("back_pain", "leg_pain")
PAIN_NAMES = {"back_pain": "back pain", "leg_pain": "leg pain"}


def n_days(n: int) -> timedelta:
    """A span of n calendar days."""
    return timedelta(days=n)


def required_days(span_days: int, thresholds: Thresholds) -> int:
    """Recorded days a window of `span_days` needs: the §4 share of >= 4 in 7, rounded up."""
    return max(1, math.ceil(span_days * thresholds.trend_min_days / 7))


def post_operative_start(timeline: Timeline, start: date) -> date:
    """`start`, or the day of surgery when `start` is earlier: patterns read post-op data."""
    return max(start, timeline.surgery_date)


def neuro_signs(
    records: list[DayRecord], symptom_codes: frozenset[str], answer_codes: frozenset[str]
) -> list[dict[str, Any]]:
    """Evidence of the given neurological symptoms or answers on these records."""
    evidence = []
    for record in records:
        symptoms = sorted(set(symptoms_of(record)) & symptom_codes)
        answers = sorted(answers_of(record) & answer_codes)
        if symptoms or answers:
            evidence.append({"date": iso(record.day), "symptoms": symptoms, "answers": answers})
    return evidence


def mean_evidence(day: date, field: str, mean: float | None, **extra: Any) -> dict[str, Any]:
    """Evidence of a 7-day mean: {"date": …, "<field>_7_day_mean": …}."""
    return {"date": iso(day), f"{field}_7_day_mean": rounded(mean), **extra}


# §2 baseline without a pre-operative value: the mean of the first 3 recorded days within the
# first 14 days after surgery (days 1-14; day 0 mixes pre- and post-operative pain).
BASELINE_FIRST_DAY = 1
BASELINE_LAST_DAY = 14
BASELINE_RECORDED_DAYS = 3
FIRST_RECORDED_DAYS = "first 3 recorded days of post-operative days 1-14"


class DailyBaseline(NamedTuple):
    """The baseline of a daily measure (§2): its value, where it came from and its dates."""

    value: float
    source: str  # PRE_OPERATIVE or FIRST_RECORDED_DAYS
    dates: tuple[date, ...]  # the check-ins it is the mean of; () when pre-operative


def daily_baseline(timeline: Timeline, field: str) -> DailyBaseline | None:
    """The §2 baseline of `field`, or None when there is none.

    The pre-operative value entered at enrolment (as `tracker.trends.series.baseline` reads
    it), else the mean of the first 3 days with a recorded value among post-operative days
    1-14 (fewer when fewer are recorded; None when none is).

    Rule-side until `series.baseline` and `series.baseline_dates` compute the same fallback
    (today they use days 1-3 only); then this can return theirs.
    """
    found = baseline(timeline, field)
    if found is not None and found.source == PRE_OPERATIVE:
        return DailyBaseline(found.value, PRE_OPERATIVE, ())
    first = timeline.surgery_date + n_days(BASELINE_FIRST_DAY)
    last = timeline.surgery_date + n_days(BASELINE_LAST_DAY)
    values = recorded_values(timeline, first, last, field)[:BASELINE_RECORDED_DAYS]
    if not values:
        return None
    mean = sum(value for _, value in values) / len(values)
    return DailyBaseline(mean, FIRST_RECORDED_DAYS, tuple(day for day, _ in values))


def baseline_evidence(timeline: Timeline, field: str, found: DailyBaseline) -> dict[str, Any]:
    """Evidence for a daily-measure baseline; dated the surgery day when pre-operative."""
    return {
        "date": iso(found.dates[0] if found.dates else timeline.surgery_date),
        f"{field}_baseline": rounded(found.value),
        "baseline_source": found.source,
        "baseline_dates": [iso(day) for day in found.dates],
    }


def week_and_day(timeline: Timeline, day: date) -> str:
    """A date as explanations say it ("day 43 (week 6)")."""
    number = timeline.day_number(day)
    return f"day {number} (week {number // 7})"
