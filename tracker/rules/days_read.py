"""Which days of a timeline a rule reads, so a save and the nightly run load only those.

Every rule declares them in its `RuleInfo.days` (a `DaysRead`), next to its clinical basis:
- spans of days it reads on `as_of`: a window ending on `as_of` (`Lookback`, e.g. §4 P7's
  last 7 days) or post-operative days fixed by the surgery date (`PostOperative`, e.g. the §2
  baseline days 1-14 of P3, or P10's days 90-180), each with the check-in fields read there;
- the post-operative days on which it can fire at all (`from_day`, `until_day`): outside them
  it reads nothing;
- whether it reads the latest check-in however old (`latest_checkin`, §4 P12's silence).
Lengths that a clinic can change are functions of its `Thresholds`. Questionnaires are few
(weekly at most), so a rule's instruments (`RuleInfo.questionnaires`) are read whole; a span
without check-in fields marks the days whose questionnaires decide it.

`days_needed` is the union over the rules to run, for the loader
(`tracker.models.timelines.rule_timeline`); `DaysRead.holds` says whether a rule's window on
`as_of` contains a day, i.e. whether saving that day's check-in can change what it finds.
tests/flags/test_incremental.py holds a timeline loaded this way to the same findings as the
whole history, for every rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.rules.thresholds import Thresholds
from tracker.timeline import DayRecord
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES, SYMPTOM_CODES

# A number of days: fixed, or read from the clinic's thresholds.
Days = int | Callable[[Thresholds], int]

# The check-in fields a rule may read (`DayRecord` without its date).
DAY_FIELDS: tuple[str, ...] = tuple(
    field.name for field in dataclasses.fields(DayRecord) if field.name != "day"
)
# What `RuleInfo.reads` may name besides check-in fields: the timeline's own pre-operative
# baselines (always loaded with it) and the check-in's date (P12).
TIMELINE_READS = frozenset({"baseline_back_pain", "baseline_leg_pain", "day"})


def day_fields(reads: Iterable[str]) -> tuple[str, ...]:
    """The check-in fields behind `RuleInfo.reads`: a §3 answer code is read from
    `safety_answers`, a §1.2 symptom code from `symptoms`; a field name is itself.
    Raises ValueError for a code that is none of these."""
    found: list[str] = []
    for code in reads:
        if code in SAFETY_ANSWER_CODES:
            name = "safety_answers"
        elif code in SYMPTOM_CODES:
            name = "symptoms"
        elif code in DAY_FIELDS:
            name = code
        elif code in TIMELINE_READS:
            continue
        else:
            raise ValueError(f"{code!r} is not an answer code, symptom code or check-in field")
        if name not in found:
            found.append(name)
    return tuple(found)


def count(days: Days, thresholds: Thresholds) -> int:
    return int(days(thresholds) if callable(days) else days)


@dataclass(frozen=True)
class Lookback:
    """`as_of` and the `days - 1` days before it; `days=None` is every day up to `as_of`.

    `fields` are the check-in fields read there: None for every field of the rule's
    `reads`, () for none (questionnaire days).
    """

    days: Days | None
    fields: tuple[str, ...] | None = None

    def dates(self, surgery_date: date, as_of: date, thresholds: Thresholds) -> DateSpan:
        if self.days is None:
            return None, as_of
        return as_of - timedelta(days=max(count(self.days, thresholds), 1) - 1), as_of


@dataclass(frozen=True)
class PostOperative:
    """Post-operative days `first` … `last` (0 = the day of surgery; `last=None`: up to
    `as_of`), read whatever `as_of` is (a baseline, a fixed period), never past `as_of`.

    `fields` as for `Lookback`.
    """

    first: Days
    last: Days | None = None
    fields: tuple[str, ...] | None = None

    def dates(self, surgery_date: date, as_of: date, thresholds: Thresholds) -> DateSpan:
        first = surgery_date + timedelta(days=count(self.first, thresholds))
        if self.last is None:
            return first, as_of
        return first, min(as_of, surgery_date + timedelta(days=count(self.last, thresholds)))


# (first, last) day of a span, both included; first None = from the start of the history.
DateSpan = tuple[date | None, date]


@dataclass(frozen=True)
class DaysRead:
    """What a rule reads of a timeline on `as_of` (see the module's docstring)."""

    spans: tuple[Lookback | PostOperative, ...] = ()
    # The post-operative days on which the rule can fire (None: no limit that side); outside
    # them it reads nothing. It may be quiet on some of these days; never on others.
    from_day: Days | None = None
    until_day: Days | None = None
    latest_checkin: bool = False

    def active(self, day_number: int, thresholds: Thresholds) -> bool:
        """True when the rule can fire `day_number` days after surgery."""
        if self.from_day is not None and day_number < count(self.from_day, thresholds):
            return False
        return self.until_day is None or day_number <= count(self.until_day, thresholds)

    def holds(self, surgery_date: date, as_of: date, day: date, thresholds: Thresholds) -> bool:
        """True when the rule's window on `as_of` contains `day`: saving that day's check-in
        can change what the rule finds on `as_of`."""
        if not self.active((as_of - surgery_date).days, thresholds):
            return False
        if self.latest_checkin and day <= as_of:
            return True
        for span in self.spans:
            first, last = span.dates(surgery_date, as_of, thresholds)
            if (first is None or first <= day) and day <= last:
                return True
        return False


@dataclass(frozen=True)
class DaysNeeded:
    """The union of what some rules read of one patient on `as_of`, for the loader.

    `fields` maps each check-in field to the spans of days it is needed on (merged, oldest
    first); `rows` are the spans of days whose check-ins are needed at all. A field outside
    its spans may be left at its default (None, "", empty).
    """

    as_of: date
    fields: Mapping[str, tuple[DateSpan, ...]]
    rows: tuple[DateSpan, ...]
    questionnaires: frozenset[str]
    latest_checkin: bool

    @property
    def first_day(self) -> date | None:
        """The first day any check-in is needed (None: from the start); as_of when none is."""
        return self.rows[0][0] if self.rows else self.as_of

    def needs_row(self, day: date) -> bool:
        return within(self.rows, day)

    def needs(self, field: str, day: date) -> bool:
        return within(self.fields.get(field, ()), day)


def within(spans: Iterable[DateSpan], day: date) -> bool:
    return any((first is None or first <= day) and day <= last for first, last in spans)


def merge(spans: Iterable[DateSpan]) -> tuple[DateSpan, ...]:
    """Spans joined where they overlap or touch, oldest first."""
    ordered = sorted(spans, key=lambda span: (span[0] is not None, span[0] or date.min))
    merged: list[DateSpan] = []
    for first, last in ordered:
        if merged:
            previous_first, previous_last = merged[-1]
            if first is None or first <= previous_last + timedelta(days=1):
                merged[-1] = (previous_first, max(previous_last, last))
                continue
        merged.append((first, last))
    return tuple(merged)


def days_needed(
    reads: Iterable[tuple[DaysRead, tuple[str, ...], tuple[str, ...]]],
    surgery_date: date,
    as_of: date,
    thresholds: Thresholds,
) -> DaysNeeded:
    """The union of (DaysRead, the check-in fields of its `reads`, its questionnaires) on
    `as_of`, leaving out what the rules that cannot fire that day would read."""
    day_number = (as_of - surgery_date).days
    fields: dict[str, list[DateSpan]] = {}
    rows: list[DateSpan] = []
    questionnaires: set[str] = set()
    latest = False
    for read, rule_fields, instruments in reads:
        if not read.active(day_number, thresholds):
            continue
        questionnaires.update(instruments)
        latest = latest or read.latest_checkin
        for span in read.spans:
            first, last = span.dates(surgery_date, as_of, thresholds)
            names = rule_fields if span.fields is None else span.fields
            if not names or (first is not None and first > last):
                continue
            rows.append((first, last))
            for name in names:
                fields.setdefault(name, []).append((first, last))
    return DaysNeeded(
        as_of=as_of,
        fields={name: merge(spans) for name, spans in fields.items()},
        rows=merge(rows),
        questionnaires=frozenset(questionnaires),
        latest_checkin=latest,
    )
