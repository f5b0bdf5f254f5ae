"""A small world for security tests: three patients at two clinics and one of each role.

Pat Example (Northgate) has a care team (surgeon and physio), a check-in that raised a flag,
a programme item; Olive Other (Northgate) has no care team; Fay Foreign is at another
clinic, on the care team of that clinic's surgeon.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from tests.factories import make_patient
from tests.programme_data import clinic_exercise_by, programme_item_of
from tracker.care.erasure import request_erasure
from tracker.checkins.forms import CheckInForm
from tracker.checkins.recording import record_checkin
from tracker.models import ErasureRequest, Exercise, Patient, User

ROLES = (
    "anonymous",
    "patient",
    "other_patient",
    "physio",
    "clinician",
    "outsider_staff",
    "foreign_staff",
    "clinic_admin",
)
STAFF_ROLES = ("physio", "clinician", "outsider_staff", "foreign_staff", "clinic_admin")

PAT = ("Pat Example", "patient@clinic.test")
OLIVE = ("Olive Other", "other@clinic.test")
FAY = ("Fay Foreign", "fay@elsewhere.test")
# Whose name and e-mail must never appear in a response to each role.
FORBIDDEN = {
    "anonymous": (PAT, OLIVE, FAY),
    "patient": (OLIVE, FAY),
    "other_patient": (PAT, FAY),
    "physio": (OLIVE, FAY),
    "clinician": (OLIVE, FAY),
    "outsider_staff": (PAT, OLIVE, FAY),
    "foreign_staff": (PAT, OLIVE),
    "clinic_admin": (FAY,),
}


def checkin_answers(**overrides) -> dict:
    from tests.checkin_data import checkin_post

    form = CheckInForm(checkin_post(**overrides))
    assert form.is_valid(), form.errors
    return form.cleaned_data["answers"]


@dataclass
class World:
    patient: Patient
    other_patient: Patient
    foreign_patient: Patient
    exercise: Exercise
    erasure: ErasureRequest
    people: dict[str, User | None]


def build_world(
    patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin
) -> World:
    foreign_patient = make_patient(
        FAY[1], foreign_staff.clinic, team=(foreign_staff,), full_name=FAY[0]
    )
    for someone in (patient, other_patient, foreign_patient):
        # A calf answer raises one flag (RF-CALF) for each.
        record_checkin(
            someone,
            someone.local_date(),
            checkin_answers(safety_calf_pain_swelling="yes"),
            by=someone.user,
        )
    programme_item_of(patient)
    people = {
        "anonymous": None,
        "patient": patient.user,
        "other_patient": other_patient.user,
        "physio": physio,
        "clinician": surgeon,
        "outsider_staff": outsider_staff,
        "foreign_staff": foreign_staff,
        "clinic_admin": clinic_admin,
    }
    return World(
        patient,
        other_patient,
        foreign_patient,
        clinic_exercise_by(physio),
        request_erasure(other_patient),
        people,
    )


def tracker_models() -> list[type[models.Model]]:
    from django.apps import apps

    return list(apps.get_app_config("tracker").get_models())


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every tracker table, in key order: equal snapshots, nothing changed."""
    return {
        model._meta.db_table: list(model.objects.order_by("pk").values_list())
        for model in tracker_models()
    }
