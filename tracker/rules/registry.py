"""The ordered list of rules and the ways of running them.

`evaluate` runs every rule (§3 and §4) for the flag engine, dashboards and reports;
`safety_findings_for_day` runs only the §3 red flags, for the response to a check-in;
`questionnaire_findings_for_day` runs the rules that read questionnaires, for the response to
a questionnaire.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from tracker.rules import patterns, red_flags
from tracker.rules.definition import RuleFunction, rule_info
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Timeline

logger = logging.getLogger(__name__)

# §3, in the order of the reference table.
RED_FLAG_RULES: tuple[RuleFunction, ...] = (
    red_flags.cauda_equina_bladder,
    red_flags.cauda_equina_saddle,
    red_flags.cauda_equina_bowel,
    red_flags.cauda_equina_sexual,
    red_flags.bilateral_leg_symptoms,
    red_flags.new_leg_weakness,
    red_flags.possible_hematoma,
    red_flags.chest_pain_breathless,
    red_flags.calf_pain_swelling,
    red_flags.fever,
    red_flags.wound_infection,
    red_flags.wound_bleeding,
    red_flags.spinal_fluid_leak,
    red_flags.new_numbness,
    red_flags.uncontrolled_pain,
    red_flags.constipation_on_opioids,
    red_flags.fall,
    red_flags.phq9_self_harm,
)

# §4, P1 … P12.
PATTERN_RULES: tuple[RuleFunction, ...] = (
    patterns.rebound_after_improvement,
    patterns.new_radiating_pain,
    patterns.leg_pain_not_improved_at_6_weeks,
    patterns.function_not_improved_at_12_weeks,
    patterns.chronic_postsurgical_pain,
    patterns.pain_specialist_referral,
    patterns.sustained_high_pain,
    patterns.low_mood,
    patterns.low_exercise_adherence,
    patterns.prolonged_opioid_use,
    patterns.walking_decline,
    patterns.check_ins_stopped,
)

ALL_RULES: tuple[RuleFunction, ...] = RED_FLAG_RULES + PATTERN_RULES

# The rules that read questionnaire scores (§3 RF-PHQ9-ITEM9, §4 P4 and P8), in ALL_RULES order.
_READS_QUESTIONNAIRES = frozenset(
    {red_flags.phq9_self_harm, patterns.function_not_improved_at_12_weeks, patterns.low_mood}
)
QUESTIONNAIRE_RULES: tuple[RuleFunction, ...] = tuple(
    rule for rule in ALL_RULES if rule in _READS_QUESTIONNAIRES
)

RULES_BY_ID: dict[str, RuleFunction] = {rule_info(rule).rule_id: rule for rule in ALL_RULES}

_DEFAULT_THRESHOLDS = Thresholds()


def evaluate(
    timeline: Timeline, as_of: date, thresholds: Thresholds = _DEFAULT_THRESHOLDS
) -> list[Finding]:
    """Every finding of every rule on `as_of`, most severe first (then in rule order)."""
    return _run(ALL_RULES, timeline, as_of, thresholds)


def safety_findings_for_day(
    timeline: Timeline, day: date, thresholds: Thresholds = _DEFAULT_THRESHOLDS
) -> list[Finding]:
    """The §3 red-flag findings of the check-in of `day`, most severe first.

    For the response to a check-in: an emergency finding comes first and must be shown before
    anything else (§0.1).
    """
    return _run(RED_FLAG_RULES, timeline, day, thresholds)


def questionnaire_findings_for_day(
    timeline: Timeline, day: date, thresholds: Thresholds = _DEFAULT_THRESHOLDS
) -> list[Finding]:
    """Findings of the questionnaire rules on `day`, most severe first.

    For the response to a questionnaire submitted on `day`: RF-PHQ9-ITEM9 (urgent; the view
    shows crisis-line numbers at once), P8-DEPRESSION (a finding whose evidence holds
    `offer_phq9: True` means "offer the PHQ-9 now"; when that is all it holds,
    `patterns.offer_only(finding.evidence)`, it is for the patient only, not a care-team
    flag) and P4-FUNCTION-NO-MCID-12W.
    """
    return _run(QUESTIONNAIRE_RULES, timeline, day, thresholds)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; ties keep their order (rule order when they come from `evaluate`)."""
    return sorted(findings, key=lambda finding: finding.level.rank)


def _run(
    rules: tuple[RuleFunction, ...], timeline: Timeline, as_of: date, thresholds: Thresholds
) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        # A fault in one rule must not hide the findings of the others (an emergency among
        # them), so it is logged loudly and the remaining rules still run.
        try:
            findings.extend(rule(timeline, as_of, thresholds))
        except Exception:
            logger.exception(
                "Rule %s failed for as_of=%s; its findings are missing",
                rule_info(rule).rule_id,
                as_of,
            )
    return sort_findings(findings)
