"""Programmes and exercises for tests, made through tracker.programmes.changes as a physio would."""

from tracker.models import Exercise, Role, User
from tracker.programmes.changes import add_item, library_values, programme_for_editing


def library_exercise(code: str) -> Exercise:
    return Exercise.objects.get(clinic__isnull=True, code=code)


def prescribe(patient, by: User, code: str = "bridges", **values):
    """Add a library exercise to the patient's programme (default dose unless overridden)."""
    exercise = library_exercise(code)
    dose = library_values(exercise) | {"start_week": 0, "end_week": None} | values
    return add_item(programme_for_editing(patient, by), exercise, dose, by)


def programme_item_of(patient):
    """The patient's first programme item, prescribed by their physio when there is none."""
    from tracker.models import ProgrammeItem

    item = ProgrammeItem.objects.filter(programme__patient=patient).first()
    if item is None:
        physio = patient.care_team.get(role=Role.PHYSIO)
        item = prescribe(patient, physio)
    return item


def clinic_exercise_by(physio: User) -> Exercise:
    exercise = Exercise.objects.filter(created_by=physio).first()
    return exercise or Exercise.objects.create(
        code="wall-slides",
        name="Wall slides",
        steps="Stand with your back to a wall.\nSlide down a little.\nSlide up.",
        repetitions=10,
        clinic=physio.clinic,
        created_by=physio,
    )
