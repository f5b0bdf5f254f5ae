"""Exercise programmes and logs for the demo patients (`manage.py seed_demo`).

Programmes are built and logs recorded through `tracker.programmes.changes` and the check-in, as in
real use. The "low_adherence" story does most of its exercises for six weeks and then few,
so the P9-ADHERENCE rule has something to notice.
"""

from __future__ import annotations

import random
from datetime import date

from tracker.models import Exercise, Patient, User
from tracker.programmes.changes import (
    add_item,
    current_items,
    library_for,
    library_values,
    programme_for_editing,
    scheduled_items,
    update_item,
)
from tracker.programmes.library import install_library

ADHERENT_SHARE = 0.9
LOW_ADHERENCE_FROM_DAY = 49
LOW_ADHERENCE_SHARE = 0.2


def give_demo_programme(patient: Patient, physio: User) -> None:
    """The §6 course with its default doses, then walking built up (a recorded change)."""
    install_library(Exercise)
    programme = programme_for_editing(patient, physio)
    present = set(current_items(programme).values_list("exercise_id", flat=True))
    for exercise in library_for(patient.clinic).filter(clinic__isnull=True):
        if exercise.pk not in present:
            add_item(programme, exercise, library_values(exercise), physio)
    walking = current_items(programme).filter(exercise__code="walking").first()
    if walking is not None:
        update_item(walking, {"minutes": 20, "sessions_per_day": 2}, physio)


def demo_exercise_answers(patient: Patient, story: str, day: date) -> dict:
    """What a demo patient logged of the day's exercises, as the check-in form sends it."""
    rng = random.Random(f"{patient.user.email}:{day}")  # noqa: S311 - demo data
    day_number = patient.days_since_surgery(day)
    share = ADHERENT_SHARE
    if story == "low_adherence" and day_number >= LOW_ADHERENCE_FROM_DAY:
        share = LOW_ADHERENCE_SHARE
    answers = {}
    for item in scheduled_items(patient, day):
        done = item.sessions_per_day if rng.random() < share else 0
        answers[str(item.public_id)] = {
            "done": done,
            "pain": min(10, max(0, round(rng.gauss(2, 1)))) if done else None,
            "too_hard": False,
        }
    return answers
