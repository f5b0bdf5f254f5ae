"""Which days a patient may still change: today and the edit window before it (§1.1 [D])."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

from tracker.models import Patient


def edit_window_start(patient: Patient, today: date | None = None) -> date:
    """The earliest day the patient may still change, in their own calendar."""
    today = today or patient.local_date()
    return today - timedelta(days=settings.CHECKIN_EDIT_WINDOW_DAYS)


def editable(patient: Patient, day: date) -> bool:
    """True for today and the days of the edit window; never for a future day."""
    today = patient.local_date()
    return edit_window_start(patient, today) <= day <= today
