"""Red flags of pain, bowels, falls and mood (§3)."""

from __future__ import annotations

from datetime import date, timedelta

from tracker.questionnaires.scoring import SAFETY_ITEMS, partial_code
from tracker.rules.days_read import DaysRead, Lookback
from tracker.rules.definition import RuleInfo, implements, iso
from tracker.rules.red_flags.answers import (
    THE_DAY,
    answered_yes,
    day_evidence,
    labels,
    when,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import DayRecord, Finding, Level, Timeline
from tracker.timeline.vocabulary import NEUROLOGICAL_ANSWERS
from tracker.trends.series import (
    answers_of,
    numeric,
    reaches,
    record_on,
    recorded_values,
    symptoms_of,
)


def _max_pain(record: DayRecord) -> float | None:
    values = [v for v in (numeric(record.back_pain), numeric(record.leg_pain)) if v is not None]
    return max(values) if values else None


# The days RF-PAIN-UNCONTROLLED, RF-CONSTIPATION and RF-PHQ9-ITEM9 read back from as_of.
def _uncontrolled_days(thresholds: Thresholds) -> int:
    return max(int(thresholds.uncontrolled_days), 1)


def _constipation_days(thresholds: Thresholds) -> int:
    return max(int(thresholds.constipation_opioid_days), 1)


def _phq9_recent_days(thresholds: Thresholds) -> int:
    return max(int(thresholds.phq9_item9_recent_days), 1)


# v2: urgent when any day of the run reached >= 9, not only today.
PAIN_UNCONTROLLED = RuleInfo(
    rule_id="RF-PAIN-UNCONTROLLED",
    version=2,
    section="§3",
    label="[E] numbers [D]",
    title="Severe pain not controlled by medicine",
    position=15,
    levels=(Level.URGENT, Level.SOON),
    condition=(
        "Back or leg pain of 8 or more on 2 days in a row while taking painkillers: soon. "
        "Urgent when the pain reached 9 or more on one of those days, or with a new "
        "neurological answer that day. Quiet only when the patient answered that no "
        "painkiller at all was taken on one of those days."
    ),
    window="The day's check-in and the day before.",
    sources=(
        "Discharge advice: severe pain not helped by medicine means calling the surgeon "
        "within 24 hours. The numbers are a design choice.",
    ),
    reads=(
        "back_pain",
        "leg_pain",
        "opioid_doses",
        "took_other_painkillers",
        "took_nerve_pain_medicine",
        *sorted(NEUROLOGICAL_ANSWERS),
    ),
    days=DaysRead((Lookback(_uncontrolled_days),)),
)


def _took_no_painkillers(record: DayRecord) -> bool:
    """The patient explicitly answered that no painkiller of any kind was taken that day."""
    return (
        numeric(record.opioid_doses) == 0
        and record.took_other_painkillers is False
        and record.took_nerve_pain_medicine is False
    )


@implements(PAIN_UNCONTROLLED)
def uncontrolled_pain(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-PAIN-UNCONTROLLED [E] numbers [D]: back or leg pain >= 8 on 2 consecutive days despite
    painkillers -> soon; urgent if the pain reached >= 9 on any of those days (the row's
    "urgent if >= 9") or with any neurological answer today.

    "Despite painkillers": the rule stays quiet only when the patient explicitly answered that
    no painkiller at all was taken on one of those days; unanswered counts as taken.
    """
    days = _uncontrolled_days(thresholds)
    run = []
    for offset in range(days - 1, -1, -1):
        record = record_on(timeline, as_of - timedelta(days=offset))
        pain = None if record is None else _max_pain(record)
        if record is None or pain is None or not reaches(pain, thresholds.uncontrolled_pain):
            return []
        if _took_no_painkillers(record):
            return []
        run.append((record, pain))
    today = run[-1][0]
    neuro = answered_yes(today, NEUROLOGICAL_ANSWERS)
    evidence = [
        day_evidence(
            record,
            back_pain=numeric(record.back_pain),
            leg_pain=numeric(record.leg_pain),
            opioid_doses=numeric(record.opioid_doses),
            took_other_painkillers=record.took_other_painkillers,
            took_nerve_pain_medicine=record.took_nerve_pain_medicine,
        )
        for record, _ in run
    ]
    if neuro:
        evidence[-1]["answers"] = neuro
    explanation = (
        f"Back or leg pain >= {thresholds.uncontrolled_pain} on {days} consecutive days up to "
        f"{when(timeline, as_of)} while taking painkillers."
    )
    very_severe = [
        f"pain {pain:g} on {iso(record.day)}"
        for record, pain in run
        if reaches(pain, thresholds.uncontrolled_urgent_pain)
    ]
    if very_severe or neuro:
        reasons = very_severe + neuro
        explanation += f" Urgent because of {labels(reasons)}."
        noticed = (
            "Your pain has been severe for the last few days even with painkillers"
            + (", and you told us about nerve changes" if neuro else "")
            + ". Your surgical team needs to hear about this today."
        )
        return [PAIN_UNCONTROLLED.finding(Level.URGENT, noticed, explanation, evidence)]
    noticed = (
        "Your pain has been severe for the last few days even with painkillers. Your surgeon's "
        "team can help you get it under control."
    )
    return [PAIN_UNCONTROLLED.finding(Level.SOON, noticed, explanation, evidence)]


CONSTIPATION = RuleInfo(
    rule_id="RF-CONSTIPATION",
    version=1,
    section="§3",
    label="[E]",
    title="Constipation while taking opioids",
    position=16,
    levels=(Level.SOON,),
    condition=(
        "No bowel movement for 3 days or more (the constipation symptom) while taking "
        "opioids: an opioid dose on any of the last 3 days."
    ),
    window="The day's check-in and the 2 days before it.",
    sources=(
        "The reference names no single source for the 3 days; MyMichigan's discharge "
        "instructions use 4 to 5 days.",
    ),
    reads=("constipation", "opioid_doses"),
    days=DaysRead((Lookback(_constipation_days),)),
)


@implements(CONSTIPATION)
def constipation_on_opioids(
    timeline: Timeline, as_of: date, thresholds: Thresholds
) -> list[Finding]:
    """RF-CONSTIPATION [E]: no bowel movement for 3 days or more (symptom `constipation`) while
    taking opioids (opioid_doses > 0 on any of the last 3 days) -> soon."""
    record = record_on(timeline, as_of)
    if record is None or "constipation" not in symptoms_of(record):
        return []
    window = _constipation_days(thresholds)
    start = as_of - timedelta(days=window - 1)
    doses = recorded_values(timeline, start, as_of, "opioid_doses")
    if not any(value > 0 for _, value in doses):
        return []
    evidence = [{"date": iso(day), "opioid_doses": value} for day, value in doses]
    evidence.append(day_evidence(record, symptoms=["constipation"]))
    explanation = (
        f"Constipation (no bowel movement >= 3 days) on {iso(as_of)} with opioid doses in the "
        f"last {window} days."
    )
    noticed = (
        "You told us you have not opened your bowels for 3 days or more while taking strong "
        "painkillers, which often cause constipation. Your surgeon's office can advise you."
    )
    return [CONSTIPATION.finding(Level.SOON, noticed, explanation, evidence)]


FALL = RuleInfo(
    rule_id="RF-FALL",
    version=1,
    section="§3",
    label="[E]",
    title="A fall",
    position=17,
    levels=(Level.URGENT, Level.SOON),
    condition="A fall: soon. Urgent together with a new neurological answer that day.",
    window="The day's check-in.",
    sources=("The reference names no single source for this row.",),
    reads=("fall", *sorted(NEUROLOGICAL_ANSWERS)),
    days=THE_DAY,
)


@implements(FALL)
def fall(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-FALL [E]: a fall (`fall`) -> soon; urgent with any new neurological answer."""
    record = record_on(timeline, as_of)
    if record is None or "fall" not in answers_of(record):
        return []
    neuro = answered_yes(record, NEUROLOGICAL_ANSWERS)
    evidence = [day_evidence(record, answers=["fall", *neuro])]
    explanation = f"Fall reported on {when(timeline, as_of)}"
    if neuro:
        explanation += f", with new neurological answers: {labels(neuro)}; urgent."
        noticed = (
            "You told us you had a fall, and about changes in feeling, strength or your "
            "bladder or bowels. Your surgical team needs to check you today."
        )
        return [FALL.finding(Level.URGENT, noticed, explanation, evidence)]
    noticed = "You told us you had a fall. Your surgeon's office will want to know how you are."
    return [FALL.finding(Level.SOON, noticed, explanation + ".", evidence)]


PHQ9_ITEM9 = RuleInfo(
    rule_id="RF-PHQ9-ITEM9",
    version=2,
    section="§3",
    label="[D] (local escalation route)",
    title="Thoughts of self-harm (PHQ-9 item 9)",
    position=18,
    levels=(Level.URGENT,),
    condition=(
        "Item 9 of a PHQ-9 (thoughts of being better off dead or of self-harm) scored above 0, "
        "also when the rest of the questionnaire was left unfinished. Crisis-line numbers are "
        "shown to the patient at once; it is never silent."
    ),
    window="PHQ-9 answers of the last 14 days.",
    sources=(
        "PHQ-9: Kroenke et al., J Gen Intern Med 2001. The escalation route is a local design "
        "choice.",
    ),
    questionnaires=("phq9",),
    on_questionnaire=True,
    days=DaysRead((Lookback(_phq9_recent_days, fields=()),)),
)


# The linkId of item 9 in the shipped PHQ-9 definition (LOINC 44260-8); stored item scores are
# keyed by linkId. A PHQ-9 left incomplete keeps this item under its partial code.
(PHQ9_ITEM9_LINK_ID,) = SAFETY_ITEMS["phq9"]
PHQ9_CODES = ("phq9", partial_code("phq9"))


def _item9(items: object) -> float | None:
    if not isinstance(items, dict):
        return None
    return numeric(items.get(PHQ9_ITEM9_LINK_ID))


@implements(PHQ9_ITEM9)
def phq9_self_harm(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-PHQ9-ITEM9 [D]: PHQ-9 item 9 (thoughts of self-harm) > 0 on a PHQ-9 of the last
    14 days -> urgent, with crisis-line numbers shown at once (by the view). Never silent.
    v2: also reads the item kept from an incomplete PHQ-9 (`partial_code("phq9")`)."""
    start = as_of - timedelta(days=_phq9_recent_days(thresholds) - 1)
    positive = sorted(
        (
            (score.day, value)
            for score in timeline.questionnaires
            if score.instrument in PHQ9_CODES and start <= score.day <= as_of
            for value in [_item9(score.items)]
            if value is not None and value > 0
        ),
        key=lambda pair: pair[0],
    )
    if not positive:
        return []
    evidence = [
        {"date": iso(day), "instrument": "phq9", "item_9": value} for day, value in positive
    ]
    explanation = (
        "PHQ-9 item 9 (thoughts that you would be better off dead or of hurting yourself) "
        + ", ".join(f"{value:g} on {iso(day)}" for day, value in positive)
        + ". Follow the local escalation route; crisis-line numbers were shown to the patient."
    )
    noticed = (
        "Thank you for answering honestly. You told us you have had thoughts that you would be "
        "better off dead or of hurting yourself. You do not have to cope with this alone. If you "
        "might act on these thoughts, or feel in danger now, call the emergency number now. "
        "You can also call a crisis line at any time, day or night: the numbers are shown here."
    )
    return [
        PHQ9_ITEM9.finding(
            Level.URGENT,
            noticed,
            explanation,
            evidence,
            instruction="Please also call your care team today so they can support you.",
        )
    ]
