"""Scoring questionnaires, meaningful change (clinical-reference §2) and the schedule (§1.3).

Definitions are loaded by `tracker.questionnaires.definitions`; the names most callers need are
importable from here too. Pure Python: plain data in, plain data out, no ORM, no request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tracker.questionnaires.definitions import (
    AnswerError,
    Definition,
    DefinitionError,
    Item,
    Schedule,
    _is_int,
    _is_number,
    available_definitions,
    clear_definition_cache,
    default_schedules,
    get_definition,
)

# Items that must reach the care team even when the rest of the questionnaire is unanswered
# (§3 RF-PHQ9-ITEM9: thoughts of self-harm, "never silent"), by instrument code.
SAFETY_ITEMS: dict[str, tuple[str, ...]] = {"phq9": ("phq-q9",)}
# An incomplete questionnaire kept for such an item is stored under its own code, so no score,
# chart or schedule takes it for a done questionnaire; the safety rule reads both codes.
PARTIAL_SUFFIX = "-partial"


def partial_code(code: str) -> str:
    """The code an incomplete `code` questionnaire is stored under."""
    return code + PARTIAL_SUFFIX


def split_partial(instrument: str) -> tuple[str, bool]:
    """(questionnaire code, whether the stored response is an incomplete one)."""
    if instrument.endswith(PARTIAL_SUFFIX):
        return instrument.removesuffix(PARTIAL_SUFFIX), True
    return instrument, False


__all__ = [
    "AnswerError",
    "Change",
    "ChangeThreshold",
    "Definition",
    "DefinitionError",
    "MEANINGFUL_CHANGE",
    "Score",
    "available_definitions",
    "clear_definition_cache",
    "default_schedules",
    "due_questionnaires",
    "get_definition",
    "meaningful_change",
    "score",
    "validate_answers",
]


# --- Scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """A scored questionnaire.

    `total` is None when fewer than the definition's minimum items were answered; `is_complete`
    says whether every item was answered. `flags` holds every flag the definition declares
    (e.g. "phq2_positive", "item9_positive"); item flags are evaluated even without a total.
    """

    instrument: str
    total: int | float | None
    items: Mapping[str, int]
    band: str | None
    is_complete: bool
    answered: int
    flags: Mapping[str, bool] = field(default_factory=dict)

    @property
    def phq2_positive(self) -> bool:
        return self.flags.get("phq2_positive", False)

    @property
    def item9_positive(self) -> bool:
        return self.flags.get("item9_positive", False)


def validate_answers(
    definition: Definition, answers: Mapping[str, int | str | None]
) -> dict[str, int]:
    """Item scores by linkId, in questionnaire order; None answers count as unanswered.

    A choice answer is an option code (str) or its ordinal value (int); an integer answer is an
    int within the item's range. Raises `AnswerError` (a ValueError) naming the item.
    """
    if not isinstance(answers, Mapping):
        raise AnswerError(f"{definition.code}: answers must map linkId to answer")
    by_link_id = {item.link_id: item for item in definition.items}
    scores: dict[str, int] = {}
    for link_id, value in answers.items():
        item = by_link_id.get(link_id)
        if item is None:
            raise AnswerError(f"{definition.code}: unknown item {link_id!r}", link_id)
        if value is not None:
            scores[link_id] = _item_score(definition, item, value)
    return {i.link_id: scores[i.link_id] for i in definition.items if i.link_id in scores}


def _item_score(definition: Definition, item: Item, value: Any) -> int:
    where = f"{definition.code} item {item.link_id!r}"
    if item.type == "choice":
        for option in item.options:
            if (isinstance(value, str) and value == option.code) or (
                _is_int(value) and value == option.value
            ):
                return option.value
        allowed = ", ".join(f"{o.value} ({o.code})" for o in item.options)
        raise AnswerError(f"{where}: {value!r} is not one of its options: {allowed}", item.link_id)
    if not _is_int(value):
        raise AnswerError(f"{where}: expects a whole number, got {value!r}", item.link_id)
    if not item.min_value <= value <= item.max_value:
        raise AnswerError(
            f"{where}: {value} is outside {item.min_value}-{item.max_value}", item.link_id
        )
    return value


def score(definition: Definition, answers: Mapping[str, int | str | None]) -> Score:
    """Score answers by the definition's rule (clinical-reference §1.3).

    sum: total of the items, every item needed. mean: mean of the answered items.
    odi-percent: sum ÷ (sum of the answered items' maxima, 5 per ODI section) × 100.
    mean and odi-percent round half up to `decimals` places.
    """
    items = validate_answers(definition, answers)
    answered = len(items)
    total = _total(definition, items) if answered >= definition.min_answered else None
    flags = {}
    for flag in definition.flags:
        value = items.get(flag.link_id) if flag.link_id else total
        flags[flag.name] = value is not None and value >= flag.at_least
    return Score(
        instrument=definition.code,
        total=total,
        items=items,
        band=definition.band_for(total),
        is_complete=answered == len(definition.items),
        answered=answered,
        flags=flags,
    )


def _total(definition: Definition, items: Mapping[str, int]) -> int | float:
    points = sum(items.values())
    if definition.rule == "sum":
        return points
    if definition.rule == "mean":
        exact = Fraction(points, len(items))
    else:
        possible = sum(definition.item(link_id).max_value for link_id in items)
        exact = Fraction(points * 100, possible)
    rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal(1).scaleb(-definition.decimals), rounding=ROUND_HALF_UP
    )
    return int(rounded) if definition.decimals == 0 else float(rounded)


# --- Meaningful change (clinical-reference §2) ------------------------------------------------


@dataclass(frozen=True)
class ChangeThreshold:
    """A change is meaningful at `points` or more, or `percent` % of baseline or more.

    `reference_points` and `reference_percent` are the values of clinical-reference §2; a
    clinic may set others (`with_values`), and every text then says so next to the reference.
    """

    points: float | None
    percent: float | None
    measure: str  # as §2 names it: "NRS pain", "ODI", "PHQ-9", "PEG"
    source: str  # the source and evidence label of the §2 row
    reference_points: float | None = None
    reference_percent: float | None = None

    def __post_init__(self) -> None:
        if self.reference_points is None and self.reference_percent is None:
            object.__setattr__(self, "reference_points", self.points)
            object.__setattr__(self, "reference_percent", self.percent)

    @property
    def clinic_setting(self) -> bool:
        """True when the clinic's values differ from those of clinical-reference §2."""
        return (self.points, self.percent) != (self.reference_points, self.reference_percent)

    @property
    def criteria(self) -> str:
        """E.g. "≥ 2 points or ≥ 30 %"."""
        return _criteria(self.points, self.percent)

    @property
    def reference_criteria(self) -> str:
        return _criteria(self.reference_points, self.reference_percent)

    @property
    def reference(self) -> str:
        """The threshold with its §2 row, source and evidence label, for clinicians."""
        row = f"clinical-reference §2 {self.measure}: {self.reference_criteria} ({self.source})"
        if self.clinic_setting:
            return f"{self.criteria} (clinic setting; {row})"
        return row

    def with_values(self, points: float | None, percent: float | None) -> ChangeThreshold:
        """The same row with a clinic's own values."""
        return replace(self, points=points, percent=percent)


def _criteria(points: float | None, percent: float | None) -> str:
    parts = []
    if points is not None:
        parts.append(f"≥ {points:g} points")
    if percent is not None:
        parts.append(f"≥ {percent:g} %")
    return " or ".join(parts) or "none"


# The one table of clinical-reference §2, by measure ("pain" is the NRS of back or leg pain).
# These are the defaults; `tracker.rules.thresholds.Thresholds.meaningful_change` applies a
# clinic's overrides to them, and rules, charts, summaries and reports read that table.
# Lower is better on all four. §2 states improvement thresholds; applying the same thresholds
# to worsening (P8: a PHQ-9 rise ≥ 5 notifies) is symmetric by design.
MEANINGFUL_CHANGE: Mapping[str, ChangeThreshold] = MappingProxyType(
    {
        "pain": ChangeThreshold(2, 30, "NRS pain", "Ostelo 2008 [E]"),
        "odi": ChangeThreshold(10, 30, "ODI", "Ostelo 2008 [E]; 30 % = success in NORDSTEN 2024"),
        "phq9": ChangeThreshold(5, None, "PHQ-9", "Löwe 2004 [E]"),
        "peg": ChangeThreshold(None, 30, "PEG", "no settled MCID, by analogy [D]"),
    }
)


@dataclass(frozen=True)
class Change:
    instrument: str
    baseline: float
    current: float
    difference: float  # current - baseline: negative is better
    percent: float | None  # difference as % of baseline; None when the baseline is 0
    improved: bool  # a meaningful improvement
    worsened: bool  # a meaningful worsening
    threshold: ChangeThreshold

    @property
    def meaningful(self) -> bool:
        return self.improved or self.worsened


def meaningful_change(
    instrument: str,
    baseline: float,
    current: float,
    table: Mapping[str, ChangeThreshold] = MEANINGFUL_CHANGE,
) -> Change:
    """Compare two totals of one instrument against its §2 threshold in `table` (the clinic's
    table, `Thresholds.meaningful_change`; the reference values of MEANINGFUL_CHANGE by default).

    With a baseline of 0 the percentage criterion does not apply.
    """
    threshold = table.get(instrument)
    if threshold is None:
        raise ValueError(
            f"no meaningful-change threshold for {instrument!r} (known: {', '.join(table)})"
        )
    for name, value in (("baseline", baseline), ("current", current)):
        if not _is_number(value) or value < 0:
            raise ValueError(f"{instrument}: {name} must be a number >= 0, got {value!r}")
    # Exact arithmetic, so that 40 -> 28 is exactly 30 % and 12.5 -> 7.5 exactly 5 points.
    exact_baseline, exact_current = _exact(baseline), _exact(current)
    difference = exact_current - exact_baseline

    def beyond(change: Fraction) -> bool:
        if threshold.points is not None and change >= _exact(threshold.points):
            return True
        return (
            threshold.percent is not None
            and exact_baseline > 0
            and change * 100 >= _exact(threshold.percent) * exact_baseline
        )

    return Change(
        instrument=instrument,
        baseline=baseline,
        current=current,
        difference=float(difference),
        percent=float(difference * 100 / exact_baseline) if exact_baseline else None,
        improved=beyond(-difference),
        worsened=beyond(difference),
        threshold=threshold,
    )


def _exact(value: float) -> Fraction:
    return Fraction(Decimal(str(value)))


# --- Schedule ---------------------------------------------------------------------------------


HistoryEntry = tuple[str, date, float | None]


def due_questionnaires(
    surgery_date: date,
    today: date,
    history: Iterable[HistoryEntry],
    schedules: Mapping[str, Schedule] | None = None,
    *,
    directory: str | Path | None = None,
) -> list[str]:
    """Instrument codes due today, in schedule order (clinical-reference §1.3).

    `history` holds (instrument code, date, total) for questionnaires already done; entries after
    `today` are ignored. `schedules` defaults to the definitions' own (`default_schedules`), whose
    shipped values are: PEG every 7 days, PHQ-2 every 14 days, PHQ-9 when the latest PHQ-2 is
    ≥ 3 and in the windows of days 42 and 84 ± 3. To change an interval, pass e.g.
    `{**default_schedules(), "peg": dataclasses.replace(default_schedules()["peg"], every_days=5)}`.

    An instrument is due when any of these holds:
      - every_days N: none of it (or of an instrument in `satisfied_by`) in the last N days,
        today included; so one done 7 days ago makes a 7-day instrument due again;
      - milestone day M: today is within M ± window_days of surgery and none of it was done in
        that window (each milestone once);
      - triggered_by X: the latest X has total ≥ trigger_at_least and none of it since that day.
    An instrument is dropped when one in its `satisfied_by` is also due (a PHQ-9 contains the
    PHQ-2). Nothing is due before the day of surgery.
    """
    if schedules is None:
        schedules = default_schedules(directory)
    if today < surgery_date:
        return []
    done: list[HistoryEntry] = []
    for code, day, total in history:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValueError(f"history entry for {code!r}: {day!r} is not a date")
        if day <= today:
            done.append((code, day, total))
    due = [
        code
        for code, schedule in schedules.items()
        if _is_due(code, schedule, surgery_date, today, done)
    ]
    return [code for code in due if not any(other in due for other in schedules[code].satisfied_by)]


def _is_due(
    code: str, schedule: Schedule, surgery_date: date, today: date, done: list[HistoryEntry]
) -> bool:
    own_days = [day for instrument, day, _ in done if instrument == code]
    if schedule.every_days is not None:
        counted = own_days + [day for c, day, _ in done if c in schedule.satisfied_by]
        if not any((today - day).days < schedule.every_days for day in counted):
            return True
    day_number = (today - surgery_date).days
    for milestone in schedule.milestone_days:
        if abs(day_number - milestone) <= schedule.window_days:
            start = surgery_date + timedelta(days=milestone - schedule.window_days)
            if not any(start <= day <= today for day in own_days):
                return True
    if schedule.triggered_by is not None and schedule.trigger_at_least is not None:
        latest: tuple[date, float | None] | None = None
        for instrument, day, total in done:
            if instrument == schedule.triggered_by and (latest is None or day >= latest[0]):
                latest = (day, total)
        if (
            latest is not None
            and latest[1] is not None
            and latest[1] >= schedule.trigger_at_least
            and not any(day >= latest[0] for day in own_days)
        ):
            return True
    return False
