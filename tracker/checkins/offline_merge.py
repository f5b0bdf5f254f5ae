"""Check-ins made on a phone without a connection, and how they meet what was saved online.

Pure functions (no database, no request): which answers are an emergency on their own (the
phone shows the emergency advice for those without waiting for the server), and the merge of
an offline check-in into one already edited online, answer by answer, "the later edit wins".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from tracker.models.checkins import SCALAR_ANSWER_FIELDS
from tracker.rules.registry import safety_findings_for_day
from tracker.timeline import DayRecord, Level, Timeline
from tracker.timeline.vocabulary import CAUDA_EQUINA_ANSWERS, SAFETY_ANSWER_CODES, SYMPTOM_CODES

# Temperatures are not merged: each is a reading, added to the day's (a measurement is not an
# edit that a later one could overrule), so both versions' readings are kept.
READING_ANSWERS = ("temperature_c", "temperature_time", "temperature_readings")
SCALAR_ANSWERS = tuple(name for name in SCALAR_ANSWER_FIELDS if name not in READING_ANSWERS)

# Answers that only make sense together move together in a merge, so the merged check-in
# passes the same form rules as each side did (leg side with leg pain; the side of new
# numbness with the numbness).
LINKED_ANSWERS: tuple[tuple[str, ...], ...] = (
    ("leg_pain", "leg_side"),
    ("safety.new_numbness", "new_numbness_side"),
)

# Post-operative days on which an answer is tried alone: an answer is an emergency on the
# phone if it is one by itself on any of them (§3 rows that depend on the day are covered).
_PROBE_DAYS = (0, 3, 7, 14, 30, 90, 365)


@cache
def emergency_answer_codes() -> tuple[str, ...]:
    """The §3 answer codes that are an emergency by themselves, derived from the rules.

    Each answer is put alone into an otherwise empty check-in and the §3 rules are run: the
    codes that give an emergency finding are the ones the phone acts on while offline
    (RF-CES-*, RF-WEAKNESS-NEW `legs_cannot_move`, RF-CHEST, RF-WOUND-BLEED
    `bleeding_not_stopping`, RF-CSF `stiff_neck_or_confusion`).
    """

    surgery = date(2000, 1, 1)
    codes = []
    for code in SAFETY_ANSWER_CODES:
        for offset in _PROBE_DAYS:
            day = surgery + timedelta(days=offset)
            record = DayRecord(day=day, safety_answers=frozenset({code}))
            timeline = Timeline(surgery_date=surgery, days=(record,))
            if any(f.level == Level.EMERGENCY for f in safety_findings_for_day(timeline, day)):
                codes.append(code)
                break
    # The cauda equina answers are an emergency whatever the rules say (§3 RF-CES-*).
    return tuple(c for c in SAFETY_ANSWER_CODES if c in codes or c in CAUDA_EQUINA_ANSWERS)


# --- Answers as flat keys: one key per answer a patient gives --------------------------------


def answer_keys() -> tuple[str, ...]:
    return (
        *SCALAR_ANSWERS,
        *(f"safety.{code}" for code in SAFETY_ANSWER_CODES),
        *(f"symptoms.{code}" for code in SYMPTOM_CODES),
    )


def answer_key_for_field(name: str) -> str | None:
    """The answer a check-in form field belongs to (`safety_fall` -> `safety.fall`).

    `temperature_c` is its own key: when the phone had it typed tells when the reading was
    taken, if the patient left its time empty."""
    if name in SCALAR_ANSWERS or name == "temperature_c":
        return name
    if name.startswith("safety_") and name[7:] in SAFETY_ANSWER_CODES:
        return f"safety.{name[7:]}"
    if name.startswith("symptom_"):
        code = name[8:].removesuffix("_side")
        if code in SYMPTOM_CODES:
            return f"symptoms.{code}"
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def flatten(answers: Mapping[str, Any]) -> dict[str, Any]:
    """`record_checkin` answers as one value per answer key (None: not answered)."""
    flat: dict[str, Any] = {name: _plain(answers.get(name)) for name in SCALAR_ANSWERS}
    for name in ("leg_side", "note", "new_numbness_side"):
        flat[name] = flat[name] or ""
    safety = answers.get("safety") or {}
    symptoms = answers.get("symptoms") or {}
    for code in SAFETY_ANSWER_CODES:
        flat[f"safety.{code}"] = safety.get(code)
    for code in SYMPTOM_CODES:
        flat[f"symptoms.{code}"] = symptoms.get(code)
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {name: flat.get(name) for name in SCALAR_ANSWERS}
    answers["safety"] = {
        code: flat[f"safety.{code}"]
        for code in SAFETY_ANSWER_CODES
        if flat.get(f"safety.{code}") is not None
    }
    answers["symptoms"] = {
        code: flat[f"symptoms.{code}"]
        for code in SYMPTOM_CODES
        if flat.get(f"symptoms.{code}") is not None
    }
    return answers


def changed_at_by_answer(revisions: Iterable[tuple[datetime, Mapping, Mapping]]) -> dict:
    """When each answer was last changed, from a check-in's revisions (changed_at, before,
    after), in any order. The revision that created the check-in changed every answer it
    gave."""
    changed: dict[str, datetime] = {}
    for when, before, after in sorted(revisions, key=lambda revision: revision[0]):
        old, new = flatten(before), flatten(after)
        for key, value in new.items():
            if (not before and value not in (None, "")) or (before and old[key] != value):
                changed[key] = when
    return changed


# --- The merge ------------------------------------------------------------------------------


@dataclass
class Merge:
    answers: dict[str, Any]
    # Answer keys that differed between the two versions, by which one was kept.
    from_phone: list[str] = field(default_factory=list)
    from_online: list[str] = field(default_factory=list)


def _groups() -> list[tuple[str, ...]]:
    linked = {key for group in LINKED_ANSWERS for key in group}
    return list(LINKED_ANSWERS) + [(key,) for key in answer_keys() if key not in linked]


def merge_answers(
    server_answers: Mapping[str, Any],
    server_changed_at_by_field: Mapping[str, datetime],
    offline_answers: Mapping[str, Any],
    offline_changed_at_by_field: Mapping[str, datetime],
) -> Merge:
    """Merge an offline check-in into the one saved online: the later edit of each answer wins.

    Both answer sets are `record_checkin` answers; the times are keyed by answer key
    (`back_pain`, `safety.fall`, `symptoms.muscle_spasm`). An answer the phone never touched
    (no time) keeps the online value; one never changed online (no time) takes the phone's.
    Equal times keep the online value. Linked answers (LINKED_ANSWERS) move together.
    The phone's new temperature reading (READING_ANSWERS) is carried as it is: recording adds
    it to the day's readings.
    """
    server, phone = flatten(server_answers), flatten(offline_answers)
    merged = dict(server)
    result = Merge(answers={})
    for group in _groups():
        if all(server[key] == phone[key] for key in group):
            continue
        phone_time = max(
            (offline_changed_at_by_field.get(k) for k in group if k in offline_changed_at_by_field),
            default=None,
        )
        server_time = max(
            (server_changed_at_by_field.get(k) for k in group if k in server_changed_at_by_field),
            default=None,
        )
        phone_wins = phone_time is not None and (server_time is None or phone_time > server_time)
        differing = [key for key in group if server[key] != phone[key]]
        if phone_wins:
            for key in group:
                merged[key] = phone[key]
            result.from_phone += differing
        else:
            result.from_online += differing
    result.answers = unflatten(merged)
    for name in ("exercises", *READING_ANSWERS):
        if name in offline_answers:
            result.answers[name] = offline_answers[name]
    return result
