"""Flag rules: pure functions over a patient's timeline (clinical-reference §3 and §4).

Use `evaluate` for everything, `safety_findings_for_day` for the check-in response and
`questionnaire_findings_for_day` for the questionnaire response (`rules_to_run`,
`days_needed_for` and `evaluate_rules` to run only what a day can change); all live in
`tracker.rules.registry`, with the lists of rules it derives from the rules that recorded
themselves with `@implements` (tracker.rules.definition). docs/clinical-rules.md describes
every rule from the same metadata (`manage.py clinical_rules`).
"""

from tracker.rules.registry import (
    ALL_RULES,
    PATTERN_RULES,
    QUESTIONNAIRE_RULES,
    RED_FLAG_RULES,
    RULES_BY_ID,
    days_needed_for,
    evaluate,
    evaluate_rules,
    questionnaire_findings_for_day,
    rules_to_run,
    safety_findings_for_day,
    sort_findings,
)
from tracker.rules.thresholds import Thresholds

__all__ = [
    "ALL_RULES",
    "PATTERN_RULES",
    "QUESTIONNAIRE_RULES",
    "RED_FLAG_RULES",
    "RULES_BY_ID",
    "Thresholds",
    "days_needed_for",
    "evaluate",
    "evaluate_rules",
    "questionnaire_findings_for_day",
    "rules_to_run",
    "safety_findings_for_day",
    "sort_findings",
]
