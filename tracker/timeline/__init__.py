"""A patient's recorded history as plain, immutable data.

Rules (tracker.rules), trends (tracker.trends.series), charts and reports all read a `Timeline`;
none of them touches the database. `tracker.models` builds one with a constant number of
queries (`Patient.timeline()`), tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property


class Level(StrEnum):
    """Severity levels of clinical-reference §3, most severe first."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    REVIEW = "review"

    @property
    def rank(self) -> int:
        """0 for emergency … 3 for review: sort ascending to put the most severe first."""
        return LEVEL_ORDER.index(self)


LEVEL_ORDER = (Level.EMERGENCY, Level.URGENT, Level.SOON, Level.REVIEW)


@dataclass(frozen=True)
class DayRecord:
    """One daily check-in (clinical-reference §1.1). None means "not answered"."""

    day: date
    back_pain: int | None = None
    leg_pain: int | None = None
    leg_side: str = ""  # "", "none", "left", "right", "both"
    # §1.2 symptom code -> side ("" where no side applies, else "left", "right", "both")
    symptoms: dict[str, str] = field(default_factory=dict)
    # §3 answer codes the patient answered "yes" to
    safety_answers: frozenset[str] = frozenset()
    temperature_c: float | None = None
    walking_minutes: int | None = None
    opioid_doses: int | None = None
    took_other_painkillers: bool | None = None
    took_nerve_pain_medicine: bool | None = None
    sleep_disturbance: int | None = None
    # Exercise sessions done and prescribed that day (None when no programme applies).
    exercise_done: int | None = None
    exercise_prescribed: int | None = None
    # RF-FEVER: the day's temperature readings as (when recorded: an aware ISO-8601 UTC
    # datetime string, °C). When not empty, rules use these instead of `temperature_c`, and
    # measure "within 24 hours" between the reading times.
    temperature_readings: tuple[tuple[str, float], ...] = ()
    # RF-NUMB-NEW: the side of the new or spreading numbness ("left", "right", "both"), asked
    # when `new_numbness` is answered yes; "" when not asked or not answered.
    new_numbness_side: str = ""

    @property
    def max_pain(self) -> int | None:
        values = [v for v in (self.back_pain, self.leg_pain) if v is not None]
        return max(values) if values else None


@dataclass(frozen=True)
class QuestionnaireScore:
    """A scored questionnaire (§1.3). `items` maps item linkId -> item score."""

    instrument: str  # "peg", "phq2", "phq9", "odi"
    day: date
    total: float
    items: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Timeline:
    """Everything the rules and trends need about one patient, sorted by day."""

    surgery_date: date
    days: tuple[DayRecord, ...] = ()
    questionnaires: tuple[QuestionnaireScore, ...] = ()
    # Pre-operative baselines entered at enrolment (§2); None when unknown.
    baseline_back_pain: float | None = None
    baseline_leg_pain: float | None = None

    @cached_property
    def by_day(self) -> dict[date, DayRecord]:
        """Day records keyed by date, built once per timeline (a later duplicate wins)."""
        return {record.day: record for record in self.days}

    @cached_property
    def checkin_dates(self) -> tuple[date, ...]:
        """The dates with a day record, ascending, built once per timeline."""
        return tuple(sorted(self.by_day))

    def day_number(self, day: date) -> int:
        """Days since surgery: 0 on the day of surgery."""
        return (day - self.surgery_date).days

    def until(self, as_of: date) -> Timeline:
        """The timeline as it was known at the end of `as_of`."""
        return Timeline(
            surgery_date=self.surgery_date,
            days=tuple(d for d in self.days if d.day <= as_of),
            questionnaires=tuple(q for q in self.questionnaires if q.day <= as_of),
            baseline_back_pain=self.baseline_back_pain,
            baseline_leg_pain=self.baseline_leg_pain,
        )


@dataclass(frozen=True)
class Finding:
    """What a rule noticed. Rules return these; the flag engine stores them.

    `evidence` lists the dates and values that triggered the rule, as plain JSON-able dicts
    (e.g. {"date": "2026-11-20", "back_pain": 8}), so a clinician can see exactly why.
    """

    rule_id: str  # as in clinical-reference, e.g. "RF-CES-BLADDER", "P1-REBOUND"
    rule_version: int
    level: Level
    patient_message: str
    clinician_explanation: str
    evidence: tuple[dict, ...]
    reference: str  # the reference row, e.g. "clinical-reference §3 RF-CES-BLADDER [E]"
    article: str = ""  # slug of the patient article behind it, where there is one
