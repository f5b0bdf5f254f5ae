"""A check-in kept on the phone while offline, sent when the connection returns (JSON).

The phone posts what the check-in form would have posted, with the day it was made for, a
client-generated id and when each answer was last changed on the phone. The same form
validates it and `record_checkin` applies it once, whatever the number of retries.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker.auth.access import get_patient
from tracker.auth.roles import patient_required
from tracker.checkins.forms import CheckInForm
from tracker.checkins.offline import answer_key_for_field, changed_at_by_answer, merge_answers
from tracker.checkins.recording import record_checkin, safety_findings
from tracker.models import CheckInRevision, Source
from tracker.programmes.changes import scheduled_items
from tracker.timeline import Level
from tracker.views.safety import SCREENS, most_severe

# The second revision of a merged check-in gets an id derived from the phone's, so a resend
# is recognised for both.
MERGE_NAMESPACE = uuid.UUID("6f1c8a52-3b0e-4d8e-9a57-2f7c1d4e9b10")


class Refused(Exception):
    def __init__(self, message: str, status: int = 400, errors: dict | None = None):
        super().__init__(message)
        self.message, self.status, self.errors = message, status, errors or {}


@patient_required
@require_POST
def offline_checkin(request):
    patient = get_patient(request, "check-in")
    try:
        payload = _payload(request, patient)
        return JsonResponse(_apply(request, patient, *payload))
    except Refused as refusal:
        body = {"status": "refused", "error": refusal.message, "errors": refusal.errors}
        return JsonResponse(body, status=refusal.status)


def _payload(request, patient):
    try:
        data = json.loads(request.body)
        client_id = uuid.UUID(str(data["client_id"]))
        day = date.fromisoformat(str(data["day"]))
        fields = dict(data.get("fields") or {})
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Refused(_("This check-in could not be read. Please fill it in again.")) from error
    owner = data.get("owner")
    if owner and owner != str(patient.public_id):
        raise Refused(_("This check-in was saved on this phone by someone else."), status=409)
    today = patient.local_date()
    if day > today:
        raise Refused(_("This check-in is dated in the future, so it was not saved."))
    if day < today - timedelta(days=settings.CHECKIN_EDIT_WINDOW_DAYS):
        raise Refused(
            _("This check-in is more than %(days)s days old and can no longer be saved.")
            % {"days": settings.CHECKIN_EDIT_WINDOW_DAYS}
        )
    return client_id, day, fields, _phone_times(data.get("changed_at"))


def _phone_times(raw) -> dict[str, datetime]:
    """When each answer was last changed on the phone (never later than now)."""
    now = timezone.now()
    times: dict[str, datetime] = {}
    for name, value in (raw or {}).items() if isinstance(raw, dict) else ():
        key = answer_key_for_field(str(name))
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            continue
        if key is None or timezone.is_naive(moment):
            continue
        moment = min(moment, now)
        times[key] = max(times.get(key, moment), moment)
    return times


def _form_data(fields: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        data.setlist(str(name), [str(v) for v in values if v is not None])
    return data


def _apply(request, patient, client_id, day, fields, phone_times) -> dict:
    already = CheckInRevision.objects.filter(
        submission_id=client_id, checkin__patient=patient
    ).select_related("checkin")
    if (revision := already.first()) is not None:
        return _answer(
            request, patient, revision.checkin, safety_findings(patient, revision.checkin)
        )
    form = CheckInForm(_form_data(fields), exercises=scheduled_items(patient, day))
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        raise Refused(_("Some answers need another look. Nothing was saved yet."), errors=errors)
    answers = form.cleaned_data["answers"]
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
            first = _record(request, patient, day, answers, client_id)
            if first.repeated:
                return _answer(request, patient, first.checkin, first.findings)
            merged_id = uuid.uuid5(MERGE_NAMESPACE, str(client_id))
            result = _record(request, patient, day, merge.answers, merged_id)
        else:
            result = _record(request, patient, day, answers, client_id)
    return _answer(request, patient, result.checkin, result.findings, merge=merge, fresh=True)


def _record(request, patient, day, answers, submission_id):
    return record_checkin(
        patient, day, answers, by=request.user, submission_id=submission_id, source=Source.OFFLINE
    )


def _labels(keys: list[str]) -> list[str]:
    form = CheckInForm()
    names = []
    for key in keys:
        group, _dot, code = key.partition(".")
        field = {"safety": f"safety_{code}", "symptoms": f"symptom_{code}"}.get(group, key)
        names.append(str(form.fields[field].label))
    return names


def _answer(request, patient, checkin, findings, *, merge=None, fresh=False) -> dict:
    level = most_severe(findings)
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "level": level,
        "findings": findings,
        "patient_findings": [f for f in findings if f.level != Level.REVIEW],
        "saved": checkin,
        "crisis": False,
        "next_questionnaires": (),
        "from_phone": _labels(merge.from_phone) if merge else [],
        "from_online": _labels(merge.from_online) if merge else [],
    }
    template = SCREENS.get(level, "tracker/patient/saved.html")
    return {
        "status": "saved" if fresh else "already_received",
        "day": checkin.day.isoformat(),
        "level": level.value if level else None,
        "screen_html": render_to_string(template + "#screen", context, request),
        "merge_html": render_to_string("tracker/patient/offline_merge.html", context, request)
        if merge and (merge.from_phone or merge.from_online)
        else "",
    }
