"""Red flags of clinical-reference §3, at, just below and just above their thresholds."""

import re
from decimal import Decimal

import pytest

from tests.rules import by_rule, day, evidence_dates, iso, rec, score, series, the_finding, timeline
from tracker.rules import red_flags
from tracker.rules.definition import rule_info
from tracker.rules.registry import (
    RED_FLAG_RULES,
    evaluate,
    questionnaire_findings_for_day,
    safety_findings_for_day,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Level
from tracker.timeline.vocabulary import CAUDA_EQUINA_ANSWERS, SAFETY_ANSWER_CODES

DEFAULTS = Thresholds()


def check(rule, *parts, as_of=10, questionnaires=(), thresholds=DEFAULTS, **baselines):
    return rule(
        timeline(*parts, questionnaires=questionnaires, **baselines), day(as_of), thresholds
    )


# Every answer is acted on -------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(SAFETY_ANSWER_CODES))
def test_every_yes_answer_leads_to_a_finding_on_the_day(code):
    findings = safety_findings_for_day(timeline(rec(10, answers=code)), day(10))
    assert findings, f"a yes to {code} raised nothing"
    assert all(f.evidence and f.evidence[0]["date"] == iso(10) for f in findings)


@pytest.mark.parametrize(
    ("code", "rule_id"),
    [
        ("bladder_change", "RF-CES-BLADDER"),
        ("saddle_numbness", "RF-CES-SADDLE"),
        ("bowel_control_loss", "RF-CES-BOWEL"),
        ("sexual_function_loss", "RF-CES-SEXUAL"),
        ("chest_pain_breathless", "RF-CHEST"),
        ("legs_cannot_move", "RF-WEAKNESS-NEW"),
        ("bleeding_not_stopping", "RF-WOUND-BLEED"),
        ("stiff_neck_or_confusion", "RF-CSF"),
    ],
)
def test_emergency_answers_tell_the_patient_to_call_the_emergency_number(code, rule_id):
    findings = safety_findings_for_day(timeline(rec(10, answers=code)), day(10))
    finding = findings[0]
    assert finding.rule_id == rule_id
    assert finding.level is Level.EMERGENCY
    assert "call the emergency number now" in finding.patient_message
    assert "Do not drive yourself" in finding.patient_message
    assert finding.evidence[0]["date"] == iso(10)
    assert finding.evidence[0]["answers"] == [code]
    assert f"{rule_id} [E]" in finding.clinician_explanation


def test_patient_messages_hold_no_phone_numbers():
    answers = " ".join(SAFETY_ANSWER_CODES)
    findings = evaluate(
        timeline(rec(9, back_pain=9), rec(10, answers=answers, back_pain=9, temperature_c=38.5)),
        day(10),
    )
    assert len(findings) > 10
    for finding in findings:
        assert not re.search(r"\d{3,}", finding.patient_message), finding.patient_message


def test_no_checkin_on_the_day_means_no_day_findings():
    tl = timeline(rec(9, answers="bladder_change chest_pain_breathless"))
    assert safety_findings_for_day(tl, day(10)) == []


def test_yesterdays_answer_is_not_todays_finding():
    tl = timeline(rec(9, answers="bladder_change"), rec(10))
    assert safety_findings_for_day(tl, day(10)) == []
    assert safety_findings_for_day(tl, day(9))[0].rule_id == "RF-CES-BLADDER"


def test_safety_findings_put_the_emergency_first():
    tl = timeline(rec(10, answers="fall calf_pain_swelling saddle_numbness"))
    findings = safety_findings_for_day(tl, day(10))
    assert [f.rule_id for f in findings] == ["RF-CES-SADDLE", "RF-CALF", "RF-FALL"]
    assert [f.level for f in findings] == [Level.EMERGENCY, Level.URGENT, Level.URGENT]


def test_safety_findings_for_day_runs_only_section_3_rules():
    tl = timeline(series(0, back_pain=[9] * 30), rec(30, answers="fall"))
    ids = {f.rule_id for f in safety_findings_for_day(tl, day(30))}
    assert ids and all(rule_id.startswith("RF-") for rule_id in ids)
    assert "P7-SUSTAINED-HIGH" in {f.rule_id for f in evaluate(tl, day(30))}


# RF-BILATERAL ---------------------------------------------------------------------------


@pytest.mark.parametrize(("leg_pain", "fires"), [(3, False), (4, True), (5, True)])
def test_bilateral_leg_pain_threshold(leg_pain, fires):
    findings = check(red_flags.bilateral_leg_symptoms, rec(10, leg_side="both", leg_pain=leg_pain))
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.URGENT
        assert finding.evidence[0]["leg_pain"] == leg_pain
        assert finding.evidence[0]["leg_side"] == "both"


def test_severe_pain_in_one_leg_is_not_bilateral():
    assert check(red_flags.bilateral_leg_symptoms, rec(10, leg_side="left", leg_pain=9)) == []


@pytest.mark.parametrize(
    ("symptoms", "fires"),
    [
        ({"numbness_tingling": "both"}, True),
        ({"leg_weakness": "both"}, True),
        ({"numbness_tingling": "left", "leg_weakness": "right"}, True),
        ({"numbness_tingling": "left", "leg_weakness": "left"}, False),
        ({"numbness_tingling": ""}, False),
        ({"radiating_pain": "both"}, False),
    ],
)
def test_bilateral_numbness_or_weakness(symptoms, fires):
    findings = check(red_flags.bilateral_leg_symptoms, rec(10, symptoms=symptoms))
    assert bool(findings) is fires


def test_bilateral_with_a_cauda_equina_answer_is_an_emergency():
    tl = timeline(rec(10, leg_side="both", leg_pain=6, answers="bladder_change"))
    findings = safety_findings_for_day(tl, day(10))
    bilateral = the_finding(findings, "RF-BILATERAL")
    assert bilateral.level is Level.EMERGENCY
    assert bilateral.evidence[0]["cauda_equina_answers"] == ["bladder_change"]
    assert the_finding(findings, "RF-CES-BLADDER").level is Level.EMERGENCY


# RF-WEAKNESS-NEW ------------------------------------------------------------------------


def test_new_weakness_is_urgent_and_legs_that_cannot_move_an_emergency():
    urgent = the_finding(check(red_flags.new_leg_weakness, rec(10, answers="new_leg_weakness")))
    assert urgent.level is Level.URGENT
    emergency = the_finding(
        check(red_flags.new_leg_weakness, rec(10, answers="new_leg_weakness legs_cannot_move"))
    )
    assert emergency.level is Level.EMERGENCY
    assert emergency.evidence[0]["answers"] == ["legs_cannot_move", "new_leg_weakness"]


# RF-HEMATOMA ----------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "fires"), [(5, False), (6, True), (7, True)])
def test_hematoma_back_pain_jump_over_previous_three_day_mean(today, fires):
    # previous 3 days mean 3: a jump of 3 points is day 6's 6
    findings = check(
        red_flags.possible_hematoma,
        series(2, back_pain=[2, 3, 4]),
        rec(5, back_pain=today, answers="new_numbness"),
        as_of=5,
    )
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.EMERGENCY
        assert evidence_dates(finding) == [iso(2), iso(3), iso(4), iso(5)]
        assert finding.evidence[-1]["back_pain"] == today
        assert finding.evidence[-1]["previous_mean"] == 3
        assert finding.evidence[-1]["answers"] == ["new_numbness"]
        assert "Do not drive yourself" in finding.patient_message


@pytest.mark.parametrize(("today", "fires"), [(7, False), (8, True), (9, True)])
def test_hematoma_severe_back_pain_without_earlier_readings(today, fires):
    findings = check(
        red_flags.possible_hematoma, rec(1, back_pain=today, answers="bladder_change"), as_of=1
    )
    assert bool(findings) is fires


def test_hematoma_needs_a_new_neurological_answer():
    assert check(red_flags.possible_hematoma, rec(3, back_pain=10), as_of=3) == []
    for code in ("new_leg_weakness", "legs_cannot_move", "saddle_numbness"):
        assert check(red_flags.possible_hematoma, rec(3, back_pain=10, answers=code), as_of=3)


@pytest.mark.parametrize(("n", "fires"), [(-1, False), (0, True), (7, True), (8, False)])
def test_hematoma_only_in_days_0_to_7(n, fires):
    findings = check(
        red_flags.possible_hematoma, rec(n, back_pain=9, answers="new_numbness"), as_of=n
    )
    assert bool(findings) is fires


def test_hematoma_window_follows_a_tightened_threshold():
    tighter = Thresholds.from_overrides({"hematoma_last_day": 10})
    record = rec(9, back_pain=9, answers="new_numbness")
    assert check(red_flags.possible_hematoma, record, as_of=9) == []
    assert check(red_flags.possible_hematoma, record, as_of=9, thresholds=tighter)


# RF-CHEST, RF-CALF ----------------------------------------------------------------------


def test_calf_pain_is_urgent():
    finding = the_finding(
        check(red_flags.calf_pain_swelling, rec(10, answers="calf_pain_swelling"))
    )
    assert finding.level is Level.URGENT
    assert "RF-CALF [E]" in finding.reference


# RF-FEVER -------------------------------------------------------------------------------


@pytest.mark.parametrize(("temperature", "fires"), [(37.9, False), (38.0, True), (38.1, True)])
def test_fever_single_reading(temperature, fires):
    findings = check(red_flags.fever, rec(10, answers="feverish", temperature_c=temperature))
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.URGENT
        assert finding.evidence == ({"date": iso(10), "temperature_c": temperature},)


@pytest.mark.parametrize(
    ("yesterday", "today", "fires"),
    [
        (37.7, 37.8, False),
        (37.8, 37.7, False),
        (37.8, 37.8, True),
        (37.9, 37.9, True),
    ],
)
def test_fever_two_readings_within_24_hours(yesterday, today, fires):
    findings = check(red_flags.fever, rec(9, temperature_c=yesterday), rec(10, temperature_c=today))
    assert bool(findings) is fires
    if fires:
        assert the_finding(findings).evidence == (
            {"date": iso(9), "temperature_c": yesterday},
            {"date": iso(10), "temperature_c": today},
        )


def test_two_raised_readings_two_days_apart_are_not_a_fever():
    assert check(red_flags.fever, rec(8, temperature_c=37.9), rec(10, temperature_c=37.9)) == []


def test_fever_reads_decimal_temperatures():
    findings = check(red_flags.fever, rec(10, temperature_c=Decimal("38.0")))
    assert the_finding(findings).evidence[0]["temperature_c"] == 38.0


def test_feeling_feverish_without_a_reading_asks_for_one():
    finding = the_finding(check(red_flags.fever, rec(10, answers="feverish")))
    assert finding.level is Level.SOON
    assert "take your temperature" in finding.patient_message
    assert check(red_flags.fever, rec(10, answers="feverish", temperature_c=37.0)) == []


def at(n: int, time: str) -> str:
    """When a reading was taken: post-operative day n at `time` UTC, as an aware ISO string."""
    return f"{iso(n)}T{time}:00+00:00"


def reading(n: int, time: str, celsius: float) -> dict:
    """A timed reading as RF-FEVER evidence lists it."""
    return {"date": iso(n), "recorded_at": at(n, time), "temperature_c": celsius}


@pytest.mark.parametrize(
    ("morning", "evening", "fires"),
    [
        (37.7, 37.8, False),
        (37.8, 37.7, False),
        (37.8, 37.8, True),
        (37.9, 37.8, True),
    ],
)
def test_fever_two_readings_on_the_same_day(morning, evening, fires):
    readings = ((at(10, "08:00"), morning), (at(10, "20:00"), evening))
    findings = check(red_flags.fever, rec(10, temperature_readings=readings))
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.URGENT
        assert finding.evidence == (reading(10, "08:00", morning), reading(10, "20:00", evening))
        assert f"{iso(10)}T08:00:00+00:00" in finding.clinician_explanation


@pytest.mark.parametrize(
    ("today", "fires"),
    [("19:59", True), ("20:00", True), ("20:01", False)],  # 23:59, 24:00 and 24:01 apart
)
def test_fever_timed_readings_within_24_hours_of_each_other(today, fires):
    findings = check(
        red_flags.fever,
        rec(9, temperature_readings=((at(9, "20:00"), 37.8),)),
        rec(10, temperature_readings=((at(10, today), 37.8),)),
    )
    assert bool(findings) is fires
    if fires:
        assert the_finding(findings).evidence == (
            reading(9, "20:00", 37.8),
            reading(10, today, 37.8),
        )


@pytest.mark.parametrize(("celsius", "fires"), [(37.9, False), (38.0, True), (38.1, True)])
def test_fever_single_timed_reading(celsius, fires):
    readings = ((at(10, "07:00"), 37.0), (at(10, "13:00"), celsius), (at(10, "21:00"), 37.1))
    findings = check(red_flags.fever, rec(10, temperature_readings=readings))
    assert bool(findings) is fires
    if fires:
        assert the_finding(findings).evidence == (reading(10, "13:00", celsius),)


def test_fever_timed_reading_and_untimed_reading_on_consecutive_days():
    findings = check(
        red_flags.fever,
        rec(9, temperature_c=37.8),
        rec(10, temperature_readings=((at(10, "23:00"), 37.9),)),
    )
    assert the_finding(findings).evidence == (
        {"date": iso(9), "temperature_c": 37.8},
        reading(10, "23:00", 37.9),
    )


def test_fever_readings_replace_the_single_temperature_of_the_day():
    record = rec(10, temperature_c=37.0, temperature_readings=((at(10, "18:00"), 38.2),))
    assert the_finding(check(red_flags.fever, record)).evidence == (reading(10, "18:00", 38.2),)


def test_fever_pair_needs_a_reading_of_the_day():
    readings = ((at(9, "08:00"), 37.9), (at(9, "20:00"), 37.9))
    findings = check(
        red_flags.fever,
        rec(9, temperature_readings=readings),
        rec(10, temperature_readings=((at(10, "08:00"), 37.2),)),
    )
    assert findings == []


def test_fever_reading_with_an_unreadable_time_keeps_its_value():
    readings = (("2026-03-12 08:00", 37.9), ("not a time", 37.8), (at(10, "09:00"), None))
    finding = the_finding(check(red_flags.fever, rec(10, temperature_readings=readings)))
    assert finding.evidence == (
        {"date": iso(10), "temperature_c": 37.9},
        {"date": iso(10), "temperature_c": 37.8},
    )


def test_feeling_feverish_with_timed_readings_is_measured():
    readings = ((at(10, "08:00"), 37.2),)
    assert check(red_flags.fever, rec(10, answers="feverish", temperature_readings=readings)) == []


# RF-WOUND -------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "level"), [(2, Level.REVIEW), (3, Level.URGENT), (4, Level.URGENT)])
def test_wound_infection_signs_count_after_day_2(n, level):
    findings = check(red_flags.wound_infection, rec(n, answers="wound_infection_signs"), as_of=n)
    assert the_finding(findings).level is level


def test_wound_infection_with_fever_says_so():
    finding = the_finding(
        check(
            red_flags.wound_infection,
            rec(10, answers="wound_infection_signs feverish", temperature_c=38.4),
        )
    )
    assert finding.level is Level.URGENT
    assert finding.evidence[0]["with_fever"] is True
    assert finding.evidence[1] == {"date": iso(10), "temperature_c": 38.4}
    assert "fever" in finding.patient_message
    assert "higher priority" in finding.clinician_explanation


def test_wound_infection_with_two_raised_readings_on_the_same_day_says_so():
    readings = ((at(10, "08:00"), 37.8), (at(10, "20:00"), 37.9))
    finding = the_finding(
        check(
            red_flags.wound_infection,
            rec(10, answers="wound_infection_signs", temperature_readings=readings),
        )
    )
    assert finding.evidence[0]["with_fever"] is True
    assert finding.evidence[1:] == (reading(10, "08:00", 37.8), reading(10, "20:00", 37.9))


# RF-WOUND-BLEED -------------------------------------------------------------------------


def test_soaked_dressing_is_urgent_and_bleeding_that_does_not_stop_an_emergency():
    urgent = the_finding(check(red_flags.wound_bleeding, rec(10, answers="wound_bleeding")))
    assert urgent.level is Level.URGENT
    emergency = the_finding(
        check(red_flags.wound_bleeding, rec(10, answers="wound_bleeding bleeding_not_stopping"))
    )
    assert emergency.level is Level.EMERGENCY
    assert "press" in emergency.patient_message


# RF-CSF ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["positional_headache", "clear_wound_fluid"])
def test_possible_csf_leak_is_urgent(code):
    finding = the_finding(check(red_flags.spinal_fluid_leak, rec(17, answers=code), as_of=17))
    assert finding.level is Level.URGENT
    assert finding.evidence[0]["answers"] == [code]


@pytest.mark.parametrize(("temperature", "level"), [(37.9, Level.URGENT), (38.0, Level.EMERGENCY)])
def test_csf_leak_with_fever_is_an_emergency(temperature, level):
    findings = check(
        red_flags.spinal_fluid_leak,
        rec(17, answers="clear_wound_fluid feverish", temperature_c=temperature),
        as_of=17,
    )
    assert the_finding(findings).level is level


def test_csf_leak_while_feeling_feverish_without_a_thermometer_is_an_emergency():
    findings = check(
        red_flags.spinal_fluid_leak, rec(17, answers="positional_headache feverish"), as_of=17
    )
    assert the_finding(findings).level is Level.EMERGENCY


@pytest.mark.parametrize(("evening", "level"), [(37.7, Level.URGENT), (37.8, Level.EMERGENCY)])
def test_csf_leak_with_two_raised_readings_on_the_same_day(evening, level):
    readings = ((at(17, "08:00"), 37.8), (at(17, "20:00"), evening))
    record = rec(17, answers="clear_wound_fluid feverish", temperature_readings=readings)
    findings = check(red_flags.spinal_fluid_leak, record, as_of=17)
    assert the_finding(findings).level is level


def test_stiff_neck_or_confusion_is_an_emergency_with_or_without_headache():
    for answers in ("stiff_neck_or_confusion", "positional_headache stiff_neck_or_confusion"):
        finding = the_finding(
            check(red_flags.spinal_fluid_leak, rec(17, answers=answers), as_of=17)
        )
        assert finding.level is Level.EMERGENCY


# RF-NUMB-NEW ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "answers", "level"),
    [
        ("", "new_numbness", Level.URGENT),
        ("left", "new_numbness", Level.URGENT),
        ("both", "new_numbness", Level.EMERGENCY),
        ("left", "new_numbness saddle_numbness", Level.EMERGENCY),
    ],
)
def test_new_numbness(side, answers, level):
    record = rec(10, answers=answers, symptoms={"numbness_tingling": side} if side else None)
    assert the_finding(check(red_flags.new_numbness, record)).level is level


@pytest.mark.parametrize(
    ("new_side", "answers", "level"),
    [
        ("left", "new_numbness", Level.URGENT),
        ("right", "new_numbness", Level.URGENT),
        ("both", "new_numbness", Level.EMERGENCY),
        ("sideways", "new_numbness", Level.URGENT),  # not a side: as if not answered
        ("left", "new_numbness bowel_control_loss", Level.EMERGENCY),
    ],
)
def test_new_numbness_side_asked_with_the_answer(new_side, answers, level):
    record = rec(10, answers=answers, new_numbness_side=new_side)
    finding = the_finding(check(red_flags.new_numbness, record))
    assert finding.level is level
    expected_side = "" if new_side == "sideways" else new_side
    assert finding.evidence[0]["new_numbness_side"] == expected_side


def test_new_numbness_in_both_legs_tells_the_patient_so():
    record = rec(10, answers="new_numbness", new_numbness_side="both")
    finding = the_finding(check(red_flags.new_numbness, record))
    assert "in both legs" in finding.patient_message
    assert "both sides" in finding.clinician_explanation
    assert finding.evidence == (
        {
            "date": iso(10),
            "answers": ["new_numbness"],
            "new_numbness_side": "both",
            "numbness_side": "",
            "cauda_equina_answers": [],
        },
    )


def test_new_numbness_side_alone_without_the_answer_is_nothing():
    assert check(red_flags.new_numbness, rec(10, new_numbness_side="both")) == []


def test_numbness_symptom_alone_is_not_new_numbness():
    assert check(red_flags.new_numbness, rec(10, symptoms={"numbness_tingling": "both"})) == []


# RF-PAIN-UNCONTROLLED -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yesterday", "today", "level"),
    [
        (7, 8, None),
        (8, 7, None),
        (8, 8, Level.SOON),
        (9, 8, Level.URGENT),  # >= 9 on either day
        (10, 8, Level.URGENT),
        (8, 9, Level.URGENT),
        (10, 10, Level.URGENT),
    ],
)
def test_uncontrolled_pain_on_two_consecutive_days(yesterday, today, level):
    findings = check(
        red_flags.uncontrolled_pain,
        rec(9, back_pain=yesterday, opioid_doses=2),
        rec(10, back_pain=today, opioid_doses=3),
    )
    if level is None:
        assert findings == []
    else:
        finding = the_finding(findings)
        assert finding.level is level
        assert evidence_dates(finding) == [iso(9), iso(10)]
        assert [e["back_pain"] for e in finding.evidence] == [yesterday, today]


@pytest.mark.parametrize(("yesterday_leg", "level"), [(8, Level.SOON), (9, Level.URGENT)])
def test_uncontrolled_pain_urgent_when_yesterday_reached_9(yesterday_leg, level):
    findings = check(
        red_flags.uncontrolled_pain,
        rec(9, back_pain=5, leg_pain=yesterday_leg),
        rec(10, back_pain=8, leg_pain=3),
    )
    finding = the_finding(findings)
    assert finding.level is level
    if level is Level.URGENT:
        assert f"pain 9 on {iso(9)}" in finding.clinician_explanation


def test_uncontrolled_pain_counts_back_or_leg_and_needs_consecutive_days():
    mixed = check(
        red_flags.uncontrolled_pain, rec(9, leg_pain=8, back_pain=2), rec(10, back_pain=8)
    )
    assert the_finding(mixed).level is Level.SOON
    gap = check(red_flags.uncontrolled_pain, rec(8, back_pain=8), rec(10, back_pain=8))
    assert gap == []


def test_uncontrolled_pain_with_a_neurological_answer_is_urgent():
    findings = check(
        red_flags.uncontrolled_pain,
        rec(9, back_pain=8),
        rec(10, back_pain=8, answers="new_numbness"),
    )
    finding = the_finding(findings)
    assert finding.level is Level.URGENT
    assert finding.evidence[-1]["answers"] == ["new_numbness"]


def test_pain_without_any_painkiller_is_not_uncontrolled_despite_painkillers():
    none_taken = {
        "opioid_doses": 0,
        "took_other_painkillers": False,
        "took_nerve_pain_medicine": False,
    }
    findings = check(
        red_flags.uncontrolled_pain, rec(9, back_pain=9), rec(10, back_pain=9, **none_taken)
    )
    assert findings == []
    paracetamol = {**none_taken, "took_other_painkillers": True}
    findings = check(
        red_flags.uncontrolled_pain, rec(9, back_pain=9), rec(10, back_pain=9, **paracetamol)
    )
    assert the_finding(findings).level is Level.URGENT


# RF-CONSTIPATION ------------------------------------------------------------------------


@pytest.mark.parametrize(("dose_day", "fires"), [(7, False), (8, True), (10, True)])
def test_constipation_while_taking_opioids_in_the_last_3_days(dose_day, fires):
    findings = check(
        red_flags.constipation_on_opioids,
        rec(dose_day, opioid_doses=2),
        rec(10, symptoms="constipation", opioid_doses=2 if dose_day == 10 else 0),
    )
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.SOON
        assert {"date": iso(dose_day), "opioid_doses": 2} in finding.evidence


def test_constipation_without_opioids_is_not_flagged():
    assert check(red_flags.constipation_on_opioids, rec(10, symptoms="constipation")) == []
    assert check(red_flags.constipation_on_opioids, rec(10, opioid_doses=4)) == []


# RF-FALL --------------------------------------------------------------------------------


def test_a_fall_is_soon_and_urgent_with_a_neurological_answer():
    assert the_finding(check(red_flags.fall, rec(10, answers="fall"))).level is Level.SOON
    finding = the_finding(check(red_flags.fall, rec(10, answers="fall new_leg_weakness")))
    assert finding.level is Level.URGENT
    assert finding.evidence[0]["answers"] == ["fall", "new_leg_weakness"]


# RF-PHQ9-ITEM9 --------------------------------------------------------------------------


@pytest.mark.parametrize(("item_9", "fires"), [(0, False), (1, True), (3, True)])
def test_phq9_item_9_above_zero_is_urgent(item_9, fires):
    findings = check(red_flags.phq9_self_harm, questionnaires=[score("phq9", 10, 6, item_9=item_9)])
    assert bool(findings) is fires
    if fires:
        finding = the_finding(findings)
        assert finding.level is Level.URGENT
        assert finding.evidence == ({"date": iso(10), "instrument": "phq9", "item_9": item_9},)
        assert "crisis line" in finding.patient_message


@pytest.mark.parametrize(("score_day", "fires"), [(-4, False), (-3, True), (10, True), (11, False)])
def test_phq9_item_9_is_acted_on_for_14_days_and_never_from_the_future(score_day, fires):
    findings = check(
        red_flags.phq9_self_harm, questionnaires=[score("phq9", score_day, 4, item_9=1)]
    )
    assert bool(findings) is fires


def test_phq9_item_9_is_found_without_a_daily_checkin():
    tl = timeline(questionnaires=[score("phq9", 10, 12, item_9=2)])
    assert [f.rule_id for f in safety_findings_for_day(tl, day(10))] == ["RF-PHQ9-ITEM9"]


def test_questionnaire_response_shows_self_harm_first_then_mood():
    tl = timeline(questionnaires=[score("phq9", 10, 14, item_9=1)])
    findings = questionnaire_findings_for_day(tl, day(10))
    assert [(f.rule_id, f.level) for f in findings] == [
        ("RF-PHQ9-ITEM9", Level.URGENT),
        ("P8-DEPRESSION", Level.REVIEW),
    ]


def test_questionnaire_response_offers_phq9_after_a_positive_phq2():
    tl = timeline(questionnaires=[score("phq2", 14, 3)])
    finding = the_finding(questionnaire_findings_for_day(tl, day(14)))
    assert finding.rule_id == "P8-DEPRESSION"
    assert finding.evidence[0]["offer_phq9"] is True


# Shape of every red flag ----------------------------------------------------------------


def test_every_red_flag_cites_its_row_and_evidence_label():
    everything = " ".join(SAFETY_ANSWER_CODES)
    tl = timeline(
        rec(2, back_pain=2),
        rec(9, back_pain=9, temperature_c=37.9),
        rec(
            10,
            answers=everything,
            back_pain=9,
            leg_side="both",
            leg_pain=9,
            opioid_doses=1,
            symptoms="constipation",
            temperature_c=38.0,
        ),
        questionnaires=[score("phq9", 10, 20, item_9=1)],
    )
    findings = safety_findings_for_day(tl, day(10))
    assert {f.rule_id for f in findings} == {rule_info(rule).rule_id for rule in RED_FLAG_RULES} - {
        "RF-HEMATOMA"
    }
    for finding in findings:
        assert finding.rule_version >= 1
        assert finding.rule_id in finding.clinician_explanation
        assert re.search(r"\[[ED]\]", finding.clinician_explanation)
        assert finding.reference.startswith(f"clinical-reference §3 {finding.rule_id} [")


def test_cauda_equina_answers_are_all_emergencies():
    for code in sorted(CAUDA_EQUINA_ANSWERS):
        findings = safety_findings_for_day(timeline(rec(40, answers=code)), day(40))
        assert [f.level for f in by_rule(findings, findings[0].rule_id)] == [Level.EMERGENCY]
