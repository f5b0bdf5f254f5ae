"""The shipped questionnaire files: FHIR-shaped, exact standard wording, codes as in §1.3 and §7."""

import json
from pathlib import Path

import pytest

from tracker.questionnaires.definitions import (
    ITEM_CONTROL_URL,
    MAX_VALUE_URL,
    MIN_VALUE_URL,
    ORDINAL_VALUE_URL,
    SHIPPED_DIR,
    get_definition,
    load_definition,
)

SHIPPED = ("peg", "phq2", "phq9")

PHQ_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)
PHQ_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
PHQ_OPTIONS = [
    ("LA6568-5", "Not at all", 0),
    ("LA6569-3", "Several days", 1),
    ("LA6570-1", "More than half the days", 2),
    ("LA6571-9", "Nearly every day", 3),
]
PHQ9_ITEMS = [
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    (
        "44258-2",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
    ),
    (
        "44252-5",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
    ),
    ("44260-8", "Thoughts that you would be better off dead or of hurting yourself in some way"),
]
PEG_ITEMS = [
    (
        "What number best describes your pain on average in the past week?",
        "No pain",
        "Pain as bad as you can imagine",
    ),
    (
        "What number best describes how, during the past week, pain has interfered with your "
        "enjoyment of life?",
        "Does not interfere",
        "Completely interferes",
    ),
    (
        "What number best describes how, during the past week, pain has interfered with your "
        "general activity?",
        "Does not interfere",
        "Completely interferes",
    ),
]


def raw(code: str) -> dict:
    return json.loads((SHIPPED_DIR / f"{code}.json").read_text(encoding="utf-8"))


def all_items(items: list[dict]):
    for item in items:
        yield item
        yield from all_items(item.get("item", []))


def questions(resource: dict) -> list[dict]:
    return [item for item in resource["item"] if item["type"] != "display"]


def loinc(codings: list[dict] | dict) -> list[str]:
    codings = codings if isinstance(codings, list) else [codings]
    return [c["code"] for c in codings if c["system"] == "http://loinc.org"]


def extension(element: dict, url: str) -> dict:
    (found,) = [e for e in element.get("extension", []) if e["url"] == url]
    return found


def test_exactly_the_free_instruments_ship():
    assert sorted(p.stem for p in SHIPPED_DIR.glob("*.json")) == sorted(SHIPPED)
    assert (SHIPPED_DIR / "README.md").is_file()


@pytest.mark.parametrize("code", SHIPPED)
def test_each_file_is_a_structurally_valid_fhir_questionnaire(code):
    resource = raw(code)
    assert resource["resourceType"] == "Questionnaire"
    assert resource["id"] == code
    assert resource["url"] == f"urn:laminar:questionnaire:{code}"
    assert resource["status"] == "active"
    for key in ("version", "name", "title", "copyright"):
        assert isinstance(resource[key], str) and resource[key]
    link_ids = [item["linkId"] for item in all_items(resource["item"])]
    assert len(link_ids) == len(set(link_ids))
    for item in all_items(resource["item"]):
        assert item["type"] in {"choice", "integer", "display"}
        assert item["text"]
        if item["type"] == "choice":
            for option in item["answerOption"]:
                assert {"code", "display", "system"} <= set(option["valueCoding"])
                assert isinstance(extension(option, ORDINAL_VALUE_URL)["valueDecimal"], int)
        if item["type"] == "integer":
            assert extension(item, MIN_VALUE_URL)["valueInteger"] == 0
            assert extension(item, MAX_VALUE_URL)["valueInteger"] == 10
    # The loader accepts it, and the FHIR export drops only the Laminar block.
    definition = load_definition(SHIPPED_DIR / f"{code}.json")
    assert definition.fhir_resource() == {k: v for k, v in resource.items() if k != "laminar"}


@pytest.mark.parametrize(
    ("code", "panel", "score"),
    [("peg", "91148-7", "91147-9"), ("phq2", "55757-9", "55758-7"), ("phq9", "44249-1", "44261-6")],
)
def test_panel_and_score_loinc_codes(code, panel, score):
    resource = raw(code)
    assert loinc(resource["code"]) == [panel]
    assert loinc(resource["laminar"]["scoreCode"]) == [score]
    definition = get_definition(code)
    assert (definition.panel_code, definition.score_code) == (panel, score)


def test_peg_codes_are_marked_for_verification():
    # clinical-reference §7: "verify before release".
    assert {"91148-7", "91147-9"} <= set(raw("peg")["laminar"]["verifyCodes"])
    assert raw("phq9")["laminar"]["verifyCodes"] == []


def test_phq9_has_the_standard_items_codes_and_options_in_order():
    resource = raw("phq9")
    assert resource["item"][0] == {"linkId": "phq-stem", "text": PHQ_STEM, "type": "display"}
    items = questions(resource)
    assert [(loinc(i["code"])[0], i["text"]) for i in items] == PHQ9_ITEMS
    assert [i["linkId"] for i in items] == [f"phq-q{n}" for n in range(1, 10)]
    for item in items:
        assert item["type"] == "choice"
        assert [
            (
                o["valueCoding"]["code"],
                o["valueCoding"]["display"],
                extension(o, ORDINAL_VALUE_URL)["valueDecimal"],
            )
            for o in item["answerOption"]
        ] == PHQ_OPTIONS
    assert get_definition("phq9").item("phq-q9").code == "44260-8"
    assert get_definition("phq9").preamble == PHQ_STEM


def test_phq2_is_the_first_two_phq9_items_unchanged():
    phq2, phq9 = raw("phq2"), raw("phq9")
    assert phq2["item"][0]["text"] == PHQ_STEM
    assert questions(phq2) == questions(phq9)[:2]


@pytest.mark.parametrize("code", ["phq2", "phq9"])
def test_phq_attribution_is_exact(code):
    assert raw(code)["copyright"] == PHQ_ATTRIBUTION


def test_peg_has_the_standard_wording_and_anchors():
    definition = get_definition("peg")
    assert [(i.text, i.lower_label, i.upper_label) for i in definition.items] == PEG_ITEMS
    assert all((i.type, i.min_value, i.max_value) == ("integer", 0, 10) for i in definition.items)
    for item in questions(raw("peg")):
        controls = [
            extension(child, ITEM_CONTROL_URL)["valueCodeableConcept"]["coding"][0]["code"]
            for child in item["item"]
        ]
        assert controls == ["lower", "upper"]
    assert "Krebs" in definition.copyright
    assert "2009" in definition.copyright


@pytest.mark.parametrize(
    ("code", "rule", "min_answered", "recall"),
    [
        ("peg", "mean", 3, "past week"),
        ("phq2", "sum", 2, "past 2 weeks"),
        ("phq9", "sum", 9, "past 2 weeks"),
    ],
)
def test_scoring_rule_and_recall_period(code, rule, min_answered, recall):
    definition = get_definition(code)
    assert (definition.rule, definition.min_answered) == (rule, min_answered)
    assert definition.recall_period == recall


def test_phq9_bands_follow_kroenke_2001():
    definition = get_definition("phq9")
    assert [(b.lower, b.label) for b in definition.bands] == [
        (0, "minimal"),
        (5, "mild"),
        (10, "moderate"),
        (15, "moderately severe"),
        (20, "severe"),
    ]
    assert "[E]" in definition.bands_reference


def test_flags_declared_by_the_files():
    (phq2_flag,) = get_definition("phq2").flags
    assert (phq2_flag.name, phq2_flag.link_id, phq2_flag.at_least) == ("phq2_positive", None, 3)
    (item9_flag,) = get_definition("phq9").flags
    assert (item9_flag.name, item9_flag.link_id, item9_flag.at_least) == (
        "item9_positive",
        "phq-q9",
        1,
    )
    assert "RF-PHQ9-ITEM9" in item9_flag.reference


def test_schedules_match_clinical_reference():
    peg, phq2, phq9 = (get_definition(c).schedule for c in SHIPPED)
    assert peg.every_days == 7
    assert (phq2.every_days, phq2.satisfied_by) == (14, ("phq9",))
    assert phq9.every_days is None
    assert (phq9.milestone_days, phq9.window_days) == ((42, 84), 3)
    assert (phq9.triggered_by, phq9.trigger_at_least) == ("phq2", 3)


def test_no_odi_content_ships():
    for path in Path(SHIPPED_DIR).rglob("*.json"):
        text = path.read_text(encoding="utf-8").lower()
        assert "odi-percent" not in text
        assert "97909-6" not in text
        assert "oswestry" not in text
    assert not (SHIPPED_DIR / "examples").exists()
