"""Keeping every clinic's per-patient outcome rows true, night by night.

The rows are written on each save and, where missing, before the figures are counted. The
night's run writes every patient's rows again: whatever a change outside those paths left (a
clinic's new thresholds, a bulk import) is then not paid for by the next visitor to the page,
and a row written by two saves of the same patient at the same instant on PostgreSQL (each
reading the database before the other committed) is put right within a day.
"""

from __future__ import annotations

from django.tasks import task

from tracker.flags.engine import clinic_thresholds
from tracker.models import Clinic, Patient
from tracker.models.outcome_points import kept_schedules, refresh_due_points, refresh_points
from tracker.questionnaires.definitions import default_schedules


def refresh_outcome_rows(clinic_ids: list[int] | None = None) -> int:
    """Write the rows of every clinic's patients again (or of these clinics'); returns how many
    patients."""
    written = 0
    schedules = kept_schedules(default_schedules())
    clinics = Clinic.objects.select_related("thresholds")
    if clinic_ids is not None:
        clinics = clinics.filter(pk__in=clinic_ids)
    for clinic in clinics:
        patients = Patient.objects.filter(clinic=clinic)
        refresh_points(patients, clinic_thresholds(clinic))
        for code, schedule in schedules.items():
            refresh_due_points(patients, code, schedule)
        written += patients.count()
    return written


@task
def rewrite_clinic_outcome_rows(clinic_id: int) -> int:
    """A clinic changed its thresholds: its rows' time-point windows may have moved (P3's
    6-week day, P4's 12-week day). Written again by a worker, so the next visitor to the
    outcomes page does not wait for a whole clinic's rows in their request."""
    return refresh_outcome_rows([clinic_id])
