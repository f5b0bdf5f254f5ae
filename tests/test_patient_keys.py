"""Every table that holds a patient's data carries the patient's id itself, so the database
can be split by patient (docs/scaling.md: Citus, distributed by `patient_id`).

The tables are found from the app's models, not listed by hand: a model whose foreign keys
lead to Patient (directly, or through another table, such as a check-in's revisions) is
patient-owned and must have a `patient` key of its own. A new table without one fails here.
The few that reach their patient only through a parent row today are named below, each with
its parent; docs/scaling.md gives them a `patient_id` before the database is distributed.
That list may only shrink.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.db import models

from tracker.models import Patient

DOCS = Path(__file__).resolve().parent.parent / "docs" / "scaling.md"

# Patient-owned tables that reach the patient through their parent row (table -> parent).
THROUGH_PARENT = {
    "CheckInRevision": "CheckIn",
    "ExerciseLog": "CheckIn",
    "Notification": "Flag",
    "ProgrammeItem": "Programme",
    "ProgrammeChange": "Programme",
}


def tracker_models() -> list[type[models.Model]]:
    return list(apps.get_app_config("tracker").get_models())


def parents(model) -> list[type[models.Model]]:
    """The tables this one points at, people (User) aside: staff are shared by everyone, and a
    patient's account is reached from Patient, not the other way round."""
    return [
        field.related_model
        for field in model._meta.get_fields()
        if field.concrete
        and (field.many_to_one or field.one_to_one)
        and field.related_model is not apps.get_model("tracker", "User")
    ]


def reaches_patient(model, seen=()) -> bool:
    if model is Patient:
        return True
    return any(
        reaches_patient(parent, (*seen, model)) for parent in parents(model) if parent not in seen
    )


def patient_owned() -> list[type[models.Model]]:
    return [m for m in tracker_models() if m is not Patient and reaches_patient(m)]


def has_patient_key(model) -> bool:
    try:
        field = model._meta.get_field("patient")
    except Exception:  # noqa: BLE001 - no such field
        return False
    return field.concrete and field.related_model is Patient


def test_the_patient_owned_tables_are_found():
    names = {model.__name__ for model in patient_owned()}
    # The check-in, the flag and their children, as a sanity check of the walk itself.
    assert {"CheckIn", "CheckInRevision", "Flag", "Notification", "ExerciseLog"} <= names
    assert not {"Clinic", "User", "JobRun", "ClinicThresholds"} & names


def test_every_patient_owned_table_has_a_patient_key():
    missing = sorted(
        model.__name__
        for model in patient_owned()
        if not has_patient_key(model) and model.__name__ not in THROUGH_PARENT
    )
    assert missing == [], (
        f"{missing} hold patients' data without a `patient` key: add one "
        "(ForeignKey to Patient), so the database can still be split by patient."
    )


def test_the_tables_reached_through_a_parent_only_shrink():
    owned = {model.__name__: model for model in patient_owned()}
    for name, parent in THROUGH_PARENT.items():
        assert name in owned, f"{name} is no longer patient-owned: take it off the list"
        assert not has_patient_key(owned[name]), f"{name} has its patient key now: take it off"
        assert parent in {p.__name__ for p in parents(owned[name])}


def test_the_scaling_notes_place_every_table():
    """docs/scaling.md says of each table whether it is distributed or a reference table."""
    text = DOCS.read_text()
    placed = set(re.findall(r"`(tracker_[a-z_]+)`", text))
    tables = {model._meta.db_table for model in tracker_models()}
    assert sorted(tables - placed) == []
    assert sorted(placed - tables) == []  # no table that no longer exists
    distributed = text.split("## Distributed by patient", 1)[1].split("\n## ", 1)[0]
    for model in patient_owned() + [Patient]:
        assert f"`{model._meta.db_table}`" in distributed, model._meta.db_table
