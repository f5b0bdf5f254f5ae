"""docs/clinical-rules.md: generated from the rules' metadata, committed, and kept up to date."""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tracker.management.commands.clinical_rules import DOCUMENT, FIELD_WORDS, render
from tracker.questionnaires.scoring import MEANINGFUL_CHANGE
from tracker.rules import ALL_RULES, Thresholds
from tracker.rules.definition import LEVEL_INSTRUCTIONS, rule_info
from tracker.timeline import LEVEL_ORDER
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES, SYMPTOM_CODES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def doc() -> str:
    return render()


def rule_section(doc: str, rule_id: str) -> str:
    """The part of the document about one rule, from its heading to the next heading."""
    match = re.search(rf"^### {re.escape(rule_id)}: .*?(?=^##)", doc, re.M | re.S)
    assert match, f"no section for {rule_id}"
    return match.group(0)


def test_the_committed_document_is_what_the_command_generates(doc):
    committed = (ROOT / DOCUMENT).read_text(encoding="utf-8")
    assert committed == doc, (
        f"{DOCUMENT} is out of date: run `python manage.py clinical_rules --write` and commit it."
    )


def test_check_passes_on_the_committed_document(capsys):
    call_command("clinical_rules", "--check")
    assert "up to date" in capsys.readouterr().out


def test_check_fails_on_a_stale_document_and_write_mends_it(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    (tmp_path / "docs").mkdir()
    stale = tmp_path / DOCUMENT
    stale.write_text(render().replace("emergency", "later"), encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("clinical_rules", "--check")
    call_command("clinical_rules", "--write")
    assert stale.read_text(encoding="utf-8") == render()
    call_command("clinical_rules", "--check")


def test_check_fails_when_the_document_is_missing(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError, match="clinical_rules --write"):
        call_command("clinical_rules", "--check")


def test_it_opens_with_what_the_rules_are_for_and_that_judgement_stays_with_clinicians(doc):
    opening = doc.split("## ", 1)[0]
    assert "do not make a diagnosis" in opening
    assert "does not replace clinical judgement" in opening
    assert "never the only safety net" in opening


def test_it_explains_every_severity_level_with_what_the_patient_is_told(doc):
    levels = doc.split("## Severity levels", 1)[1].split("\n## ", 1)[0]
    for level in LEVEL_ORDER:
        assert f"| `{level}` |" in levels
        assert LEVEL_INSTRUCTIONS[level] in levels
    assert "do not drive" in levels.lower()


def test_it_explains_the_evidence_labels(doc):
    assert "| [E] | Published" in doc
    assert "| [D] | Design choice" in doc


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule_info(rule).rule_id)
def test_every_rule_is_described_from_its_metadata(doc, rule):
    meta = rule_info(rule)
    section = rule_section(doc, meta.rule_id)
    assert meta.title in section
    assert f"**Levels:** {', '.join(meta.levels)}" in section
    assert meta.condition in section
    assert meta.window in section
    assert f"**Evidence:** {meta.label}" in section
    for source in meta.sources:
        assert source in section
    for code in meta.reads:
        assert f"`{code}`" in section


def test_red_flags_come_before_pattern_rules_in_reference_order(doc):
    headings = re.findall(r"^### (\S+):", doc, re.M)
    assert headings == [rule_info(rule).rule_id for rule in ALL_RULES]
    assert doc.index("## Red flags (§3)") < doc.index("### RF-CES-BLADDER")
    assert doc.index("## Pattern rules (§4)") < doc.index("### P1-REBOUND")


def test_every_field_a_rule_reads_is_put_in_words():
    for rule in ALL_RULES:
        for code in rule_info(rule).reads:
            assert code in SAFETY_ANSWER_CODES or code in SYMPTOM_CODES or code in FIELD_WORDS, code


def test_questionnaire_rules_say_they_run_when_a_questionnaire_is_submitted(doc):
    assert "also run at once when one is submitted" in rule_section(doc, "RF-PHQ9-ITEM9")
    assert "**Questionnaires:** PHQ-2, PHQ-9" in rule_section(doc, "P8-DEPRESSION")
    assert "run at once" not in rule_section(doc, "P5-CHRONIC-POSTSURGICAL")


def test_every_threshold_is_listed_with_its_default_and_who_may_change_it(doc):
    table = doc.split("## Thresholds", 1)[1]
    for spec in Thresholds.describe():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{spec['name']}` |"))
        assert f"| {spec['default']:g} | {spec['label']} |" in row
        if spec["emergency"]:
            assert "stricter only" in row
        elif spec["label"] == "[D]":
            assert "configurable per clinic" in row


def test_a_rule_lists_the_thresholds_it_takes(doc):
    assert "`fever_c` 38 [E], `fever_repeat_c` 37.8 [D]" in rule_section(doc, "RF-FEVER")
    assert "`silence_days_early` 3 [D]" in rule_section(doc, "P12-SILENCE")


def test_the_meaningful_change_table_of_section_2_is_documented(doc):
    table = doc.split("## Meaningful change (§2)", 1)[1].split("\n## ", 1)[0]
    assert len(MEANINGFUL_CHANGE) >= 3
    for change in MEANINGFUL_CHANGE.values():
        assert change.reference in table
    assert "≥ 5 points" in table  # PHQ-9, Löwe 2004


def test_the_readme_points_at_the_document_not_outside_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/clinical-rules.md)" in readme
    assert "../shared/" not in readme
