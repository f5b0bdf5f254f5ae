"""Pattern rules (clinical-reference §4): read the timeline up to `as_of`.

Trend rules use 7-day means (tracker.trends.series) and run only with data on >= `trend_min_days` of
the 7 days; windows longer than 7 days need the same share of recorded days. Only
post-operative data (day 0 onwards) is used, and nothing is evaluated before the surgery date.
One module per family of rows.
"""

from tracker.rules.patterns.activity_and_engagement import (
    check_ins_stopped,
    low_exercise_adherence,
    walking_decline,
)
from tracker.rules.patterns.function_and_mood import (
    function_not_improved,
    function_not_improved_at_12_weeks,
    low_mood,
    offer_only,
    offers_phq9,
)
from tracker.rules.patterns.pain import (
    chronic_postsurgical_pain,
    leg_pain_not_improved_at_6_weeks,
    new_radiating_pain,
    pain_specialist_referral,
    prolonged_opioid_use,
    rebound_after_improvement,
    sustained_high_pain,
)

__all__ = [
    "check_ins_stopped",
    "chronic_postsurgical_pain",
    "function_not_improved",
    "function_not_improved_at_12_weeks",
    "leg_pain_not_improved_at_6_weeks",
    "low_exercise_adherence",
    "low_mood",
    "new_radiating_pain",
    "offer_only",
    "offers_phq9",
    "pain_specialist_referral",
    "prolonged_opioid_use",
    "rebound_after_improvement",
    "sustained_high_pain",
    "walking_decline",
]
