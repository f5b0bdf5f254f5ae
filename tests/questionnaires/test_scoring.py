"""tracker.questionnaires.scoring: definitions, scores, meaningful change, schedule (§1.3, §2)."""

import copy
import dataclasses
import json
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.questionnaires import definitions as questionnaire_definitions
from tracker.questionnaires import scoring
from tracker.questionnaires.definitions import (
    ORDINAL_VALUE_URL,
    load_definition,
    load_definitions,
    parse_definition,
)
from tracker.questionnaires.scoring import (
    AnswerError,
    DefinitionError,
    available_definitions,
    default_schedules,
    due_questionnaires,
    get_definition,
    meaningful_change,
    score,
)

SURGERY = date(2026, 3, 2)
PHQ9_BANDS = {0: "minimal", 5: "mild", 10: "moderate", 15: "moderately severe", 20: "severe"}


def day(n: int) -> date:
    return SURGERY + timedelta(days=n)


def choice_item(link_id: str, values=range(4), text=None) -> dict:
    return {
        "linkId": link_id,
        "text": text or f"Question {link_id}",
        "type": "choice",
        "answerOption": [
            {
                "extension": [{"url": ORDINAL_VALUE_URL, "valueDecimal": v}],
                "valueCoding": {"system": "urn:test", "code": f"{link_id}-{v}", "display": f"{v}"},
            }
            for v in values
        ],
    }


def make_definition(items: list[dict], scoring_block: dict, **laminar) -> dict:
    return {
        "resourceType": "Questionnaire",
        "id": "test",
        "url": "urn:test:questionnaire",
        "name": "Test",
        "title": "Test questionnaire",
        "status": "active",
        "copyright": "Placeholder",
        "item": items,
        "laminar": {"format": 1, "scoring": scoring_block, **laminar},
    }


def odi_like(**scoring_block) -> dict:
    """A made-up 10-section definition with the ODI's shape (0–5 per section), no ODI text."""
    items = [choice_item(f"section-{n}", range(6), f"Section {n}") for n in range(1, 11)]
    resource = make_definition(
        items,
        {"rule": "odi-percent", **scoring_block},
        scoreCode={"system": "http://loinc.org", "code": "97909-6"},
        bands=[
            {"from": 0, "label": "minimal"},
            {"from": 20, "label": "moderate"},
            {"from": 40, "label": "severe"},
        ],
        schedule={"milestoneDays": [14, 42, 84, 182, 365], "windowDays": 3},
    )
    resource["id"] = "odi"
    return resource


def odi_answers(values: list[int]) -> dict:
    return {f"section-{n}": v for n, v in enumerate(values, start=1)}


def phq9_answers(total: int) -> dict:
    answers, remaining = {}, total
    for n in range(1, 10):
        answers[f"phq-q{n}"] = min(3, remaining)
        remaining -= answers[f"phq-q{n}"]
    return answers


# --- PHQ-9 and PHQ-2 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_total_and_band_boundaries(total, band):
    result = score(get_definition("phq9"), phq9_answers(total))
    assert result.instrument == "phq9"
    assert result.total == total
    assert isinstance(result.total, int)
    assert result.band == band
    assert result.is_complete
    assert result.answered == 9


def test_phq9_answers_may_be_option_codes():
    answers = {f"phq-q{n}": "LA6570-1" for n in range(1, 10)}
    result = score(get_definition("phq9"), answers)
    assert result.total == 18
    assert result.items["phq-q1"] == 2


@pytest.mark.parametrize(("answer", "flagged"), [(0, False), (1, True), (3, True)])
def test_phq9_item9_flag(answer, flagged):
    answers = {**phq9_answers(0), "phq-q9": answer}
    result = score(get_definition("phq9"), answers)
    assert result.item9_positive is flagged
    assert result.flags == {"item9_positive": flagged}


def test_phq9_item9_flag_is_raised_even_when_the_rest_is_unanswered():
    result = score(get_definition("phq9"), {"phq-q9": "LA6569-3", "phq-q1": None})
    assert result.item9_positive
    assert result.total is None
    assert result.band is None
    assert not result.is_complete
    assert result.answered == 1


def test_phq9_needs_every_item_for_a_total():
    answers = phq9_answers(12)
    del answers["phq-q5"]
    result = score(get_definition("phq9"), answers)
    assert result.total is None
    assert not result.is_complete


@pytest.mark.parametrize(
    ("q1", "q2", "positive", "band"),
    [
        (0, 0, False, "negative"),
        (1, 1, False, "negative"),
        (2, 1, True, "positive"),
        (3, 3, True, "positive"),
    ],
)
def test_phq2_positive_at_3(q1, q2, positive, band):
    result = score(get_definition("phq2"), {"phq-q1": q1, "phq-q2": q2})
    assert result.total == q1 + q2
    assert result.phq2_positive is positive
    assert result.band == band
    assert not result.item9_positive  # not a PHQ-2 flag at all


def test_phq2_with_one_answer_has_no_total_and_is_not_positive():
    result = score(get_definition("phq2"), {"phq-q1": 3})
    assert result.total is None
    assert not result.phq2_positive


# --- PEG --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "total"),
    [
        ((0, 0, 0), 0.0),
        ((10, 10, 10), 10.0),
        ((7, 8, 8), 7.7),  # 7.666…
        ((1, 1, 2), 1.3),  # 1.333…
        ((2, 3, 3), 2.7),
        ((5, 6, 4), 5.0),
    ],
)
def test_peg_is_the_mean_rounded_to_one_decimal(values, total):
    answers = dict(zip(("peg-pain", "peg-enjoyment", "peg-activity"), values, strict=True))
    result = score(get_definition("peg"), answers)
    assert result.total == total
    assert result.band is None
    assert result.flags == {}


def test_peg_needs_all_three_items():
    result = score(get_definition("peg"), {"peg-pain": 5, "peg-enjoyment": 5})
    assert result.total is None
    assert not result.is_complete


def test_mean_rounds_half_up_not_to_even():
    two = parse_definition(
        make_definition([choice_item("a"), choice_item("b")], {"rule": "mean", "decimals": 0})
    )
    assert score(two, {"a": 2, "b": 3}).total == 3  # 2.5; banker's rounding would give 2
    assert isinstance(score(two, {"a": 2, "b": 3}).total, int)
    four = parse_definition(
        make_definition([choice_item(c) for c in "abcd"], {"rule": "mean", "minAnswered": 2})
    )
    assert score(four, {"a": 1, "b": 0, "c": 0, "d": 0}).total == 0.3  # 0.25
    assert score(four, {"a": 1, "b": 0}).total == 0.5  # mean of the answered items


# --- ODI-shaped percentage (made-up definition: the ODI text is licensed) ----------------------


@pytest.mark.parametrize(
    ("values", "total"),
    [
        ([2] * 10, 40.0),  # 20 / 50
        ([5] * 10, 100.0),
        ([0] * 10, 0.0),
        ([3, 2, 2, 2, 2, 3, 2, 2, 2], 44.4),  # 20 / 45 = 44.44…
        ([1, 1, 1, 1, 1, 1, 0, 1], 17.5),  # 7 / 40
        ([2] * 8, 40.0),
    ],
)
def test_odi_percent_with_8_9_and_10_sections(values, total):
    result = score(parse_definition(odi_like()), odi_answers(values))
    assert result.total == total
    assert result.answered == len(values)
    assert result.is_complete is (len(values) == 10)


def test_odi_percent_refuses_7_sections():
    result = score(parse_definition(odi_like()), odi_answers([5] * 7))
    assert result.total is None
    assert result.band is None
    assert result.answered == 7


def test_odi_minimum_can_be_stated_and_rounding_configured():
    definition = parse_definition(odi_like(minAnswered=8, decimals=0))
    assert definition.min_answered == 8
    assert score(definition, odi_answers([1, 1, 1, 1, 1, 1, 0, 1])).total == 18  # 17.5
    assert score(definition, odi_answers([1] * 7)).total is None


@pytest.mark.parametrize(
    ("values", "band"),
    [
        ([1] * 9 + [0], "minimal"),  # 18 %
        ([1] * 10, "moderate"),  # 20 %
        ([2] * 9 + [1], "moderate"),  # 38 %
        ([2] * 10, "severe"),  # 40 %
        ([2] * 9, "severe"),  # 18 / 45 = 40 %
    ],
)
def test_odi_bands_use_the_percentage(values, band):
    assert score(parse_definition(odi_like()), odi_answers(values)).band == band


@given(st.lists(st.integers(0, 5), min_size=8, max_size=10))
def test_odi_percent_property(values):
    result = score(parse_definition(odi_like()), odi_answers(values))
    expected = sum(values) / (5 * len(values)) * 100
    assert 0 <= result.total <= 100
    assert abs(result.total - expected) <= 0.05 + 1e-9


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_total_is_the_sum_and_in_its_band(values):
    answers = {f"phq-q{n}": v for n, v in enumerate(values, start=1)}
    result = score(get_definition("phq9"), answers)
    assert result.total == sum(values)
    lower = max(b for b in PHQ9_BANDS if b <= result.total)
    assert result.band == PHQ9_BANDS[lower]
    assert result.item9_positive is (values[8] > 0)


# --- Invalid answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers", "link_id", "message"),
    [
        ("phq9", {"phq-q10": 1}, "phq-q10", "unknown item 'phq-q10'"),
        ("phq9", {"phq-stem": 1}, "phq-stem", "unknown item 'phq-stem'"),
        ("phq9", {"phq-q1": 4}, "phq-q1", "4 is not one of its options"),
        ("phq9", {"phq-q1": -1}, "phq-q1", "-1 is not one of its options"),
        ("phq9", {"phq-q2": "LA0000-0"}, "phq-q2", "'LA0000-0' is not one of its options"),
        ("phq9", {"phq-q2": "2"}, "phq-q2", "'2' is not one of its options"),
        ("phq9", {"phq-q3": True}, "phq-q3", "True is not one of its options"),
        ("peg", {"peg-pain": 11}, "peg-pain", "11 is outside 0-10"),
        ("peg", {"peg-pain": -1}, "peg-pain", "-1 is outside 0-10"),
        ("peg", {"peg-activity": 5.5}, "peg-activity", "expects a whole number"),
        ("peg", {"peg-activity": "5"}, "peg-activity", "expects a whole number"),
        ("peg", {"peg-activity": False}, "peg-activity", "expects a whole number"),
    ],
)
def test_invalid_answers_name_the_item(code, answers, link_id, message):
    with pytest.raises(AnswerError, match=message) as excinfo:
        score(get_definition(code), answers)
    assert excinfo.value.link_id == link_id
    assert link_id in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)


def test_answers_must_be_a_mapping():
    with pytest.raises(ValueError, match="answers must map linkId"):
        score(get_definition("phq2"), [("phq-q1", 1)])


# --- Malformed definitions --------------------------------------------------------------------


def broken(change) -> dict:
    resource = copy.deepcopy(odi_like())
    change(resource)
    return resource


def drop_link_id(r):
    del r["item"][2]["linkId"]


def duplicate_link_id(r):
    r["item"][3]["linkId"] = "section-1"


def duplicate_nested_link_id(r):
    r["item"][0]["item"] = [
        {
            "linkId": "section-2",
            "type": "display",
            "text": "Low",
            "extension": [
                {
                    "url": questionnaire_definitions.ITEM_CONTROL_URL,
                    "valueCodeableConcept": {"coding": [{"code": "lower"}]},
                }
            ],
        }
    ]


def unknown_rule(r):
    r["laminar"]["scoring"]["rule"] = "median"


def no_ordinal(r):
    del r["item"][4]["answerOption"][2]["extension"]


def fractional_ordinal(r):
    r["item"][4]["answerOption"][2]["extension"][0]["valueDecimal"] = 2.5


def duplicate_ordinal(r):
    r["item"][4]["answerOption"][2]["extension"][0]["valueDecimal"] = 1


def no_options(r):
    r["item"][0]["answerOption"] = []


def integer_without_range(r):
    r["item"][0] = {"linkId": "section-1", "text": "Section 1", "type": "integer"}


def unsupported_type(r):
    r["item"][0]["type"] = "string"


def display_after_question(r):
    r["item"].append({"linkId": "note", "type": "display", "text": "Thanks"})


def unexpected_nested_item(r):
    r["item"][0]["item"] = [{"linkId": "child", "type": "display", "text": "Help"}]


def wrong_resource(r):
    r["resourceType"] = "QuestionnaireResponse"


def no_laminar(r):
    del r["laminar"]


def typo_in_laminar(r):
    r["laminar"]["band"] = []


def partial_sum(r):
    r["laminar"]["scoring"] = {"rule": "sum", "minAnswered": 8}


def too_few_needed(r):
    r["laminar"]["scoring"]["minAnswered"] = 11


def descending_bands(r):
    r["laminar"]["bands"] = [
        {"from": 0, "label": "a"},
        {"from": 40, "label": "b"},
        {"from": 20, "label": "c"},
    ]


def bands_not_covering_zero(r):
    r["laminar"]["bands"] = [{"from": 10, "label": "a"}]


def flag_on_unknown_item(r):
    r["laminar"]["flags"] = [{"name": "x_positive", "linkId": "section-11", "atLeast": 1}]


def schedule_without_timing(r):
    r["laminar"]["schedule"] = {"windowDays": 3}


def schedule_typo(r):
    r["laminar"]["schedule"] = {"everyday": 7}


def no_copyright(r):
    del r["copyright"]


def odi_percent_not_from_zero(r):
    r["item"][0] = choice_item("section-1", range(1, 6))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (drop_link_id, "item 3 has no linkId"),
        (duplicate_link_id, "duplicate linkId 'section-1'"),
        (duplicate_nested_link_id, "duplicate linkId 'section-2'"),
        (unknown_rule, "unknown scoring rule 'median'"),
        (no_ordinal, r"item 'section-5': answer option 3 \('section-5-2'\) has no ordinal value"),
        (fractional_ordinal, "needs a whole-number ordinal value"),
        (duplicate_ordinal, "ordinal values must be unique"),
        (no_options, "choice items need a non-empty answerOption"),
        (integer_without_range, "integer items need minValue and maxValue"),
        (unsupported_type, "type 'string' is not supported"),
        (display_after_question, "display text is only supported before the first question"),
        (unexpected_nested_item, "nested item 'child' must be a display item with itemControl"),
        (wrong_resource, "resourceType must be 'Questionnaire'"),
        (no_laminar, "the 'laminar' block is required"),
        (typo_in_laminar, "unknown key.* in laminar: band"),
        (partial_sum, "a sum needs every item answered"),
        (too_few_needed, "minAnswered must be 1 to 10"),
        (descending_bands, "ascending"),
        (bands_not_covering_zero, "first band must start at or below the lowest total"),
        (flag_on_unknown_item, "unknown item 'section-11'"),
        (schedule_without_timing, "needs everyDays, milestoneDays or triggeredBy"),
        (schedule_typo, "unknown key.* in laminar.schedule: everyday"),
        (no_copyright, "copyright is required"),
        (odi_percent_not_from_zero, "'odi-percent' needs every item to score from 0"),
    ],
)
def test_malformed_definitions_are_refused_with_a_clear_message(change, message):
    with pytest.raises(DefinitionError, match=message) as excinfo:
        parse_definition(broken(change), source="clinic.json")
    assert str(excinfo.value).startswith("clinic.json: ")
    assert isinstance(excinfo.value, ValueError)


def test_the_made_up_odi_definition_is_valid():
    definition = parse_definition(odi_like())
    assert (definition.rule, definition.min_answered, definition.score_code) == (
        "odi-percent",
        8,
        "97909-6",
    )


def test_malformed_files(tmp_path):
    (tmp_path / "odi.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"odi.json: not valid JSON"):
        load_definition(tmp_path / "odi.json")
    (tmp_path / "odi.json").write_text("[]", encoding="utf-8")
    with pytest.raises(DefinitionError, match="odi.json: expected a JSON object"):
        load_definition(tmp_path / "odi.json")
    (tmp_path / "other.json").write_text(json.dumps(odi_like()), encoding="utf-8")
    with pytest.raises(DefinitionError, match="does not match the file name"):
        load_definition(tmp_path / "other.json")
    with pytest.raises(DefinitionError, match="directory not found"):
        load_definitions(tmp_path / "missing")


# --- Registry ---------------------------------------------------------------------------------


def test_registry_lists_the_shipped_definitions():
    assert [d.code for d in available_definitions()] == ["peg", "phq2", "phq9"]
    assert get_definition("phq9") is get_definition("phq9")  # loaded once
    with pytest.raises(KeyError, match="unknown questionnaire 'odi'"):
        get_definition("odi")


def test_a_clinic_directory_adds_its_own_definitions(tmp_path):
    (tmp_path / "odi.json").write_text(json.dumps(odi_like()), encoding="utf-8")
    assert [d.code for d in available_definitions(tmp_path)] == ["peg", "phq2", "phq9", "odi"]
    odi = get_definition("odi", tmp_path)
    assert score(odi, odi_answers([2] * 10)).total == 40.0
    assert "odi" in default_schedules(tmp_path)


def test_the_clinic_directory_comes_from_settings(tmp_path, settings):
    (tmp_path / "odi.json").write_text(json.dumps(odi_like()), encoding="utf-8")
    settings.QUESTIONNAIRE_EXTRA_DIR = str(tmp_path)
    assert get_definition("odi").rule == "odi-percent"
    settings.QUESTIONNAIRE_EXTRA_DIR = None
    with pytest.raises(KeyError):
        get_definition("odi")


def test_a_clinic_cannot_replace_a_shipped_instrument(tmp_path):
    resource = make_definition([choice_item("a")], {"rule": "sum"})
    resource["id"] = "phq9"
    (tmp_path / "phq9.json").write_text(json.dumps(resource), encoding="utf-8")
    with pytest.raises(DefinitionError, match="'phq9' is a shipped questionnaire"):
        available_definitions(tmp_path)


def test_a_schedule_must_refer_to_known_instruments(tmp_path):
    resource = odi_like()
    resource["laminar"]["schedule"] = {"triggeredBy": {"instrument": "gad7", "totalAtLeast": 10}}
    (tmp_path / "odi.json").write_text(json.dumps(resource), encoding="utf-8")
    with pytest.raises(DefinitionError, match="unknown questionnaire 'gad7'"):
        available_definitions(tmp_path)


def test_clearing_the_cache_reloads_files(tmp_path):
    (tmp_path / "odi.json").write_text(json.dumps(odi_like()), encoding="utf-8")
    assert get_definition("odi", tmp_path).min_answered == 8
    (tmp_path / "odi.json").write_text(json.dumps(odi_like(minAnswered=9)), encoding="utf-8")
    assert get_definition("odi", tmp_path).min_answered == 8
    scoring.clear_definition_cache()
    assert get_definition("odi", tmp_path).min_answered == 9


# --- Meaningful change (§2) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "improved", "worsened"),
    [
        (14, 10, False, False),  # 4 points
        (14, 9, True, False),  # 5 points
        (14, 8, True, False),
        (6, 10, False, False),
        (6, 11, False, True),  # a rise of 5 (P8)
        (3, 2, False, False),  # 33 %, but PHQ-9 has no percentage criterion
    ],
)
def test_phq9_meaningful_change_is_5_points(baseline, current, improved, worsened):
    change = meaningful_change("phq9", baseline, current)
    assert (change.improved, change.worsened) == (improved, worsened)
    assert change.meaningful is (improved or worsened)
    assert change.difference == current - baseline
    assert "[E]" in change.threshold.reference


@pytest.mark.parametrize(
    ("baseline", "current", "improved"),
    [
        (60, 51, False),  # 9 points, 15 %
        (60, 50, True),  # 10 points
        (20, 14.1, False),  # 5.9 points, 29.5 %
        (20, 14, True),  # 6 points, exactly 30 %
        (40, 28, True),  # exactly 30 % and 12 points
        (37.8, 27.8, True),  # exactly 10 points with decimals
    ],
)
def test_odi_meaningful_change_is_10_points_or_30_percent(baseline, current, improved):
    assert meaningful_change("odi", baseline, current).improved is improved


@pytest.mark.parametrize(
    ("baseline", "current", "improved", "worsened"),
    [
        (6.0, 4.3, False, False),  # 28.3 %
        (6.0, 4.2, True, False),  # exactly 30 %
        (5.0, 6.4, False, False),
        (5.0, 6.5, False, True),
        (0, 3.0, False, False),  # no percentage of a zero baseline
    ],
)
def test_peg_meaningful_change_is_30_percent(baseline, current, improved, worsened):
    change = meaningful_change("peg", baseline, current)
    assert (change.improved, change.worsened) == (improved, worsened)
    assert "[D]" in change.threshold.reference


def test_meaningful_change_reports_the_percentage():
    assert meaningful_change("odi", 40, 28).percent == -30.0
    assert meaningful_change("peg", 0, 2).percent is None


@pytest.mark.parametrize(
    ("instrument", "baseline", "current", "message"),
    [
        ("phq2", 3, 1, "no meaningful-change threshold for 'phq2'"),
        ("odi", -1, 10, "baseline must be a number >= 0"),
        ("odi", 10, None, "current must be a number >= 0"),
        ("peg", float("nan"), 1, "baseline must be a number"),
    ],
)
def test_meaningful_change_rejects_bad_input(instrument, baseline, current, message):
    with pytest.raises(ValueError, match=message):
        meaningful_change(instrument, baseline, current)


# --- Schedule ---------------------------------------------------------------------------------


def due(n: int, history=()) -> list[str]:
    return due_questionnaires(SURGERY, day(n), list(history))


def test_everything_due_on_an_empty_history_but_nothing_before_surgery():
    assert due(0) == ["peg", "phq2"]
    assert due(-1) == []


@pytest.mark.parametrize(("last", "is_due"), [(14, False), (9, False), (8, True), (1, True)])
def test_peg_weekly(last, is_due):
    # Today is day 15: a PEG on day 9 was 6 days ago, on day 8 exactly 7 days ago.
    assert ("peg" in due(15, [("peg", day(last), 4.0)])) is is_due


@pytest.mark.parametrize(("last", "is_due"), [(15, False), (2, False), (1, True)])
def test_phq2_every_two_weeks(last, is_due):
    assert ("phq2" in due(15, [("phq2", day(last), 0)])) is is_due


def test_a_recent_phq9_counts_as_a_phq2():
    assert "phq2" not in due(20, [("phq9", day(10), 4)])
    assert "phq2" in due(24, [("phq9", day(10), 4)])


@pytest.mark.parametrize(("phq2_total", "is_due"), [(2, False), (3, True), (6, True)])
def test_phq9_after_a_positive_phq2(phq2_total, is_due):
    assert ("phq9" in due(20, [("phq2", day(20), phq2_total)])) is is_due


def test_phq9_after_a_positive_phq2_until_one_is_done():
    history = [("phq2", day(20), 4)]
    assert "phq9" in due(25, history)
    assert "phq9" not in due(25, [*history, ("phq9", day(20), 11)])  # same day counts
    assert "phq9" not in due(25, [*history, ("phq9", day(22), 11)])
    assert "phq9" in due(25, [*history, ("phq9", day(19), 11)])  # before the PHQ-2


def test_only_the_latest_phq2_triggers():
    assert "phq9" not in due(30, [("phq2", day(10), 5), ("phq2", day(28), 1)])
    assert "phq9" in due(30, [("phq2", day(10), 1), ("phq2", day(28), 3)])
    assert "phq9" not in due(30, [("phq2", day(28), None)])  # no total: no trigger


@pytest.mark.parametrize(
    ("today", "is_due"),
    [
        (38, False),
        (39, True),
        (42, True),
        (45, True),
        (46, False),
        (80, False),
        (81, True),
        (87, True),
        (88, False),
    ],
)
def test_phq9_at_week_6_and_12_within_3_days(today, is_due):
    quiet = [("phq2", day(today), 0), ("peg", day(today), 1.0)]
    assert (due(today, quiet) == ["phq9"]) is is_due


def test_each_phq9_milestone_is_done_once():
    assert "phq9" not in due(44, [("phq9", day(40), 3)])
    assert "phq9" in due(44, [("phq9", day(38), 3)])  # before the window opened
    assert "phq9" in due(82, [("phq9", day(40), 3)])  # week 12 is separate


def test_phq2_is_not_asked_when_a_phq9_is_due():
    assert due(42) == ["peg", "phq9"]
    assert due(20, [("phq2", day(1), 5), ("peg", day(20), 3.0)]) == ["phq9"]


def test_future_history_is_ignored():
    assert due(10, [("peg", day(12), 3.0), ("phq2", day(12), 0)]) == ["peg", "phq2"]


def test_history_dates_must_be_dates():
    with pytest.raises(ValueError, match="is not a date"):
        due_questionnaires(SURGERY, day(3), [("peg", datetime(2026, 3, 3, 9, 0), 3.0)])


def test_intervals_are_configurable():
    schedules = default_schedules()
    schedules["peg"] = dataclasses.replace(schedules["peg"], every_days=5)
    schedules["phq9"] = dataclasses.replace(
        schedules["phq9"], milestone_days=(28,), window_days=0, trigger_at_least=4
    )
    history = [("peg", day(23), 2.0), ("phq2", day(20), 0), ("phq2", day(28), 3)]
    assert due_questionnaires(SURGERY, day(27), history, schedules) == []
    assert due_questionnaires(SURGERY, day(28), history, schedules) == ["peg", "phq9"]
    assert "phq9" not in due_questionnaires(SURGERY, day(29), history, schedules)


def test_a_clinic_odi_follows_its_own_schedule(tmp_path):
    (tmp_path / "odi.json").write_text(json.dumps(odi_like()), encoding="utf-8")
    history = [("peg", day(n), 1.0) for n in (10, 180, 364)] + [
        ("phq2", day(n), 0) for n in (10, 180, 364)
    ]
    assert due_questionnaires(SURGERY, day(11), history, directory=tmp_path) == ["odi"]
    assert due_questionnaires(SURGERY, day(182), history, directory=tmp_path) == ["odi"]
    assert due_questionnaires(SURGERY, day(365), history, directory=tmp_path) == ["odi"]
    assert "odi" not in due_questionnaires(SURGERY, day(18), history, directory=tmp_path)
    odi_done = [*history, ("odi", day(11), 40.0)]
    assert "odi" not in due_questionnaires(SURGERY, day(16), odi_done, directory=tmp_path)


def test_a_clinic_table_changes_the_verdict_and_says_so():
    table = scoring.MEANINGFUL_CHANGE
    clinic = {**table, "odi": table["odi"].with_values(10, 40)}
    assert meaningful_change("odi", 20, 13.5).improved is True  # 32.5 %
    change = meaningful_change("odi", 20, 13.5, clinic)
    assert change.improved is False
    assert change.threshold.clinic_setting
    assert change.threshold.reference.startswith("≥ 10 points or ≥ 40 % (clinic setting;")
    assert "≥ 10 points or ≥ 30 %" in change.threshold.reference
