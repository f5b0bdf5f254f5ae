"""Thresholds: reference defaults, clinic overrides, and no loosening of emergency rules."""

import dataclasses

import pytest

from tests.rules import day, rec, score, timeline
from tracker.questionnaires.scoring import MEANINGFUL_CHANGE, meaningful_change
from tracker.rules import red_flags
from tracker.rules.thresholds import Thresholds


def test_defaults_are_the_reference_values():
    t = Thresholds()
    assert (t.trend_min_days, t.bilateral_leg_pain) == (4, 4)
    assert (t.hematoma_last_day, t.hematoma_jump, t.hematoma_prior_days) == (7, 3, 3)
    assert t.hematoma_back_pain == 8
    assert (t.fever_c, t.fever_repeat_c) == (38.0, 37.8)
    assert t.wound_after_day == 2
    assert (t.uncontrolled_pain, t.uncontrolled_days, t.uncontrolled_urgent_pain) == (8, 2, 9)
    assert (t.rebound_after_day, t.rebound_points, t.rebound_percent) == (14, 2, 30)
    assert t.rebound_persist_days == 5
    assert (t.radiating_quiet_days, t.radiating_leg_pain, t.radiating_high_days) == (14, 4, 3)
    assert (t.radiating_window_days, t.no_leg_pain_max) == (5, 1)
    assert (t.leg_check_day, t.leg_check_tolerance_days) == (42, 3)
    assert (t.mcid_pain_points, t.mcid_pain_percent) == (2, 30)
    assert (t.mcid_odi_points, t.function_mcid_percent, t.mcid_peg_percent) == (10, 30, 30)
    assert t.function_check_day == 84
    assert (t.chronic_from_day, t.chronic_pain) == (90, 4)
    assert (t.specialist_from_day, t.specialist_pain) == (180, 5)
    assert (t.sustained_after_day, t.sustained_pain, t.sustained_days) == (14, 7, 5)
    assert (t.phq2_positive, t.phq9_notify, t.phq9_rise) == (3, 10, 5)
    assert (t.adherence_low_percent, t.adherence_drop_percent) == (50, 50)
    assert (t.opioid_from_day, t.opioid_until_day, t.opioid_days_percent) == (90, 180, 50)
    assert (t.walking_after_day, t.walking_drop_percent) == (14, 50)
    assert (t.silence_days_early, t.silence_days_late, t.silence_early_until_day) == (3, 7, 42)


def test_thresholds_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Thresholds().fever_c = 39.0  # type: ignore[misc]


def test_every_threshold_names_its_row_and_evidence_label():
    described = Thresholds.describe()
    assert {d["name"] for d in described} == {f.name for f in dataclasses.fields(Thresholds)}
    for item in described:
        assert item["row"].startswith("§")
        assert item["label"] in ("[E]", "[D]")
        assert item["loosens"] in ("higher", "lower", "fixed")


def test_emergency_thresholds_are_marked_protected():
    protected = {d["name"] for d in Thresholds.describe() if d["emergency"]}
    assert protected == {
        "bilateral_leg_pain",
        "hematoma_last_day",
        "hematoma_jump",
        "hematoma_prior_days",
        "hematoma_back_pain",
        "fever_c",
        "fever_repeat_c",
    }


def test_no_overrides_gives_the_defaults():
    assert Thresholds.from_overrides({}) == Thresholds()


@pytest.mark.parametrize(
    ("name", "tighter", "same", "looser"),
    [
        ("hematoma_jump", 2.5, 3, 3.5),
        ("hematoma_back_pain", 7, 8, 9),
        ("hematoma_last_day", 8, 7, 6),
        ("fever_c", 37.9, 38.0, 38.1),
        ("fever_repeat_c", 37.7, 37.8, 37.9),
        ("bilateral_leg_pain", 3, 4, 5),
    ],
)
def test_emergency_thresholds_may_be_tightened_but_never_loosened(name, tighter, same, looser):
    assert getattr(Thresholds.from_overrides({name: tighter}), name) == tighter
    assert getattr(Thresholds.from_overrides({name: same}), name) == same
    with pytest.raises(ValueError, match=rf"'{name}' = {looser} would loosen the emergency rule"):
        Thresholds.from_overrides({name: looser})


def test_the_3_day_hematoma_baseline_cannot_be_changed():
    with pytest.raises(ValueError, match="use a value exactly 3"):
        Thresholds.from_overrides({"hematoma_prior_days": 2})
    assert Thresholds.from_overrides({"hematoma_prior_days": 3}).hematoma_prior_days == 3


def test_non_emergency_thresholds_may_be_changed_either_way():
    t = Thresholds.from_overrides({"rebound_points": 3, "silence_days_late": 5, "fever_c": 37.5})
    assert (t.rebound_points, t.silence_days_late, t.fever_c) == (3, 5, 37.5)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as raised:
        Thresholds.from_overrides({"fever_c": 39, "nonsense": 1, "rebound_points": "two"})
    message = str(raised.value)
    assert "'fever_c' = 39 would loosen" in message
    assert "'nonsense' is not a threshold" in message
    assert "'rebound_points' must be a number" in message


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"silence_days_early": True}, "must be a number"),
        ({"silence_days_early": -1}, "zero or more"),
        ({"silence_days_early": 2.5}, "whole number"),
        ({"chronic_pain": float("nan")}, "finite"),
        ({"chronic_pain": float("inf")}, "finite"),
        ({"trend_min_days": 8}, "cannot exceed 7"),
    ],
)
def test_bad_values_are_refused(overrides, problem):
    with pytest.raises(ValueError, match=problem):
        Thresholds.from_overrides(overrides)


def test_whole_numbers_given_as_floats_become_integers():
    t = Thresholds.from_overrides({"silence_days_early": 2.0, "chronic_pain": 3})
    assert t.silence_days_early == 2
    assert isinstance(t.silence_days_early, int)
    assert isinstance(t.chronic_pain, float)


def test_a_tightened_fever_threshold_changes_what_fires():
    tl = timeline(rec(10, temperature_c=37.6))
    assert red_flags.fever(tl, day(10), Thresholds()) == []
    tighter = Thresholds.from_overrides({"fever_c": 37.5})
    assert red_flags.fever(tl, day(10), tighter)


# §2 meaningful change: one table, with the clinic's values -----------------------------------


def test_meaningful_change_defaults_are_the_reference_table():
    table = Thresholds().meaningful_change
    assert table == MEANINGFUL_CHANGE
    assert [(row.points, row.percent) for row in table.values()] == [
        (2, 30),  # NRS pain [E]
        (10, 30),  # ODI [E]
        (5, None),  # PHQ-9 [E]
        (None, 30),  # PEG, by analogy [D]
    ]
    assert not any(row.clinic_setting for row in table.values())


def test_clinic_values_reach_the_meaningful_change_table():
    table = Thresholds.from_overrides(
        {
            "mcid_pain_percent": 40,
            "mcid_odi_points": 12,
            "function_mcid_percent": 35,
            "mcid_peg_percent": 45,
            "phq9_rise": 6,
        }
    ).meaningful_change
    assert [(row.points, row.percent) for row in table.values()] == [
        (2, 40),
        (12, 35),
        (6, None),
        (None, 45),
    ]
    assert table["pain"].reference == (
        "≥ 2 points or ≥ 40 % (clinic setting; clinical-reference §2 NRS pain: "
        "≥ 2 points or ≥ 30 % (Ostelo 2008 [E]))"
    )
    assert meaningful_change("peg", 10, 6, table).improved is False  # 40 %, short of 45 %
    assert meaningful_change("peg", 10, 6).improved is True


@pytest.mark.parametrize(("percent", "fires"), [(28, False), (30, True)])
def test_p4_reads_the_clinic_percentage_of_its_instrument(percent, fires):
    from tracker.rules import patterns

    tl = timeline(questionnaires=[score("peg", 0, 10), score("peg", 84, 7.1)])  # 29 % lower
    thresholds = Thresholds.from_overrides({"mcid_peg_percent": percent})
    findings = patterns.function_not_improved_at_12_weeks(tl, day(84), thresholds)
    assert bool(findings) is fires
    if fires:
        assert f"< {percent} %" in findings[0].clinician_explanation
