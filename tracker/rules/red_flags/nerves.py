"""Red flags of the nerves (§3): cauda equina, both legs, new weakness or numbness, hematoma."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.rules.definition import RuleInfo, implements, iso, rounded
from tracker.rules.red_flags.answers import (
    answered_text,
    answered_yes,
    day_evidence,
    post_op_day,
    single_answer_finding,
    when,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Level, Timeline
from tracker.timeline.vocabulary import CAUDA_EQUINA_ANSWERS
from tracker.trends.series import (
    answers_of,
    numeric,
    reaches,
    record_on,
    recorded_values,
    symptoms_of,
    window_mean,
)

_SIDES = {"left": {"left"}, "right": {"right"}, "both": {"left", "right"}}

# "new numbness, weakness or bladder change" of RF-HEMATOMA
_HEMATOMA_NEURO_ANSWERS = frozenset(
    {"new_numbness", "saddle_numbness", "new_leg_weakness", "legs_cannot_move", "bladder_change"}
)

_CES_EXPLAINED = (
    "This can be a sign of pressure on the bundle of nerves at the base of the spine "
    "(cauda equina), which must be checked in hospital straight away."
)

CES_BLADDER = RuleInfo(
    "RF-CES-BLADDER", 1, "§3", "[E]", "Possible cauda equina syndrome: bladder change"
)
CES_SADDLE = RuleInfo(
    "RF-CES-SADDLE", 1, "§3", "[E]", "Possible cauda equina syndrome: saddle numbness"
)
CES_BOWEL = RuleInfo(
    "RF-CES-BOWEL", 1, "§3", "[E]", "Possible cauda equina syndrome: loss of bowel control"
)
CES_SEXUAL = RuleInfo(
    "RF-CES-SEXUAL", 1, "§3", "[E]", "Possible cauda equina syndrome: sexual function loss"
)


@implements(CES_BLADDER)
def cauda_equina_bladder(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-CES-BLADDER [E]: new trouble starting/stopping urine, retention, new leakage or loss
    of bladder sensation (`bladder_change`) -> emergency."""
    return single_answer_finding(
        CES_BLADDER,
        "bladder_change",
        Level.EMERGENCY,
        f"You told us about a new change in how your bladder works. {_CES_EXPLAINED}",
        "new difficulty starting or stopping urine, retention, new incontinence or loss of "
        "bladder sensation; possible cauda equina syndrome, GIRFT pathway: emergency MRI "
        "within 4 hours",
        timeline,
        as_of,
    )


@implements(CES_SADDLE)
def cauda_equina_saddle(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-CES-SADDLE [E]: numbness or pins and needles between the legs, genitals or around the
    back passage (`saddle_numbness`) -> emergency."""
    return single_answer_finding(
        CES_SADDLE,
        "saddle_numbness",
        Level.EMERGENCY,
        "You told us about numbness or pins and needles between your legs or around your "
        f"back passage. {_CES_EXPLAINED}",
        "saddle anaesthesia or paraesthesia; possible cauda equina syndrome, GIRFT pathway: "
        "emergency MRI within 4 hours",
        timeline,
        as_of,
    )


@implements(CES_BOWEL)
def cauda_equina_bowel(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-CES-BOWEL [E]: cannot control bowels or no feeling when passing stool
    (`bowel_control_loss`) -> emergency."""
    return single_answer_finding(
        CES_BOWEL,
        "bowel_control_loss",
        Level.EMERGENCY,
        f"You told us you cannot control your bowels or cannot feel them. {_CES_EXPLAINED}",
        "faecal incontinence or loss of rectal sensation; possible cauda equina syndrome, "
        "GIRFT pathway: emergency MRI within 4 hours",
        timeline,
        as_of,
    )


@implements(CES_SEXUAL)
def cauda_equina_sexual(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-CES-SEXUAL [E]: new loss of sexual function or genital numbness
    (`sexual_function_loss`) -> emergency."""
    return single_answer_finding(
        CES_SEXUAL,
        "sexual_function_loss",
        Level.EMERGENCY,
        f"You told us about a new loss of sexual function or numbness. {_CES_EXPLAINED}",
        "new sexual dysfunction or genital numbness; possible cauda equina syndrome",
        timeline,
        as_of,
    )


BILATERAL = RuleInfo("RF-BILATERAL", 1, "§3", "[E]", "Symptoms in both legs")


@implements(BILATERAL)
def bilateral_leg_symptoms(
    timeline: Timeline, as_of: date, thresholds: Thresholds
) -> list[Finding]:
    """RF-BILATERAL [E]: pain in both legs (leg_side "both" with leg pain >= 4), or numbness or
    weakness covering both legs -> urgent; emergency together with any RF-CES answer."""
    record = record_on(timeline, as_of)
    if record is None:
        return []
    leg_pain = numeric(record.leg_pain)
    pain_both = (
        record.leg_side == "both"
        and leg_pain is not None
        and reaches(leg_pain, thresholds.bilateral_leg_pain)
    )
    symptoms = symptoms_of(record)
    neuro_sides: dict[str, str] = {
        code: symptoms[code] for code in ("numbness_tingling", "leg_weakness") if code in symptoms
    }
    covered: set[str] = set()
    for side in neuro_sides.values():
        covered |= _SIDES.get(side, set())
    neuro_both = covered == {"left", "right"}
    if not (pain_both or neuro_both):
        return []
    ces = answered_yes(record, CAUDA_EQUINA_ANSWERS)
    evidence = day_evidence(
        record,
        leg_pain=leg_pain,
        leg_side=record.leg_side,
        symptom_sides=neuro_sides,
        cauda_equina_answers=ces,
    )
    what = "pain in both legs" if pain_both else "numbness or weakness in both legs"
    reasons = []
    if pain_both:
        reasons.append(
            f"leg_side=both with leg pain {leg_pain:g} (>= {thresholds.bilateral_leg_pain})"
        )
    if neuro_both:
        sides = ", ".join(f"{code} {side}" for code, side in sorted(neuro_sides.items()))
        reasons.append(f"numbness/weakness covering both legs ({sides})")
    explanation = (
        f"Bilateral leg symptoms on {when(timeline, as_of)}: "
        f"{'; '.join(reasons)}. Bilateral sciatica is a cauda equina warning sign."
    )
    if ces:
        noticed = (
            f"You told us about {what}, together with changes in bladder, bowel, sexual "
            f"function or feeling between the legs. {_CES_EXPLAINED}"
        )
        explanation += f" Emergency because of cauda equina answers: {', '.join(ces)}."
        return [BILATERAL.finding(Level.EMERGENCY, noticed, explanation, [evidence])]
    noticed = (
        f"You told us about {what}. After back surgery this needs to be checked by your "
        "surgical team today."
    )
    return [BILATERAL.finding(Level.URGENT, noticed, explanation, [evidence])]


WEAKNESS_NEW = RuleInfo("RF-WEAKNESS-NEW", 1, "§3", "[E]", "New or worsening leg weakness")


@implements(WEAKNESS_NEW)
def new_leg_weakness(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-WEAKNESS-NEW [E]: new or worsening weakness, foot drop, falls from weakness
    (`new_leg_weakness`) -> urgent; sudden weakness or legs that cannot be moved
    (`legs_cannot_move`) -> emergency."""
    record = record_on(timeline, as_of)
    if record is None:
        return []
    answers = answered_yes(record, {"new_leg_weakness", "legs_cannot_move"})
    if not answers:
        return []
    evidence = [day_evidence(record, answers=answers)]
    explanation = answered_text(answers, timeline, as_of)
    if "legs_cannot_move" in answers:
        noticed = (
            "You told us a leg has suddenly become very weak or cannot be moved. This can mean "
            "pressure on the nerves in your back, which must be checked in hospital straight away."
        )
        explanation += " Sudden weakness or legs that cannot be moved: emergency."
        return [WEAKNESS_NEW.finding(Level.EMERGENCY, noticed, explanation, evidence)]
    noticed = (
        "You told us a leg is newly weak or weaker, or your foot catches or drags. Your surgical "
        "team needs to check this today."
    )
    return [WEAKNESS_NEW.finding(Level.URGENT, noticed, explanation, evidence)]


HEMATOMA = RuleInfo(
    "RF-HEMATOMA", 1, "§3", "[E] (onset, lead symptom) thresholds [D]", "Possible spinal hematoma"
)


@implements(HEMATOMA)
def possible_hematoma(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-HEMATOMA [E] thresholds [D]: on days 0-7, back pain >= 3 points above the mean of the
    previous 3 days, or >= 8, together with new numbness, weakness or bladder change
    -> emergency."""
    day_number = timeline.day_number(as_of)
    if not 0 <= day_number <= thresholds.hematoma_last_day:
        return []
    record = record_on(timeline, as_of)
    if record is None:
        return []
    neuro = answered_yes(record, _HEMATOMA_NEURO_ANSWERS)
    back_pain = numeric(record.back_pain)
    if not neuro or back_pain is None:
        return []
    prior_days = max(int(thresholds.hematoma_prior_days), 1)
    prior_start = as_of - timedelta(days=prior_days)
    prior_end = as_of - timedelta(days=1)
    prior = recorded_values(timeline, prior_start, prior_end, "back_pain")
    prior_mean = window_mean(timeline, prior_start, prior_end, "back_pain")
    jumped = prior_mean is not None and reaches(back_pain - prior_mean, thresholds.hematoma_jump)
    severe = reaches(back_pain, thresholds.hematoma_back_pain)
    if not (jumped or severe):
        return []
    evidence = [{"date": iso(day), "back_pain": value} for day, value in prior]
    evidence.append(
        day_evidence(
            record,
            back_pain=back_pain,
            previous_mean=rounded(prior_mean),
            answers=neuro,
        )
    )
    reasons = []
    if jumped and prior_mean is not None:
        reasons.append(
            f"back pain {back_pain:g} is {back_pain - prior_mean:.1f} points above the mean "
            f"{prior_mean:.1f} of the previous {prior_days} days (>= {thresholds.hematoma_jump:g})"
        )
    if severe:
        reasons.append(f"back pain {back_pain:g} >= {thresholds.hematoma_back_pain}")
    explanation = (
        f"{post_op_day(timeline, as_of).capitalize()}: {' and '.join(reasons)}, "
        f"with {', '.join(neuro)}. Possible epidural hematoma (onset days 0-7, severe pain is "
        "the lead symptom)."
    )
    noticed = (
        "You told us your back pain is much worse, together with new numbness, weakness or a "
        "change in your bladder. Soon after surgery this can mean bleeding pressing on the "
        "nerves, which must be checked in hospital straight away."
    )
    return [HEMATOMA.finding(Level.EMERGENCY, noticed, explanation, evidence)]


# v2: reads the side asked with the answer (`DayRecord.new_numbness_side`).
NUMB_NEW = RuleInfo("RF-NUMB-NEW", 2, "§3", "[E]", "New or spreading numbness")


def _side(value: object) -> str:
    """ "left", "right" or "both"; "" for anything else (not asked, not answered, unknown)."""
    return value if isinstance(value, str) and value in _SIDES else ""


@implements(NUMB_NEW)
def new_numbness(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-NUMB-NEW [E]: new or spreading numbness in a leg or foot (`new_numbness`) -> urgent;
    emergency if on both sides or with an RF-CES answer (the row's "emergency if both sides
    or with RF-CES").

    "Both sides": the side asked with the answer (`new_numbness_side`) is "both", or the
    `numbness_tingling` symptom is ticked "both" that day (what the rule read before the side
    was asked; kept so that no earlier emergency is lost). Evidence: `new_numbness_side`,
    `numbness_side` (of the symptom) and `cauda_equina_answers`.
    """
    record = record_on(timeline, as_of)
    if record is None or "new_numbness" not in answers_of(record):
        return []
    new_side = _side(record.new_numbness_side)
    symptom_side = _side(symptoms_of(record).get("numbness_tingling", ""))
    both = "both" in (new_side, symptom_side)
    ces = answered_yes(record, CAUDA_EQUINA_ANSWERS)
    evidence = [
        day_evidence(
            record,
            answers=["new_numbness"],
            new_numbness_side=new_side,
            numbness_side=symptom_side,
            cauda_equina_answers=ces,
        )
    ]
    explanation = f"New or spreading numbness reported on {when(timeline, as_of)}"
    if new_side:
        explanation += f" ({new_side} side)" if new_side != "both" else " (both sides)"
    if both or ces:
        reasons = (["both sides"] if both else []) + ces
        explanation += f"; emergency because of {', '.join(reasons)}."
        noticed = (
            "You told us about new numbness "
            + ("in both legs" if both else "together with other nerve changes")
            + f". {_CES_EXPLAINED}"
        )
        return [NUMB_NEW.finding(Level.EMERGENCY, noticed, explanation, evidence)]
    noticed = (
        "You told us about new or spreading numbness in a leg or foot. Your surgical team needs "
        "to check this today."
    )
    return [NUMB_NEW.finding(Level.URGENT, noticed, explanation + ".", evidence)]
