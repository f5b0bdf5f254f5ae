"""Merging a check-in kept on a phone into one edited online: the later edit of each answer
wins (pure functions, no database)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tracker.checkins.offline_merge import (
    answer_key_for_field,
    changed_at_by_answer,
    emergency_answer_codes,
    merge_answers,
)
from tracker.timeline.vocabulary import CAUDA_EQUINA_ANSWERS

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def answers(**changes) -> dict:
    base = {
        "back_pain": 3,
        "leg_pain": 2,
        "leg_side": "left",
        "symptoms": {},
        "safety": {"fall": False, "feverish": False},
        "temperature_c": None,
        "walking_minutes": 20,
        "opioid_doses": 0,
        "took_other_painkillers": True,
        "took_nerve_pain_medicine": False,
        "sleep_disturbance": 2,
        "note": "",
    }
    base.update(changes)
    return base


def test_emergency_answers_are_derived_from_the_rules():
    codes = set(emergency_answer_codes())
    assert codes == CAUDA_EQUINA_ANSWERS | {
        "chest_pain_breathless",
        "legs_cannot_move",
        "bleeding_not_stopping",
        "stiff_neck_or_confusion",
    }
    # Urgent on their own, not an emergency: the phone waits for the server.
    assert not codes & {"calf_pain_swelling", "new_leg_weakness", "feverish", "fall"}


def test_form_fields_map_to_answers():
    assert answer_key_for_field("back_pain") == "back_pain"
    assert answer_key_for_field("safety_fall") == "safety.fall"
    assert answer_key_for_field("symptom_radiating_pain_side") == "symptoms.radiating_pain"
    assert answer_key_for_field("symptom_muscle_spasm") == "symptoms.muscle_spasm"
    assert answer_key_for_field("csrfmiddlewaretoken") is None
    # When a temperature was typed on the phone tells when it was taken, if its time is empty.
    assert answer_key_for_field("temperature_c") == "temperature_c"
    assert answer_key_for_field("new_numbness_side") == "new_numbness_side"


def test_the_later_edit_of_each_answer_wins():
    server = answers(back_pain=5, sleep_disturbance=6)
    server_times = {"back_pain": at(30), "sleep_disturbance": at(10)}
    phone = answers(back_pain=4, sleep_disturbance=1)
    phone_times = {"back_pain": at(20), "sleep_disturbance": at(25)}

    merge = merge_answers(server, server_times, phone, phone_times)

    assert merge.answers["back_pain"] == 5  # changed online later
    assert merge.answers["sleep_disturbance"] == 1  # changed on the phone later
    assert merge.from_online == ["back_pain"]
    assert merge.from_phone == ["sleep_disturbance"]


def test_an_answer_the_phone_never_touched_keeps_the_online_value():
    server = answers(note="Walked to the shop")
    merge = merge_answers(server, {"note": at(5)}, answers(note=""), {})
    assert merge.answers["note"] == "Walked to the shop"
    assert merge.from_online == ["note"] and merge.from_phone == []


def test_a_phone_answer_never_changed_online_wins():
    merge = merge_answers(answers(), {}, answers(opioid_doses=2), {"opioid_doses": at(1)})
    assert merge.answers["opioid_doses"] == 2


def test_equal_times_keep_the_online_value():
    merge = merge_answers(
        answers(back_pain=5), {"back_pain": at(3)}, answers(), {"back_pain": at(3)}
    )
    assert merge.answers["back_pain"] == 5


def test_safety_answers_and_symptoms_merge_one_by_one():
    server = answers(safety={"fall": True, "feverish": False}, symptoms={"muscle_spasm": ""})
    phone = answers(safety={"fall": False, "feverish": False, "bladder_change": True})
    merge = merge_answers(
        server,
        {"safety.fall": at(50), "symptoms.muscle_spasm": at(5)},
        phone,
        {"safety.fall": at(40), "safety.bladder_change": at(41), "symptoms.muscle_spasm": at(42)},
    )
    assert merge.answers["safety"] == {"fall": True, "feverish": False, "bladder_change": True}
    assert merge.answers["symptoms"] == {}  # unticked on the phone after it was ticked online
    assert set(merge.from_phone) == {"safety.bladder_change", "symptoms.muscle_spasm"}
    assert merge.from_online == ["safety.fall"]


def test_linked_answers_move_together():
    # Online: new numbness on the left at 10:00; phone: no new numbness at 10:20.
    server = answers(safety={"fall": False, "new_numbness": True}, new_numbness_side="left")
    phone = answers(safety={"fall": False, "new_numbness": False})
    merge = merge_answers(
        server,
        {"safety.new_numbness": at(0), "new_numbness_side": at(0)},
        phone,
        {"safety.new_numbness": at(20)},
    )
    assert merge.answers["safety"]["new_numbness"] is False
    assert merge.answers["new_numbness_side"] == ""
    # The other way round the online side stays with its "yes".
    merge = merge_answers(
        server, {"new_numbness_side": at(30)}, phone, {"safety.new_numbness": at(20)}
    )
    assert merge.answers["new_numbness_side"] == "left"
    assert merge.answers["safety"]["new_numbness"] is True


def test_a_phone_temperature_is_a_reading_added_whatever_changed_online_later():
    # Online at 10:30: no longer feverish. Phone at 10:20: feverish, 38.4 (a measurement).
    server = answers(safety={"fall": False, "feverish": False})
    phone = answers(
        safety={"fall": False, "feverish": True},
        temperature_c=Decimal("38.4"),
        temperature_time=at(20),
    )
    merge = merge_answers(
        server,
        {"safety.feverish": at(30)},
        phone,
        {"safety.feverish": at(20), "temperature_c": at(20)},
    )
    assert merge.answers["safety"]["feverish"] is False
    assert (merge.answers["temperature_c"], merge.answers["temperature_time"]) == (
        Decimal("38.4"),
        at(20),
    )
    assert "temperature_c" not in merge.from_phone + merge.from_online


def test_when_each_answer_was_changed_comes_from_the_revisions():
    first = answers()
    second = answers(back_pain=6, safety={"fall": True, "feverish": False})
    history = [(at(60), first, second), (at(0), {}, first)]  # any order
    changed = changed_at_by_answer(history)
    assert changed["back_pain"] == at(60)
    assert changed["safety.fall"] == at(60)
    assert changed["leg_pain"] == at(0)
    assert "note" not in changed  # never given
    assert "safety.bladder_change" not in changed
