"""Red flags of blood clots (§3): chest (possible pulmonary embolism) and calf (possible DVT)."""

from __future__ import annotations

from datetime import date

from tracker.rules.definition import RuleInfo, implements
from tracker.rules.red_flags.answers import (
    single_answer_finding,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Level, Timeline

CHEST = RuleInfo("RF-CHEST", 1, "§3", "[E]", "Chest pain or sudden breathlessness")


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


CALF = RuleInfo("RF-CALF", 1, "§3", "[E]", "Calf pain or swelling")


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
