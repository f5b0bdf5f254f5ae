"""Red flags (clinical-reference §3): acted on in the response to the check-in that raised them.

Each rule reads the check-in of `as_of` and, where its row needs them, the few days before it
(fever within 24 hours, the 3-day mean before a hematoma jump, 2 days of uncontrolled pain,
opioids during constipation). No check-in on `as_of` means no finding, except RF-PHQ9-ITEM9,
which reads the PHQ-9 questionnaires. One module per family of rows.
"""

from tracker.rules.red_flags.clots import calf_pain_swelling, chest_pain_breathless
from tracker.rules.red_flags.infection_and_bleeding import (
    fever,
    fever_evidence,
    spinal_fluid_leak,
    wound_bleeding,
    wound_infection,
)
from tracker.rules.red_flags.nerves import (
    bilateral_leg_symptoms,
    cauda_equina_bladder,
    cauda_equina_bowel,
    cauda_equina_saddle,
    cauda_equina_sexual,
    new_leg_weakness,
    new_numbness,
    possible_hematoma,
)
from tracker.rules.red_flags.wellbeing import (
    constipation_on_opioids,
    fall,
    phq9_self_harm,
    uncontrolled_pain,
)

__all__ = [
    "bilateral_leg_symptoms",
    "calf_pain_swelling",
    "cauda_equina_bladder",
    "cauda_equina_bowel",
    "cauda_equina_saddle",
    "cauda_equina_sexual",
    "chest_pain_breathless",
    "constipation_on_opioids",
    "fall",
    "fever",
    "fever_evidence",
    "new_leg_weakness",
    "new_numbness",
    "phq9_self_harm",
    "possible_hematoma",
    "spinal_fluid_leak",
    "uncontrolled_pain",
    "wound_bleeding",
    "wound_infection",
]
