"""Red flags of the wound and of infection (§3): fever, wound infection, bleeding, CSF leak."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from tracker.rules.days_read import DaysRead, Lookback
from tracker.rules.definition import RuleInfo, implements, iso
from tracker.rules.red_flags.answers import (
    THE_DAY,
    answered_text,
    answered_yes,
    day_evidence,
    post_op_day,
    when,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import DayRecord, Finding, Level, Timeline
from tracker.trends.series import (
    answers_of,
    numeric,
    reaches,
    record_on,
)

# RF-FEVER "two readings >= 37.8 °C within 24 h": the span of the reference row (not tunable).
FEVER_REPEAT_SPAN = timedelta(hours=24)


class Reading(NamedTuple):
    """One temperature reading of a check-in; `at` is None when its time is unknown."""

    day: date
    at: datetime | None  # aware, UTC
    celsius: float

    def evidence(self) -> dict[str, Any]:
        """{"date", "recorded_at" (only where the time is known), "temperature_c"}."""
        entry: dict[str, Any] = {"date": iso(self.day)}
        if self.at is not None:
            entry["recorded_at"] = self.at.isoformat()
        entry["temperature_c"] = self.celsius
        return entry


def _utc_time(stamp: object) -> datetime | None:
    """An aware ISO-8601 datetime string as UTC; None when missing, unreadable or naive."""
    if not isinstance(stamp, str):
        return None
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    return parsed.astimezone(UTC)


def readings_of(record: DayRecord) -> list[Reading]:
    """The temperature readings of a check-in, oldest first.

    Its `temperature_readings` with their times when it has any, else its single
    `temperature_c` with the time unknown. A reading without a usable value is left out; one
    whose time is unreadable or not timezone-aware keeps its value with the time unknown, so
    a high temperature is never dropped.
    """
    timed = []
    for entry in record.temperature_readings or ():
        try:
            stamp, value = entry
        except (TypeError, ValueError):
            continue
        celsius = numeric(value)
        if celsius is not None:
            timed.append(Reading(record.day, _utc_time(stamp), celsius))
    if timed:
        return sorted(timed, key=lambda r: (r.at is None, r.at or datetime.min.replace(tzinfo=UTC)))
    single = numeric(record.temperature_c)
    return [] if single is None else [Reading(record.day, None, single)]


def _readings_on(timeline: Timeline, day: date) -> list[Reading]:
    record = record_on(timeline, day)
    return [] if record is None else readings_of(record)


def within_24_hours(first: Reading, second: Reading) -> bool:
    """RF-FEVER "within 24 h": both on the same day; else, both timed, at most 24 hours
    apart; else (a time unknown) on consecutive days. Same-day readings always count, even
    on a 25-hour day, and an unknown time is read so as to catch more fevers, never fewer."""
    if first.day == second.day:
        return True
    if first.at is not None and second.at is not None:
        return abs(first.at - second.at) <= FEVER_REPEAT_SPAN
    return abs((first.day - second.day).days) <= 1


def fever_evidence(timeline: Timeline, day: date, thresholds: Thresholds) -> list[dict[str, Any]]:
    """The readings that make `day` a fever day by RF-FEVER, oldest first; [] when it is not.

    Fever = a reading of `day` >= fever_c (evidence: those readings), or a reading of `day`
    >= fever_repeat_c and another reading >= fever_repeat_c within 24 hours of it (see
    `within_24_hours`; the other may be on `day` or on a day before it). Evidence: every
    reading of such a pair, each as {"date", "recorded_at" where known, "temperature_c"}.
    """
    today = _readings_on(timeline, day)
    high = [r for r in today if reaches(r.celsius, thresholds.fever_c)]
    if high:
        return [r.evidence() for r in high]
    raised = [r for r in today if reaches(r.celsius, thresholds.fever_repeat_c)]
    if not raised:
        return []
    # Two days back as well: timed readings on the days around a short (DST) day may be
    # less than 24 hours apart.
    earlier = [
        r
        for back in (2, 1)
        for r in _readings_on(timeline, day - timedelta(days=back))
        if reaches(r.celsius, thresholds.fever_repeat_c)
    ]
    candidates = earlier + raised
    used: set[int] = set()
    for i, reading in enumerate(candidates[len(earlier) :], start=len(earlier)):
        partners = {
            j for j, other in enumerate(candidates) if j != i and within_24_hours(reading, other)
        }
        if partners:
            used |= partners | {i}
    return [candidates[i].evidence() for i in sorted(used)]


# RF-FEVER, and RF-WOUND and RF-CSF through it: the check-in of as_of and the 2 days before it
# (`fever_evidence` looks 2 days back for a second raised reading within 24 hours).
FEVER_DAYS = DaysRead(spans=(Lookback(3),))


def _unmeasured_fever(record: DayRecord) -> bool:
    """Feels feverish but recorded no temperature."""
    return "feverish" in answers_of(record) and not readings_of(record)


# v2: timed readings (`DayRecord.temperature_readings`), two raised readings on the same day,
# "within 24 hours" measured between reading times where both are known.
FEVER = RuleInfo(
    rule_id="RF-FEVER",
    version=2,
    section="§3",
    label="[E] 38.0 °C; repeat 37.8 °C [D]",
    title="Fever",
    position=10,
    levels=(Level.URGENT, Level.SOON),
    condition=(
        "A temperature of 38.0 °C or more, or two readings of 37.8 °C or more within 24 hours, "
        "one of them that day: urgent. Feeling feverish with no temperature recorded: soon, "
        "and the patient is asked to measure it, so a yes is never ignored."
    ),
    window=(
        "The day's check-in; for a second raised reading, the readings of the 2 days before "
        "that fall within 24 hours of it."
    ),
    sources=(
        "Discharge sheets use 38.0 °C (some 38.3 to 38.6 °C). Two readings of 37.8 °C is a "
        "design choice.",
    ),
    reads=("feverish", "temperature_c", "temperature_readings"),
    days=FEVER_DAYS,
)


@implements(FEVER)
def fever(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-FEVER [E]/[D]: temperature >= 38.0 °C, or two readings >= 37.8 °C within 24 h
    (the same day, or see `within_24_hours`), one of them on `as_of` -> urgent. Feeling
    feverish without a measured temperature -> soon, asking for a reading, so that a "yes"
    is never silently ignored. Readings: `readings_of` (timed readings, else temperature_c)."""
    record = record_on(timeline, as_of)
    if record is None:
        return []
    readings = fever_evidence(timeline, as_of, thresholds)
    if readings:
        values = ", ".join(
            f"{r['temperature_c']:g} °C on {r.get('recorded_at') or r['date']}" for r in readings
        )
        explanation = (
            f"Temperature {values} ({post_op_day(timeline, as_of)}); threshold "
            f"{thresholds.fever_c:g} °C once or {thresholds.fever_repeat_c:g} °C twice within "
            "24 hours."
        )
        noticed = (
            "Your temperature shows a fever. After surgery a fever can be a sign of infection, "
            "which your surgical team needs to check today."
        )
        return [FEVER.finding(Level.URGENT, noticed, explanation, readings)]
    if _unmeasured_fever(record):
        explanation = (
            f"Patient feels feverish on {when(timeline, as_of)} but recorded no "
            "temperature; asked to measure it."
        )
        noticed = (
            "You told us you feel feverish. If you can, please take your temperature and add it "
            f"to today's check-in. If it is {thresholds.fever_c:g} °C or higher, call your "
            "surgical team today."
        )
        evidence = [day_evidence(record, answers=["feverish"], temperature_c=None)]
        return [
            FEVER.finding(
                Level.SOON,
                noticed,
                explanation,
                evidence,
                instruction=(
                    "If you cannot take your temperature, call your surgeon's office within "
                    "the next 24 hours."
                ),
            )
        ]
    return []


# v2: "with fever" follows RF-FEVER v2 (`fever_evidence`).
WOUND = RuleInfo(
    rule_id="RF-WOUND",
    version=2,
    section="§3",
    label="[E]",
    title="Signs of wound infection",
    position=11,
    levels=(Level.URGENT, Level.REVIEW),
    condition=(
        "After post-operative day 2: spreading redness or warmth, pus, cloudy or smelly "
        "drainage, or the wound opening: urgent, said to be more pressing with a fever "
        "(RF-FEVER). On days 0 to 2, when some redness is part of healing, the answer goes to "
        "the care team for review rather than being dropped."
    ),
    window="The day's check-in, and RF-FEVER's readings for the fever.",
    sources=(
        "These are the signs of a surgical site infection; the reference names no single "
        "source for this row.",
    ),
    reads=("wound_infection_signs", "temperature_c", "temperature_readings"),
    days=FEVER_DAYS,
)


@implements(WOUND)
def wound_infection(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-WOUND [E]: after day 2, spreading redness, warmth, pus, cloudy or smelly drainage or
    the wound opening (`wound_infection_signs`) -> urgent, said to be more pressing with fever.
    On days 0-2 (some redness is part of early healing) the answer goes to the care team
    (review) rather than being dropped."""
    record = record_on(timeline, as_of)
    if record is None or "wound_infection_signs" not in answers_of(record):
        return []
    day_number = timeline.day_number(as_of)
    readings = fever_evidence(timeline, as_of, thresholds)
    evidence = [day_evidence(record, answers=["wound_infection_signs"], with_fever=bool(readings))]
    evidence.extend(readings)
    if day_number <= thresholds.wound_after_day:
        explanation = (
            f"Wound infection signs reported on {post_op_day(timeline, as_of)}, before the rule's "
            f"day-{thresholds.wound_after_day} start: for review."
        )
        noticed = (
            "You told us about changes at your wound. Some redness and warmth is normal in the "
            "first days after surgery. If it spreads, or you see pus or the wound opens, call "
            "your surgical team."
        )
        return [
            WOUND.finding(
                Level.REVIEW,
                noticed,
                explanation,
                evidence,
                instruction="Your care team will also look at your answer.",
            )
        ]
    explanation = f"Surgical site infection signs on {when(timeline, as_of)}."
    if readings:
        explanation += " Together with fever (RF-FEVER): higher priority."
        noticed = (
            "You told us about signs of infection at your wound, and you have a fever. Your "
            "surgical team needs to see this today, as early as you can."
        )
    else:
        noticed = (
            "You told us about signs of infection at your wound. Your surgical team needs to "
            "check this today."
        )
    return [WOUND.finding(Level.URGENT, noticed, explanation, evidence)]


WOUND_BLEED = RuleInfo(
    rule_id="RF-WOUND-BLEED",
    version=1,
    section="§3",
    label="[E]",
    title="Wound bleeding",
    position=12,
    levels=(Level.EMERGENCY, Level.URGENT),
    condition=(
        "Blood soaked through the dressing: urgent. Bleeding that does not stop with firm "
        "pressure: emergency."
    ),
    window="The day's check-in.",
    sources=("The reference names no single source for this row.",),
    reads=("wound_bleeding", "bleeding_not_stopping"),
    days=THE_DAY,
)


@implements(WOUND_BLEED)
def wound_bleeding(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-WOUND-BLEED [E]: dressing soaked through with blood (`wound_bleeding`) -> urgent;
    bleeding that does not stop with pressure (`bleeding_not_stopping`) -> emergency."""
    record = record_on(timeline, as_of)
    if record is None:
        return []
    answers = answered_yes(record, {"wound_bleeding", "bleeding_not_stopping"})
    if not answers:
        return []
    evidence = [day_evidence(record, answers=answers)]
    explanation = answered_text(answers, timeline, as_of)
    if "bleeding_not_stopping" in answers:
        noticed = (
            "You told us your wound is bleeding and does not stop with pressure. Keep pressing "
            "firmly on it with a clean cloth."
        )
        explanation += " Bleeding not stopping with pressure: emergency."
        return [WOUND_BLEED.finding(Level.EMERGENCY, noticed, explanation, evidence)]
    noticed = (
        "You told us blood has soaked through your dressing. Your surgical team needs to check "
        "this today."
    )
    return [WOUND_BLEED.finding(Level.URGENT, noticed, explanation, evidence)]


# v2: "with fever" follows RF-FEVER v2 (`fever_evidence`, timed readings count as measured).
CSF = RuleInfo(
    rule_id="RF-CSF",
    version=2,
    section="§3",
    label="[E]",
    title="Possible spinal fluid leak",
    position=13,
    levels=(Level.EMERGENCY, Level.URGENT),
    condition=(
        "A headache that is worse sitting or standing and eases lying flat, or clear watery "
        "fluid from the wound: urgent (a possible leak of spinal fluid). An emergency with a "
        "fever (RF-FEVER, or feeling feverish with no reading); a stiff neck or confusion is "
        "an emergency on its own (possible meningitis)."
    ),
    window="The day's check-in, and RF-FEVER's readings for the fever.",
    sources=("Khan et al.: a delayed spinal fluid leak starts on average around day 17.",),
    reads=(
        "positional_headache",
        "clear_wound_fluid",
        "stiff_neck_or_confusion",
        "feverish",
        "temperature_c",
        "temperature_readings",
    ),
    days=FEVER_DAYS,
)


@implements(CSF)
def spinal_fluid_leak(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-CSF [E]: positional headache (`positional_headache`) or clear watery fluid from the
    wound (`clear_wound_fluid`) -> urgent; emergency with fever (RF-FEVER, or feeling
    feverish with no reading) or with a stiff neck or confusion (`stiff_neck_or_confusion`,
    an emergency even on its own: possible meningitis)."""
    record = record_on(timeline, as_of)
    if record is None:
        return []
    leak = answered_yes(record, {"positional_headache", "clear_wound_fluid"})
    meningism = "stiff_neck_or_confusion" in answers_of(record)
    if not (leak or meningism):
        return []
    readings = fever_evidence(timeline, as_of, thresholds)
    febrile = bool(readings) or _unmeasured_fever(record)
    answers = leak + (["stiff_neck_or_confusion"] if meningism else [])
    evidence = [day_evidence(record, answers=answers, with_fever=febrile)]
    evidence.extend(readings)
    explanation = answered_text(answers, timeline, as_of)
    if meningism or (leak and febrile):
        reasons = []
        if meningism:
            reasons.append("stiff neck or confusion")
        if leak and febrile:
            reasons.append("fever" if readings else "feels feverish, no temperature recorded")
        explanation += (
            f" Emergency because of {' and '.join(reasons)}: possible CSF leak with meningitis."
        )
        noticed = (
            "You told us about "
            + (
                "a stiff neck or confusion"
                if meningism
                else "a headache or clear fluid from your wound, together with a fever"
            )
            + ". After spine surgery this can be a sign of an infection around the nerves, "
            "which must be checked in hospital straight away."
        )
        return [CSF.finding(Level.EMERGENCY, noticed, explanation, evidence)]
    explanation += " Possible delayed CSF leak (mean onset around day 17)."
    noticed = (
        "You told us about a headache that eases when you lie flat, or clear fluid from your "
        "wound. This can mean a leak of the fluid around the spinal nerves. Lie flat as much as "
        "you can; your surgical team needs to check this today."
    )
    return [CSF.finding(Level.URGENT, noticed, explanation, evidence)]
