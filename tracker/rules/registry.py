"""The lists of rules, derived from the one registry, and the ways of running them.

Every rule records itself with `@implements` (tracker.rules.definition.RULES) when its family
module is imported; the lists here are built from that registry in reference order (§3, then
§4, each in the order of its table), never written out by hand.

`evaluate` runs every rule (§3 and §4) for the flag engine, dashboards and reports;
`safety_findings_for_day` runs only the §3 red flags, for the response to a check-in;
`questionnaire_findings_for_day` runs the rules a questionnaire answer decides, for the
response to a questionnaire.

`rules_to_run` chooses the rules that can fire on a day (and, for a save, those whose window
contains the day saved); `days_needed_for` is what they read, for the loader
(tracker.models.timelines.rule_timeline); `evaluate_rules` runs them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

# Importing the families records their rules in RULES.
from tracker.rules import patterns, red_flags  # noqa: F401
from tracker.rules.days_read import DaysNeeded, days_needed
from tracker.rules.definition import RULES, RuleFunction, rule_info
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Timeline

logger = logging.getLogger(__name__)

# Every rule, §3 then §4, each in the order of its reference table. A rule recorded after this
# point is refused (its module must be imported by its family package).
ALL_RULES: tuple[RuleFunction, ...] = RULES.close()

# §3, in the order of the reference table.
RED_FLAG_RULES: tuple[RuleFunction, ...] = tuple(
    rule for rule in ALL_RULES if rule_info(rule).section == "§3"
)

# §4, P1 … P12.
PATTERN_RULES: tuple[RuleFunction, ...] = tuple(
    rule for rule in ALL_RULES if rule_info(rule).section == "§4"
)

# The rules a questionnaire answer decides (RuleInfo.on_questionnaire: §3 RF-PHQ9-ITEM9, §4 P4
# and P8), in ALL_RULES order.
QUESTIONNAIRE_RULES: tuple[RuleFunction, ...] = tuple(
    rule for rule in ALL_RULES if rule_info(rule).on_questionnaire
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


def evaluate_rules(
    rules: Iterable[RuleFunction],
    timeline: Timeline,
    as_of: date,
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
) -> list[Finding]:
    """The findings of `rules` on `as_of`, most severe first (then in rule order)."""
    wanted = set(rules)
    return _run(tuple(rule for rule in ALL_RULES if rule in wanted), timeline, as_of, thresholds)


def rules_to_run(
    surgery_date: date,
    as_of: date,
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
    *,
    saved_day: date | None = None,
    rules: Iterable[RuleFunction] = ALL_RULES,
) -> tuple[RuleFunction, ...]:
    """Those of `rules` that can fire on `as_of` (`DaysRead.active`); with `saved_day`, only
    those whose window on `as_of` contains it (`DaysRead.holds`): the rules a save of that
    day's check-in can change. The others find on `as_of` what they found before the save.
    """
    day_number = (as_of - surgery_date).days
    chosen = []
    for rule in rules:
        read = rule_info(rule).days
        if saved_day is None:
            if read.active(day_number, thresholds):
                chosen.append(rule)
        elif read.holds(surgery_date, as_of, saved_day, thresholds):
            chosen.append(rule)
    return tuple(chosen)


def days_needed_for(
    rules: Iterable[RuleFunction],
    surgery_date: date,
    as_of: date,
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
) -> DaysNeeded:
    """The days, check-in fields and questionnaires `rules` read on `as_of` (their union)."""
    reads = []
    for rule in rules:
        info = rule_info(rule)
        reads.append((info.days, info.day_fields, info.questionnaires))
    return days_needed(reads, surgery_date, as_of, thresholds)


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
