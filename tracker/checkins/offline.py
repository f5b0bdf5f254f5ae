"""Applying a check-in kept on the phone while offline: once, for its own patient, safety first.

The phone sends what the form would have posted, the day it was made for, an id of its own and
when each answer was last changed there. This module validates it with the check-in form,
merges it into what was saved online meanwhile ("the later edit wins", `offline_merge`) and
records it in one transaction. The same id applies once; an id already used for another day,
other answers or another patient is refused and never reported as saved. An emergency or
urgent answer is kept even when other answers are wrong (`safety_first`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from tracker.checkins.edit_window import edit_window_start
from tracker.checkins.forms import CheckInForm
from tracker.checkins.offline_merge import Merge, changed_at_by_answer, merge_answers
from tracker.checkins.recording import (
    TIME_NOT_KNOWN,
    answers_as_stored,
    record_checkin,
    safety_findings,
)
from tracker.checkins.safety_first import record_safety_answers
from tracker.models import CheckIn, CheckInRevision, Patient, Source, User
from tracker.programmes.changes import scheduled_items
from tracker.timeline import Finding

# The second revision of a merged check-in gets an id derived from the phone's, so a resend
# is recognised for both.
MERGE_NAMESPACE = uuid.UUID("6f1c8a52-3b0e-4d8e-9a57-2f7c1d4e9b10")


class Refused(Exception):
    """The check-in cannot be applied; nothing was saved. `errors` maps a field to messages."""

    def __init__(self, message: str, status: int = 400, errors: dict | None = None):
        super().__init__(message)
        self.message, self.status, self.errors = message, status, errors or {}


@dataclass
class Applied:
    """What became of an offline check-in."""

    checkin: CheckIn
    findings: list[Finding]
    # False when this id had been applied before (a resend): nothing changed now.
    fresh: bool
    merge: Merge | None = None
    # Field errors when only the safety answers could be kept (the rest waits on the phone).
    errors: dict[str, list[str]] = field(default_factory=dict)


def form_data(fields: dict) -> QueryDict:
    """The phone's fields as the form would have posted them."""
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        data.setlist(str(name), [str(v) for v in values if v is not None])
    return data


def check_day(patient: Patient, day: date) -> None:
    """Refuse a day in the future or before the edit window."""
    today = patient.local_date()
    if day > today:
        raise Refused(_("This check-in is dated in the future, so it was not saved."))
    if day < edit_window_start(patient, today):
        raise Refused(
            _("This check-in is more than %(days)s days old and can no longer be saved.")
            % {"days": settings.CHECKIN_EDIT_WINDOW_DAYS}
        )


def apply_offline_checkin(
    patient: Patient,
    by: User | None,
    client_id: uuid.UUID,
    day: date,
    fields: dict,
    phone_times: dict[str, datetime],
) -> Applied:
    """Apply the phone's check-in once (see the module docstring); raises `Refused`."""
    check_day(patient, day)
    form = CheckInForm(
        form_data(fields), exercises=scheduled_items(patient, day), patient=patient, day=day
    )
    valid = form.is_valid()
    # A temperature whose time was left empty was taken when the phone had it typed, not
    # when the phone found a connection again.
    typed_at = phone_times.get("temperature_c", TIME_NOT_KNOWN)
    earlier = CheckInRevision.objects.filter(submission_id=client_id).select_related("checkin")
    if (revision := earlier.first()) is not None:
        return _resent(patient, revision, day, form.cleaned_data.get("answers") if valid else None)
    if not valid:
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        kept = record_safety_answers(
            patient,
            day,
            form,
            by=by,
            submission_id=client_id,
            source=Source.OFFLINE,
            time_default=typed_at,
        )
        if kept is None:
            raise Refused(
                _("Some answers need another look. Nothing was saved yet."), errors=errors
            )
        return Applied(kept.checkin, kept.findings, fresh=True, errors=errors)
    answers = form.cleaned_data["answers"]
    if answers["temperature_time"] is None:
        answers["temperature_time"] = typed_at
    with transaction.atomic():
        existing = patient.checkins.select_for_update().filter(day=day).first()
        merge = None
        if existing is not None:
            history = existing.revisions.values_list("changed_at", "before", "after")
            merge = merge_answers(
                existing.answers(), changed_at_by_answer(history), answers, phone_times
            )
        if merge is not None and merge.from_online:
            # The phone's version goes into the history as it was, then the merge on top.
            _record(patient, by, day, answers, client_id)
            merged_id = uuid.uuid5(MERGE_NAMESPACE, str(client_id))
            result = _record(patient, by, day, merge.answers, merged_id)
        else:
            result = _record(patient, by, day, answers, client_id)
    return Applied(result.checkin, result.findings, fresh=True, merge=merge)


def _resent(patient, revision: CheckInRevision, day: date, answers: dict | None) -> Applied:
    """The same id again: a resend is answered as before; anything else is refused."""
    checkin = revision.checkin
    same = (
        checkin.patient_id == patient.pk
        and checkin.day == day
        and (answers is None or _same_answers(answers, revision.after))
    )
    if not same:
        raise Refused(
            _(
                "This check-in could not be saved because it looks like a copy of another one. "
                "Please fill it in again."
            ),
            status=409,
        )
    return Applied(checkin, safety_findings(patient, checkin), fresh=False)


def _same_answers(answers: dict, after: dict) -> bool:
    """True when `answers` are those a revision stored (`after`): the same answers, and the
    phone's temperature among the day's readings (which other check-ins may have added to)."""
    stored = answers_as_stored({**answers, "temperature_c": None})
    readings = ("temperature_c", "temperature_readings")
    # A revision stored before an answer existed does not hold it.
    if any(stored[k] != after[k] for k in stored if k not in readings and k in after):
        return False
    new = answers.get("temperature_c")
    held = [Decimal(str(e["temperature_c"])) for e in after.get("temperature_readings") or []]
    if after.get("temperature_c") is not None:  # a revision stored before readings were kept
        held.append(Decimal(str(after["temperature_c"])))
    return new is None or new in held


def _record(patient, by, day, answers, submission_id):
    return record_checkin(
        patient, day, answers, by=by, submission_id=submission_id, source=Source.OFFLINE
    )
