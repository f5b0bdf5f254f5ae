"""The one registry of rules: every §3 and §4 row once, in reference order, duplicates refused."""

import ast
import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rules.test_properties import as_of_for, timelines
from tracker.rules import (
    ALL_RULES,
    PATTERN_RULES,
    QUESTIONNAIRE_RULES,
    RED_FLAG_RULES,
    RULES_BY_ID,
    evaluate,
    patterns,
    red_flags,
)
from tracker.rules.days_read import DaysRead
from tracker.rules.definition import (
    RULES,
    DuplicateRuleError,
    RuleInfo,
    RuleRegistry,
    implements,
    rule_info,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import DayRecord, Finding, Level, Timeline
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES, SYMPTOM_CODES

RULES_DIR = Path(__file__).resolve().parents[2] / "tracker" / "rules"

# clinical-reference §3, in the order of its table.
REFERENCE_RED_FLAGS = [
    "RF-CES-BLADDER",
    "RF-CES-SADDLE",
    "RF-CES-BOWEL",
    "RF-CES-SEXUAL",
    "RF-BILATERAL",
    "RF-WEAKNESS-NEW",
    "RF-HEMATOMA",
    "RF-CHEST",
    "RF-CALF",
    "RF-FEVER",
    "RF-WOUND",
    "RF-WOUND-BLEED",
    "RF-CSF",
    "RF-NUMB-NEW",
    "RF-PAIN-UNCONTROLLED",
    "RF-CONSTIPATION",
    "RF-FALL",
    "RF-PHQ9-ITEM9",
]

# clinical-reference §4, P1 … P12.
REFERENCE_PATTERNS = [
    "P1-REBOUND",
    "P2-NEW-RADIATING",
    "P3-LEG-NO-MCID-6W",
    "P4-FUNCTION-NO-MCID-12W",
    "P5-CHRONIC-POSTSURGICAL",
    "P6-PAIN-SPECIALIST",
    "P7-SUSTAINED-HIGH",
    "P8-DEPRESSION",
    "P9-ADHERENCE",
    "P10-OPIOID-PROLONGED",
    "P11-WALKING-DECLINE",
    "P12-SILENCE",
]


def code_names(path: Path) -> set[str]:
    """The names a module's code uses (imports, variables, attributes), not its prose."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.alias):
            found.add(node.asname or node.name)
        elif isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
    return found


def ids(rules) -> list[str]:
    return [rule_info(rule).rule_id for rule in rules]


def no_finding(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    return []


def info(rule_id: str, section: str, position: int, **changes) -> RuleInfo:
    """Metadata of a made-up rule, complete enough to be accepted."""
    fields = {
        "rule_id": rule_id,
        "version": 1,
        "section": section,
        "label": "[D]",
        "title": "A made-up rule",
        "position": position,
        "levels": (Level.REVIEW,),
        "condition": "Never fires.",
        "window": "Nothing.",
        "sources": ("A design choice.",),
        "days": DaysRead(),
    }
    return RuleInfo(**(fields | changes))


def rule_for(rule_info_: RuleInfo):
    """A distinct function carrying `rule_info_`, as `@implements` would leave it."""

    def rule(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
        return []

    rule.rule_info = rule_info_
    return rule


def test_the_registry_holds_every_reference_row_once_in_table_order():
    assert ids(RED_FLAG_RULES) == REFERENCE_RED_FLAGS
    assert ids(PATTERN_RULES) == REFERENCE_PATTERNS
    assert ids(ALL_RULES) == REFERENCE_RED_FLAGS + REFERENCE_PATTERNS
    assert list(RULES_BY_ID) == REFERENCE_RED_FLAGS + REFERENCE_PATTERNS
    assert RULES.rules() == ALL_RULES


def test_evaluate_runs_the_rules_in_registry_order():
    # Findings of the same level come out in reference order, after the more severe ones.
    everything = frozenset({"fall", "calf_pain_swelling", "bladder_change", "wound_bleeding"})
    tl = Timeline(
        surgery_date=date(2026, 3, 2),
        days=(DayRecord(day=date(2026, 3, 12), safety_answers=everything),),
    )
    found = ids(RULES_BY_ID[f.rule_id] for f in evaluate(tl, date(2026, 3, 12)))
    assert found == ["RF-CES-BLADDER", "RF-CALF", "RF-WOUND-BLEED", "RF-FALL"]


def test_questionnaire_rules_are_those_a_questionnaire_answer_decides():
    assert ids(QUESTIONNAIRE_RULES) == ["RF-PHQ9-ITEM9", "P4-FUNCTION-NO-MCID-12W", "P8-DEPRESSION"]
    for rule in QUESTIONNAIRE_RULES:
        assert rule_info(rule).questionnaires


def test_a_second_rule_with_a_known_id_is_refused():
    again = dataclasses.replace(rule_info(red_flags.fever), position=99)
    with pytest.raises(DuplicateRuleError, match="id RF-FEVER"):
        implements(again)(no_finding)
    assert RULES_BY_ID["RF-FEVER"] is red_flags.fever
    assert ids(RULES.rules()) == REFERENCE_RED_FLAGS + REFERENCE_PATTERNS


def test_a_second_rule_on_a_taken_table_row_is_refused():
    registry = RuleRegistry()
    registry.add(rule_for(info("RF-ONE", "§3", 1)))
    with pytest.raises(DuplicateRuleError, match="§3 table position 1"):
        registry.add(rule_for(info("RF-TWO", "§3", 1)))
    registry.add(rule_for(info("P1-ONE", "§4", 1)))  # the same position in the other table
    assert ids(registry.rules()) == ["RF-ONE", "P1-ONE"]


def test_order_comes_from_section_and_table_position_not_from_import_order():
    registry = RuleRegistry()
    for rule_id, section, position in [
        ("P12-LAST", "§4", 12),
        ("RF-SECOND", "§3", 2),
        ("P2-SECOND", "§4", 2),
        ("RF-FIRST", "§3", 1),
        ("P10-TENTH", "§4", 10),
    ]:
        registry.add(rule_for(info(rule_id, section, position)))
    assert ids(registry.rules()) == ["RF-FIRST", "RF-SECOND", "P2-SECOND", "P10-TENTH", "P12-LAST"]


def test_a_rule_recorded_after_the_lists_were_built_is_refused():
    late = info("RF-LATE", "§3", len(REFERENCE_RED_FLAGS) + 1)
    with pytest.raises(RuntimeError, match="family package"):
        implements(late)(no_finding)
    assert "RF-LATE" not in ids(RULES.rules())


def test_no_list_of_rule_functions_is_kept_by_hand():
    """Adding a rule touches its family module only: neither the registry nor the family
    packages name the rule functions."""
    names = {rule.__name__ for rule in ALL_RULES}
    for path in [
        RULES_DIR / "registry.py",
        RULES_DIR / "red_flags" / "__init__.py",
        RULES_DIR / "patterns" / "__init__.py",
    ]:
        assert not names & code_names(path), path


def test_family_packages_still_name_their_rules():
    assert red_flags.fever is RULES_BY_ID["RF-FEVER"]
    assert patterns.low_mood is RULES_BY_ID["P8-DEPRESSION"]
    with pytest.raises(AttributeError):
        red_flags.low_mood  # noqa: B018 - a §4 rule is not a red flag
    with pytest.raises(AttributeError):
        patterns.no_such_rule  # noqa: B018


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"section": "§5"}, "section"),
        ({"position": 0}, "position"),
        ({"levels": ()}, "levels"),
        ({"levels": (Level.URGENT, Level.URGENT)}, "levels"),
        ({"label": "evidence"}, "label"),
        ({"label": "[X]"}, "label"),
        ({"condition": ""}, "condition"),
        ({"on_questionnaire": True}, "questionnaire"),
    ],
)
def test_incomplete_or_wrong_metadata_is_refused(changes, problem):
    with pytest.raises(ValueError, match=problem):
        info("RF-BAD", **({"section": "§3", "position": 1} | changes))


def test_levels_are_kept_most_severe_first():
    made = info("RF-X", "§3", 1, levels=(Level.SOON, Level.EMERGENCY))
    assert made.levels == (Level.EMERGENCY, Level.SOON)


# What a rule may read: §3 answer codes, §1.2 symptom codes, the check-in's own fields and the
# pre-operative baselines.
CHECKIN_FIELDS = {f.name for f in dataclasses.fields(DayRecord)} - {"symptoms", "safety_answers"}
KNOWN_CODES = {*SAFETY_ANSWER_CODES, *SYMPTOM_CODES, *CHECKIN_FIELDS}
KNOWN_CODES |= {"baseline_back_pain", "baseline_leg_pain"}
INSTRUMENTS = {"phq2", "phq9", "peg", "odi"}


@pytest.mark.parametrize("rule_id", REFERENCE_RED_FLAGS + REFERENCE_PATTERNS)
def test_every_rule_says_what_a_clinician_needs(rule_id):
    meta = rule_info(RULES_BY_ID[rule_id])
    assert meta.levels
    assert meta.condition and meta.window and meta.sources
    assert re.search(r"\[[ED]\]", meta.label)
    assert meta.reads or meta.questionnaires
    assert set(meta.reads) <= KNOWN_CODES, set(meta.reads) - KNOWN_CODES
    assert len(set(meta.reads)) == len(meta.reads)
    assert set(meta.questionnaires) <= INSTRUMENTS


@settings(max_examples=60, deadline=None)
@given(timelines(), st.data())
def test_no_rule_raises_a_level_its_metadata_does_not_name(tl, data):
    as_of = as_of_for(tl, data)
    for finding in evaluate(tl, as_of):
        assert finding.level in rule_info(RULES_BY_ID[finding.rule_id]).levels, finding.rule_id
