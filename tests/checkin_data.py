"""Form data for a check-in, as a phone would post it."""

from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES


def checkin_post(**overrides) -> dict:
    data = {
        "back_pain": "3",
        "leg_pain": "2",
        "leg_side": "left",
        "walking_minutes": "20",
        "opioid_doses": "0",
        "took_other_painkillers": "yes",
        "took_nerve_pain_medicine": "no",
        "sleep_disturbance": "2",
        "note": "",
    }
    data.update({f"safety_{code}": "no" for code in SAFETY_ANSWER_CODES})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
