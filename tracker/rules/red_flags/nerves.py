"""Red flags of the nerves (§3): cauda equina, both legs, new weakness or numbness, hematoma."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.rules.days_read import DaysRead, Lookback
from tracker.rules.definition import RuleInfo, implements, iso, rounded
from tracker.rules.red_flags.answers import (
    THE_DAY,
    answered_text,
    answered_yes,
    day_evidence,
    labels,
    post_op_day,
    single_answer_finding,
    when,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Level, Timeline
from tracker.timeline.vocabulary import CAUDA_EQUINA_ANSWERS, answer_label
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
    rule_id="RF-CES-BLADDER",
    version=1,
    section="§3",
    label="[E]",
    title="Possible cauda equina syndrome: bladder change",
    position=1,
    levels=(Level.EMERGENCY,),
    condition=(
        "The patient answers yes to a new change in the bladder: new trouble starting or "
        "stopping urine, being unable to pass urine, new leaking, or not feeling when the "
        "bladder is full."
    ),
    window="The day's check-in.",
    sources=(
        "NHS cauda equina syndrome leaflets: bladder change is a warning sign.",
        "GIRFT National Suspected Cauda Equina Syndrome Pathway (2023): emergency MRI within "
        "4 hours.",
    ),
    reads=("bladder_change",),
    days=THE_DAY,
)
CES_SADDLE = RuleInfo(
    rule_id="RF-CES-SADDLE",
    version=1,
    section="§3",
    label="[E]",
    title="Possible cauda equina syndrome: saddle numbness",
    position=2,
    levels=(Level.EMERGENCY,),
    condition=(
        "The patient answers yes to numbness or pins and needles between the legs, in the "
        "genitals or around the back passage (the saddle area)."
    ),
    window="The day's check-in.",
    sources=CES_BLADDER.sources,
    reads=("saddle_numbness",),
    days=THE_DAY,
)
CES_BOWEL = RuleInfo(
    rule_id="RF-CES-BOWEL",
    version=1,
    section="§3",
    label="[E]",
    title="Possible cauda equina syndrome: loss of bowel control",
    position=3,
    levels=(Level.EMERGENCY,),
    condition=(
        "The patient answers yes to being unable to control the bowels, or to not feeling a "
        "stool pass."
    ),
    window="The day's check-in.",
    sources=CES_BLADDER.sources,
    reads=("bowel_control_loss",),
    days=THE_DAY,
)
CES_SEXUAL = RuleInfo(
    rule_id="RF-CES-SEXUAL",
    version=1,
    section="§3",
    label="[E]",
    title="Possible cauda equina syndrome: sexual function loss",
    position=4,
    levels=(Level.EMERGENCY,),
    condition=(
        "The patient answers yes to a new loss of sexual function or new numbness of the genitals."
    ),
    window="The day's check-in.",
    sources=("NHS cauda equina syndrome leaflets: new sexual dysfunction is a warning sign.",),
    reads=("sexual_function_loss",),
    days=THE_DAY,
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


BILATERAL = RuleInfo(
    rule_id="RF-BILATERAL",
    version=1,
    section="§3",
    label="[E]",
    title="Symptoms in both legs",
    position=5,
    levels=(Level.EMERGENCY, Level.URGENT),
    condition=(
        "Leg pain of 4 or more in both legs (the painful side answered as both), or numbness, "
        "pins and needles or weakness that between them cover both legs: urgent. An emergency "
        "when the same check-in also has a cauda equina answer (bladder, saddle, bowel or "
        "sexual function)."
    ),
    window="The day's check-in.",
    sources=(
        "Pain or numbness in both legs (bilateral sciatica) is a warning sign of cauda equina "
        "syndrome; the reference names no single source for this row.",
    ),
    reads=(
        "leg_pain",
        "leg_side",
        "numbness_tingling",
        "leg_weakness",
        *sorted(CAUDA_EQUINA_ANSWERS),
    ),
    days=THE_DAY,
)


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
            f"leg pain on both sides at {leg_pain:g} (>= {thresholds.bilateral_leg_pain})"
        )
    if neuro_both:
        sides = ", ".join(
            f"{answer_label(code)}: {side}" for code, side in sorted(neuro_sides.items())
        )
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
        explanation += f" Emergency because of cauda equina answers: {labels(ces)}."
        return [BILATERAL.finding(Level.EMERGENCY, noticed, explanation, [evidence])]
    noticed = (
        f"You told us about {what}. After back surgery this needs to be checked by your "
        "surgical team today."
    )
    return [BILATERAL.finding(Level.URGENT, noticed, explanation, [evidence])]


WEAKNESS_NEW = RuleInfo(
    rule_id="RF-WEAKNESS-NEW",
    version=1,
    section="§3",
    label="[E]",
    title="New or worsening leg weakness",
    position=6,
    levels=(Level.EMERGENCY, Level.URGENT),
    condition=(
        "A leg newly weak or weaker, a foot that catches or drags (foot drop), or a fall "
        "because a leg gave way: urgent. A leg that suddenly became very weak, or legs that "
        "cannot be moved: emergency."
    ),
    window="The day's check-in.",
    sources=(
        "Discharge instructions after laminectomy (eMedicineHealth, MyMichigan) list new or "
        "worsening leg weakness as a warning sign.",
    ),
    reads=("new_leg_weakness", "legs_cannot_move"),
    days=THE_DAY,
)


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


# RF-HEMATOMA: on post-operative days 0 to hematoma_last_day, the check-in of as_of and the
# hematoma_prior_days days before it (their back-pain mean).
HEMATOMA_DAYS = DaysRead(
    spans=(Lookback(lambda t: max(int(t.hematoma_prior_days), 1) + 1),),
    from_day=0,
    until_day=lambda t: t.hematoma_last_day,
)
HEMATOMA = RuleInfo(
    rule_id="RF-HEMATOMA",
    version=1,
    section="§3",
    label="[E] (onset, lead symptom) thresholds [D]",
    title="Possible spinal hematoma",
    position=7,
    levels=(Level.EMERGENCY,),
    condition=(
        "In the first 7 days after surgery, back pain 3 or more points above the mean of the "
        "3 days before, or back pain of 8 or more, together with new numbness, saddle "
        "numbness, new or sudden leg weakness or a bladder change on the same check-in."
    ),
    window="Post-operative days 0 to 7: the day's check-in and the 3 days before it.",
    sources=(
        "Anno et al., Spine 2019: a spinal epidural hematoma starts within days 0 to 7 and "
        "severe pain is its lead symptom. The pain thresholds are a design choice.",
    ),
    reads=(
        "back_pain",
        "new_numbness",
        "saddle_numbness",
        "new_leg_weakness",
        "legs_cannot_move",
        "bladder_change",
    ),
    days=HEMATOMA_DAYS,
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
        f"with {labels(neuro)}. Possible epidural hematoma (onset days 0-7, severe pain is "
        "the lead symptom)."
    )
    noticed = (
        "You told us your back pain is much worse, together with new numbness, weakness or a "
        "change in your bladder. Soon after surgery this can mean bleeding pressing on the "
        "nerves, which must be checked in hospital straight away."
    )
    return [HEMATOMA.finding(Level.EMERGENCY, noticed, explanation, evidence)]


# v2: reads the side asked with the answer (`DayRecord.new_numbness_side`).
NUMB_NEW = RuleInfo(
    rule_id="RF-NUMB-NEW",
    version=2,
    section="§3",
    label="[E]",
    title="New or spreading numbness",
    position=14,
    levels=(Level.EMERGENCY, Level.URGENT),
    condition=(
        "New or spreading numbness in a leg or foot: urgent. An emergency when it is in both "
        "legs (the side asked with the answer, or the numbness symptom ticked on both sides) "
        "or comes with a cauda equina answer."
    ),
    window="The day's check-in.",
    sources=(
        "New numbness after spinal surgery needs the surgical team the same day; the "
        "reference names no single source for this row.",
    ),
    reads=(
        "new_numbness",
        "new_numbness_side",
        "numbness_tingling",
        *sorted(CAUDA_EQUINA_ANSWERS),
    ),
    days=THE_DAY,
)


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
        explanation += f"; emergency because of {labels(reasons)}."
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
