"""A patient's year for the report and export tests, written through the bulk seeding path."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from bench.seed import write_year
from tracker.checkins.questionnaire_responses import record_response
from tracker.models import Flag, FlagLevel, FlagStatus, Patient
from tracker.timeline import Level


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


def flag(patient: Patient, rule_id: str = "RF-FEVER", *, days_ago: int = 5, **fields) -> Flag:
    day = patient.local_date() - timedelta(days=days_ago)
    level = fields.pop("level", FlagLevel.URGENT)
    values = {
        "patient": patient,
        "rule_id": rule_id,
        "level": level,
        "level_rank": Level(level).rank,
        "status": FlagStatus.OPEN,
        "patient_message": "Call your surgical team today.",
        "clinician_explanation": "Feverish with a temperature of 38.4 °C (§3 RF-FEVER [E]).",
        "reference": "clinical-reference §3 RF-FEVER [E]",
        "evidence": [{"date": day.isoformat(), "temperature_c": "38.4"}],
        "first_evidence_day": day,
        "last_evidence_day": day,
        "opened_at": timezone.now() - timedelta(days=days_ago),
    }
    values.update(fields)
    return Flag.objects.create(**values)
