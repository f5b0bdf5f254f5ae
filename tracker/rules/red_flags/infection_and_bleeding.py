"""Red flags of the wound and of infection (§3): fever, wound infection, bleeding, CSF leak."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tracker.rules.definition import RuleInfo, implements, iso
from tracker.rules.red_flags.answers import (
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
    value_on,
)


def fever_evidence(timeline: Timeline, day: date, thresholds: Thresholds) -> list[dict[str, Any]]:
    """The readings that make `day` a fever day by RF-FEVER, or [] when it is not one.

    Fever = a reading >= fever_c on `day`, or readings >= fever_repeat_c on `day` and the day
    before (one reading a day is stored, so "two readings within 24 hours" is read as two
    consecutive days, which can only catch more fevers than a strict 24 hours).
    """
    today = value_on(timeline, day, "temperature_c")
    if today is None:
        return []
    if reaches(today, thresholds.fever_c):
        return [{"date": iso(day), "temperature_c": today}]
    if reaches(today, thresholds.fever_repeat_c):
        previous_day = day - timedelta(days=1)
        previous = value_on(timeline, previous_day, "temperature_c")
        if previous is not None and reaches(previous, thresholds.fever_repeat_c):
            return [
                {"date": iso(previous_day), "temperature_c": previous},
                {"date": iso(day), "temperature_c": today},
            ]
    return []


def _unmeasured_fever(record: DayRecord) -> bool:
    """Feels feverish but recorded no temperature."""
    return "feverish" in answers_of(record) and numeric(record.temperature_c) is None


FEVER = RuleInfo("RF-FEVER", 1, "§3", "[E] 38.0 °C; repeat 37.8 °C [D]", "Fever")


@implements(FEVER)
def fever(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-FEVER [E]/[D]: temperature >= 38.0 °C, or >= 37.8 °C on two readings within 24 h
    -> urgent. Feeling feverish without a measured temperature -> soon, asking for a reading,
    so that a "yes" is never silently ignored."""
    record = record_on(timeline, as_of)
    if record is None:
        return []
    readings = fever_evidence(timeline, as_of, thresholds)
    if readings:
        values = ", ".join(f"{r['temperature_c']:g} °C on {r['date']}" for r in readings)
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


WOUND = RuleInfo("RF-WOUND", 1, "§3", "[E]", "Signs of wound infection")


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


WOUND_BLEED = RuleInfo("RF-WOUND-BLEED", 1, "§3", "[E]", "Wound bleeding")


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


CSF = RuleInfo("RF-CSF", 1, "§3", "[E]", "Possible spinal fluid leak")


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
