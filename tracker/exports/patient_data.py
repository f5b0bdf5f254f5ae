"""Everything Laminar holds about a patient, for the patient: one zip of JSON and CSV.

`data.json` holds every record; `checkins.csv` is the diary in the import format (so it can
be taken to another instance) and `access_log.csv` lists who on the staff viewed or exported
the record, when and what.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from tracker.exports.csv_export import csv_lines, patient_diary_lines
from tracker.models import AccessLog, ErasureRequest, Patient

README = """Your data from Laminar, exported {when}.

data.json        everything we hold about you: your details, care team, check-ins (with every
                 change made to them), questionnaires, flags your care team saw, exercise
                 programme and logs, restrictions, reminder settings and erasure requests.
checkins.csv     your daily check-ins, one row a day, in the format Laminar imports.
access_log.csv   every time a member of staff viewed or exported your record.
"""


def access_rows(patient: Patient):
    """The access log of this patient (who on the staff viewed what), newest first."""
    return AccessLog.objects.filter(patient_ref=patient.public_id).order_by("-at", "-id")


def _user(user) -> str | None:
    return None if user is None else user.full_name


def _checkins(patient: Patient) -> list[dict[str, Any]]:
    found = []
    checkins = patient.checkins.order_by("day").prefetch_related(
        "revisions", "exercise_logs__item__exercise"
    )
    for checkin in checkins:
        found.append(
            {
                "date": checkin.day,
                **checkin.answers(),
                "created_at": checkin.created_at,
                "updated_at": checkin.updated_at,
                "exercises": [
                    {
                        "exercise": log.item.exercise.name,
                        "sessions_done": log.sessions_done,
                        "sessions_prescribed": log.sessions_prescribed,
                        "pain_during": log.pain_during,
                        "too_hard": log.too_hard,
                    }
                    for log in checkin.exercise_logs.all()
                ],
                "changes": [
                    {
                        "at": revision.changed_at,
                        "source": revision.source,
                        "before": revision.before,
                        "after": revision.after,
                    }
                    for revision in checkin.revisions.all()
                ],
            }
        )
    return found


def everything(patient: Patient) -> dict[str, Any]:
    """All records of the patient as JSON-able data."""
    user = patient.user
    reminder = getattr(patient, "reminder_preference", None)
    return {
        "exported_at": timezone.now(),
        "you": {
            "name": user.full_name,
            "email": user.email,
            "date_of_birth": patient.date_of_birth,
            "time_zone": patient.time_zone,
            "enrolled_at": patient.enrolled_at,
            "clinic": patient.clinic.name,
        },
        "surgery": {
            "procedure": patient.procedure,
            "levels": patient.levels,
            "date": patient.surgery_date,
            "surgeon": _user(patient.surgeon),
            "back_pain_before": patient.baseline_back_pain,
            "leg_pain_before": patient.baseline_leg_pain,
        },
        "care_team": [
            {"name": member.full_name, "role": member.role_label}
            for member in patient.care_team.order_by("full_name")
        ],
        "checkins": _checkins(patient),
        "questionnaires": [
            {
                "questionnaire": response.instrument,
                "date": response.day,
                "answers": response.answers,
                "total": response.total,
                "band": response.band,
                "source": response.source,
            }
            for response in patient.questionnaire_responses.order_by("day", "instrument")
        ],
        "flags": [
            {
                "rule": flag.rule_id,
                "level": flag.level,
                "status": flag.status,
                "message_to_you": flag.patient_message,
                "explanation_for_clinicians": flag.clinician_explanation,
                "evidence": flag.evidence,
                "opened_at": flag.opened_at,
                "acknowledged_at": flag.acknowledged_at,
                "resolved_at": flag.resolved_at,
                "resolution_note": flag.resolution_note,
            }
            for flag in patient.flags.order_by("opened_at", "id")
        ],
        "exercise_programmes": [
            {
                "created_at": programme.created_at,
                "active": programme.active,
                "exercises": [
                    {
                        "exercise": item.exercise.name,
                        "start_week": item.start_week,
                        "end_week": item.end_week,
                        "note": item.note,
                        **item.dose_values(),
                    }
                    for item in programme.items.all()
                ],
                "changes": [
                    {"at": change.changed_at, "summary": change.summary}
                    for change in programme.changes.all()
                ],
            }
            for programme in patient.programmes.prefetch_related("items__exercise", "changes")
        ],
        "restrictions": [
            {
                "kind": restriction.kind,
                "text": restriction.text,
                "until": restriction.until,
                "set_at": restriction.set_at,
                "lifted_at": restriction.lifted_at,
            }
            for restriction in patient.restrictions.all()
        ],
        "reminders": None
        if reminder is None
        else {
            "time_of_day": reminder.time_of_day,
            "channel": reminder.channel,
            "paused": reminder.paused,
        },
        "erasure_requests": [
            {"requested_at": request.requested_at, "status": request.status}
            for request in ErasureRequest.objects.filter(patient_ref=patient.public_id)
        ],
    }


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return str(o)
        return super().default(o)


def access_log_lines(patient: Patient):
    rows = (
        (row.at.isoformat(timespec="seconds"), row.actor_label, row.action)
        for row in access_rows(patient).iterator()
    )
    return csv_lines(("at", "who", "what"), rows)


def data_zip(patient: Patient, now: datetime | None = None) -> bytes:
    """The zip the patient downloads."""
    now = now or timezone.now()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(when=now.isoformat(timespec="seconds")))
        archive.writestr(
            "data.json", json.dumps(everything(patient), cls=_Encoder, indent=2, ensure_ascii=False)
        )
        archive.writestr("checkins.csv", "".join(patient_diary_lines(patient)))
        archive.writestr("access_log.csv", "".join(access_log_lines(patient)))
    return buffer.getvalue()


def zip_name(patient: Patient, day: date) -> str:
    return f"laminar-my-data-{day.isoformat()}.zip"
