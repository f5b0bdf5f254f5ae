"""Keeping every clinic's per-patient outcome rows true, night by night.

The rows are written on each save and, where missing, before the figures are counted. The
night's run writes every patient's rows again: whatever a change outside those paths left (a
clinic's new thresholds, a bulk import) is then not paid for by the next visitor to the page,
and a row written by two saves of the same patient at the same instant on PostgreSQL (each
reading the database before the other committed) is put right within a day.
"""

from __future__ import annotations

from tracker.flags.engine import clinic_thresholds
from tracker.models import Clinic, Patient
from tracker.models.outcome_points import kept_schedules, refresh_due_points, refresh_points
from tracker.questionnaires.definitions import default_schedules


def refresh_outcome_rows() -> int:
    """Write the rows of every clinic's patients again; returns how many patients."""
    written = 0
    schedules = kept_schedules(default_schedules())
    for clinic in Clinic.objects.select_related("thresholds"):
        patients = Patient.objects.filter(clinic=clinic)
        refresh_points(patients, clinic_thresholds(clinic))
        for code, schedule in schedules.items():
            refresh_due_points(patients, code, schedule)
        written += patients.count()
    return written
