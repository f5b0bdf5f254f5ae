"""A patient's year for the report and export tests, written through the bulk seeding path."""

from __future__ import annotations

import random
from datetime import timedelta

from bench.seed import write_year
from tracker.checkins.questionnaire_responses import record_response
from tracker.models import Patient


def checkin_days(patient: Patient, days: int, seed: int = 3) -> None:
    """Up to `days` days of check-ins after surgery (about one in fourteen missed)."""
    write_year(random.Random(seed), patient, days, patient.local_date())  # noqa: S311


def peg_scores(patient: Patient, *days_after_surgery: int, pain=(7, 4)) -> None:
    """PEG answered on these days: the first with `pain[0]` everywhere, the rest `pain[1]`."""
    for index, day_number in enumerate(days_after_surgery):
        value = pain[0] if index == 0 else pain[1]
        record_response(
            patient,
            "peg",
            patient.surgery_date + timedelta(days=day_number),
            {"peg-pain": value, "peg-enjoyment": value, "peg-activity": value},
            by=None,
            notify=False,
        )
