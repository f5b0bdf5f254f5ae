"""Red flags of blood clots (§3): chest (possible pulmonary embolism) and calf (possible DVT)."""

from __future__ import annotations

from datetime import date

from tracker.rules.definition import RuleInfo, implements
from tracker.rules.red_flags.answers import (
    THE_DAY,
    single_answer_finding,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Level, Timeline

CHEST = RuleInfo(
    rule_id="RF-CHEST",
    version=1,
    section="§3",
    label="[E]",
    title="Chest pain or sudden breathlessness",
    position=8,
    levels=(Level.EMERGENCY,),
    condition=(
        "The patient answers yes to chest pain, sudden breathlessness or coughing up blood "
        "(a possible clot in the lung)."
    ),
    window="The day's check-in.",
    sources=(
        "Discharge instructions after laminectomy: these are signs of a possible pulmonary "
        "embolism.",
    ),
    reads=("chest_pain_breathless",),
    days=THE_DAY,
)


@implements(CHEST)
def chest_pain_breathless(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-CHEST [E]: chest pain, sudden breathlessness or coughing blood
    (`chest_pain_breathless`) -> emergency (possible pulmonary embolism)."""
    return single_answer_finding(
        CHEST,
        "chest_pain_breathless",
        Level.EMERGENCY,
        "You told us about chest pain, sudden shortness of breath or coughing up blood. After "
        "surgery this can be a sign of a blood clot in the lungs, which must be checked in "
        "hospital straight away.",
        "chest pain, sudden breathlessness or haemoptysis; possible pulmonary embolism",
        timeline,
        as_of,
    )


CALF = RuleInfo(
    rule_id="RF-CALF",
    version=1,
    section="§3",
    label="[E]",
    title="Calf pain or swelling",
    position=9,
    levels=(Level.URGENT,),
    condition=(
        "The patient answers yes to pain, swelling or redness in one calf (a possible deep "
        "vein thrombosis)."
    ),
    window="The day's check-in.",
    sources=(
        "Pain, swelling or redness of one calf is a sign of deep vein thrombosis; the "
        "reference names no single source for this row.",
    ),
    reads=("calf_pain_swelling",),
    days=THE_DAY,
)


@implements(CALF)
def calf_pain_swelling(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """RF-CALF [E]: pain, swelling or redness in one calf (`calf_pain_swelling`) -> urgent
    (possible deep vein thrombosis)."""
    return single_answer_finding(
        CALF,
        "calf_pain_swelling",
        Level.URGENT,
        "You told us about pain, swelling or redness in one calf. After surgery this can be a "
        "sign of a blood clot in the leg, which your surgical team needs to check today.",
        "unilateral calf pain, swelling or redness; possible deep vein thrombosis",
        timeline,
        as_of,
    )
