"""How red-flag rules read one day's check-in and word what they found."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.rules.days_read import DaysRead, Lookback
from tracker.rules.definition import RuleInfo, iso
from tracker.timeline import DayRecord, Finding, Level, Timeline
from tracker.timeline.vocabulary import answer_label
from tracker.trends.series import (
    answers_of,
    record_on,
)

# What most §3 rows read (RF-CES-*, RF-BILATERAL, RF-WEAKNESS-NEW, RF-CHEST, RF-CALF,
# RF-WOUND-BLEED, RF-NUMB-NEW, RF-FALL): the check-in of as_of and nothing else.
THE_DAY = DaysRead(spans=(Lookback(1),))


def day_evidence(record: DayRecord, **values: Any) -> dict[str, Any]:
    """Evidence of one check-in: its ISO date and the values a rule used."""
    return {"date": iso(record.day), **values}


def answered_yes(record: DayRecord, codes: frozenset[str] | set[str]) -> list[str]:
    """The codes among `codes` the patient answered yes to, sorted."""
    return sorted(answers_of(record) & codes)


def labels(items) -> str:
    """Answer codes (and any other reasons) as the care team reads them, comma-separated."""
    return ", ".join(answer_label(item) for item in items)


def post_op_day(timeline: Timeline, day: date) -> str:
    """Days since surgery as explanations say it ("post-operative day 10")."""
    return f"post-operative day {timeline.day_number(day)}"


def when(timeline: Timeline, day: date) -> str:
    """A date as explanations say it ("2026-03-12 (post-operative day 10)")."""
    return f"{iso(day)} ({post_op_day(timeline, day)})"


def answered_text(answers: list[str], timeline: Timeline, day: date) -> str:
    """The explanation's opening: which answers were yes, and when."""
    words = "; ".join(answer_label(code) for code in answers)
    return f"Patient answered yes to: {words}, on {when(timeline, day)}."


def single_answer_finding(
    info: RuleInfo,
    code: str,
    level: Level,
    noticed: str,
    meaning: str,
    timeline: Timeline,
    as_of: date,
) -> list[Finding]:
    """A finding at `level` when the check-in of `as_of` answers yes to `code`."""
    record = record_on(timeline, as_of)
    if record is None or code not in answers_of(record):
        return []
    explanation = f"Patient answered yes to: {meaning}, on {when(timeline, as_of)}."
    return [info.finding(level, noticed, explanation, [day_evidence(record, answers=[code])])]
