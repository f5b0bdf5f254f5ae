"""The stable codes a daily check-in is stored with, and the patient wording for each.

Codes are those of clinical-reference §1.2 (symptoms) and §3 (safety answers); they are used
in storage, imports and exports and never change. The wording is plain English, marked for
translation and translated where it is shown. Each safety question is a yes/no question that is
never vaguer than the trigger text of its §3 row.
"""

from __future__ import annotations

from types import MappingProxyType

# Marks the wording for translation; it is translated where it is shown.
from django.utils.translation import gettext_noop as N_

# §3 safety questions, asked every day. Answer code -> yes/no question, in the order a check-in
# form asks them (spinal emergencies first).
SAFETY_ANSWER_CODES: MappingProxyType[str, str] = MappingProxyType(
    {
        "bladder_change": N_(
            "Since your last check-in, have you had new trouble starting or stopping your urine, "
            "been unable to pass urine, had new leaking of urine, or been unable to feel when "
            "your bladder is full?"
        ),
        "saddle_numbness": N_(
            "Do you have numbness or pins and needles between your legs, in your genitals, or "
            "around your back passage (the area you would sit on in a saddle)?"
        ),
        "bowel_control_loss": N_(
            "Have you been unable to control your bowels, or unable to feel when you pass a stool?"
        ),
        "sexual_function_loss": N_(
            "Have you noticed a new loss of sexual function, or new numbness in your genitals?"
        ),
        "new_leg_weakness": N_(
            "Is a leg newly weak or weaker than before, does your foot catch or drag when you "
            "walk, or have you fallen because a leg gave way?"
        ),
        "legs_cannot_move": N_(
            "Has a leg suddenly become very weak, or are you unable to move one or both legs?"
        ),
        "new_numbness": N_(
            "Do you have new numbness in a leg or foot, or numbness that is spreading?"
        ),
        "chest_pain_breathless": N_(
            "Do you have chest pain or sudden shortness of breath, or are you coughing up blood?"
        ),
        "calf_pain_swelling": N_(
            "Do you have pain, swelling or redness in one calf (the back of the lower leg)?"
        ),
        "feverish": N_("Do you feel feverish, hot or shivery? If you can, take your temperature."),
        "wound_infection_signs": N_(
            "Is there redness or warmth spreading around your wound, pus or cloudy or "
            "bad-smelling fluid coming from it, or is the wound opening up?"
        ),
        "wound_bleeding": N_("Has blood soaked through your wound dressing?"),
        "bleeding_not_stopping": N_(
            "Is your wound bleeding and not stopping, even when you press firmly on it?"
        ),
        "positional_headache": N_(
            "Do you have a headache that gets worse when you sit or stand up and eases when you "
            "lie flat?"
        ),
        "clear_wound_fluid": N_("Is clear, watery fluid leaking from your wound?"),
        "stiff_neck_or_confusion": N_(
            "Do you have a stiff neck, or have you or people around you noticed that you are "
            "confused?"
        ),
        "fall": N_("Have you had a fall since your last check-in?"),
    }
)

# §1.2 symptoms, recorded present/absent each day. Code -> patient wording.
SYMPTOM_CODES: MappingProxyType[str, str] = MappingProxyType(
    {
        "radiating_pain": N_("Pain that shoots or spreads down a leg (or an arm)"),
        "heat_cold_sensitivity": N_("Unusual sensitivity to heat or cold"),
        "abnormal_sensation": N_(
            "Odd nerve feelings: burning, electric shocks, or pain from a light touch"
        ),
        "leg_heaviness": N_("Legs feel heavy or weighted"),
        "numbness_tingling": N_("Numbness or pins and needles in a leg or foot"),
        "leg_weakness": N_("A leg feels weak or gives way (the same as before, not new or sudden)"),
        "muscle_spasm": N_("Back muscle spasms"),
        "incision_pain": N_("Pain at the wound"),
        "constipation": N_("No bowel movement for 3 days or more"),
    }
)

# Symptoms that take a side (left, right or both); the others are stored with side "".
SIDED_SYMPTOMS: frozenset[str] = frozenset(
    {
        "radiating_pain",
        "heat_cold_sensitivity",
        "abnormal_sensation",
        "leg_heaviness",
        "numbness_tingling",
        "leg_weakness",
    }
)

# Values of DayRecord.leg_side and of a sided symptom's side.
LEG_SIDES: tuple[str, ...] = ("none", "left", "right", "both")
SYMPTOM_SIDES: tuple[str, ...] = ("left", "right", "both")

# Answers that may mean cauda equina syndrome (RF-CES-*).
CAUDA_EQUINA_ANSWERS: frozenset[str] = frozenset(
    {"bladder_change", "saddle_numbness", "bowel_control_loss", "sexual_function_loss"}
)

# "Any neurological answer" in §3 (RF-PAIN-UNCONTROLLED, RF-FALL): the cauda equina answers
# plus new weakness and new numbness.
NEUROLOGICAL_ANSWERS: frozenset[str] = CAUDA_EQUINA_ANSWERS | {
    "new_leg_weakness",
    "legs_cannot_move",
    "new_numbness",
}

# Nerve symptoms of §1.2 ("any neuro symptom" in P1).
NEUROLOGICAL_SYMPTOMS: frozenset[str] = SIDED_SYMPTOMS

# Which §3 rule acts on each answer code, for grouping and for explaining an answer.
RULE_FOR_SAFETY_ANSWER: MappingProxyType[str, str] = MappingProxyType(
    {
        "bladder_change": "RF-CES-BLADDER",
        "saddle_numbness": "RF-CES-SADDLE",
        "bowel_control_loss": "RF-CES-BOWEL",
        "sexual_function_loss": "RF-CES-SEXUAL",
        "new_leg_weakness": "RF-WEAKNESS-NEW",
        "legs_cannot_move": "RF-WEAKNESS-NEW",
        "new_numbness": "RF-NUMB-NEW",
        "chest_pain_breathless": "RF-CHEST",
        "calf_pain_swelling": "RF-CALF",
        "feverish": "RF-FEVER",
        "wound_infection_signs": "RF-WOUND",
        "wound_bleeding": "RF-WOUND-BLEED",
        "bleeding_not_stopping": "RF-WOUND-BLEED",
        "positional_headache": "RF-CSF",
        "clear_wound_fluid": "RF-CSF",
        "stiff_neck_or_confusion": "RF-CSF",
        "fall": "RF-FALL",
    }
)

# Every answer code as the care team reads it: short, clinical, never the code itself.
ANSWER_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {
        "bladder_change": N_("bladder change (retention, leakage or lost sensation)"),
        "saddle_numbness": N_("saddle numbness"),
        "bowel_control_loss": N_("loss of bowel control or sensation"),
        "sexual_function_loss": N_("new loss of sexual function or genital numbness"),
        "new_leg_weakness": N_("new or worsening leg weakness"),
        "legs_cannot_move": N_("legs cannot be moved"),
        "new_numbness": N_("new or spreading numbness in a leg or foot"),
        "chest_pain_breathless": N_("chest pain or sudden breathlessness"),
        "calf_pain_swelling": N_("calf pain, swelling or redness"),
        "feverish": N_("feeling feverish"),
        "wound_infection_signs": N_("signs of wound infection"),
        "wound_bleeding": N_("dressing soaked with blood"),
        "bleeding_not_stopping": N_("bleeding that does not stop with pressure"),
        "positional_headache": N_("headache worse sitting or standing"),
        "clear_wound_fluid": N_("clear watery fluid from the wound"),
        "stiff_neck_or_confusion": N_("stiff neck or confusion"),
        "fall": N_("a fall"),
        "radiating_pain": N_("radiating leg pain"),
        "heat_cold_sensitivity": N_("heat or cold sensitivity"),
        "abnormal_sensation": N_("abnormal nerve sensations"),
        "leg_heaviness": N_("heavy legs"),
        "numbness_tingling": N_("numbness or tingling"),
        "leg_weakness": N_("leg weakness (stable)"),
        "muscle_spasm": N_("back muscle spasms"),
        "incision_pain": N_("wound pain"),
        "constipation": N_("constipation (3 days or more)"),
    }
)


def answer_label(code: str) -> str:
    """The care team's words for an answer code ("left"/"right"/"both" sides kept), or the
    text unchanged when it is not a code."""
    base, _, side = code.partition(":")
    label = ANSWER_LABELS.get(base)
    if label is None:
        return code
    return f"{label} ({side})" if side else str(label)
