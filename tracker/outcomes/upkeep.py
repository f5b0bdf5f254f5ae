"""Keeping every clinic's per-patient outcome rows current, night by night.

The rows are written on each save and, where missing, before the figures are counted; the
night's run writes whatever a change outside those paths left (a clinic's new thresholds, a
bulk import), so that the day's first look at the outcomes page does not have to.
"""

from __future__ import annotations

from tracker.flags.engine import clinic_thresholds
from tracker.models import Clinic, Patient
from tracker.models.outcome_points import (
    kept_schedules,
    refresh_due_points,
    refresh_points,
    stale_due_points,
    stale_points,
)
from tracker.questionnaires.definitions import default_schedules


def refresh_outcome_rows() -> int:
    """Write the missing or out-of-date rows of every clinic's patients; returns how many
    patients' rows were written."""
    written = 0
    schedules = default_schedules()
    for clinic in Clinic.objects.select_related("thresholds"):
        patients = Patient.objects.filter(clinic=clinic)
        thresholds = clinic_thresholds(clinic)
        stale = stale_points(patients, thresholds)
        count = stale.count()
        if count:
            refresh_points(stale, thresholds)
            written += count
        stale = stale_due_points(patients, schedules)
        if stale.exists():
            for code, schedule in kept_schedules(schedules).items():
                refresh_due_points(stale, code, schedule)
    return written
