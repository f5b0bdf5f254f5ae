"""The windows of days pattern rules look at, and how those windows appear in evidence."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any, NamedTuple

from tracker.rules.definition import iso, rounded
from tracker.rules.thresholds import Thresholds
from tracker.timeline import DayRecord, Timeline
from tracker.trends.series import (
    FIRST_POSTOP_DAYS,
    answers_of,
    baseline,
    baseline_dates,
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
# first 14 days after surgery (`tracker.trends.series.baseline`, shared with the charts).
FIRST_RECORDED_DAYS = FIRST_POSTOP_DAYS


class DailyBaseline(NamedTuple):
    """The baseline of a daily measure (§2): its value, where it came from and its dates."""

    value: float
    source: str  # PRE_OPERATIVE or FIRST_RECORDED_DAYS
    dates: tuple[date, ...]  # the check-ins it is the mean of; () when pre-operative


def daily_baseline(timeline: Timeline, field: str) -> DailyBaseline | None:
    """The §2 baseline of `field` (`tracker.trends.series.baseline`) with the dates it is the
    mean of, or None when there is none: the pre-operative value entered at enrolment, else
    the mean of the first 3 days with a recorded value among post-operative days 1-14."""
    found = baseline(timeline, field)
    if found is None:
        return None
    return DailyBaseline(found.value, found.source, tuple(baseline_dates(timeline, field)))


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
