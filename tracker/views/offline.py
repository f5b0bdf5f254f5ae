"""A check-in kept on the phone while offline, sent when the connection returns (JSON).

Reading the request and wording the answer live here; applying it is
`tracker.checkins.offline.apply_offline_checkin`.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime

from django.http import JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker.auth.access import get_patient
from tracker.auth.roles import patient_required
from tracker.checkins.forms import CheckInForm
from tracker.checkins.offline import Applied, Refused, apply_offline_checkin
from tracker.checkins.offline_merge import answer_key_for_field
from tracker.views.safety import screen


@patient_required
@require_POST
def offline_checkin(request):
    patient = get_patient(request, "check-in")
    try:
        client_id, day, fields, phone_times = _payload(request, patient)
        applied = apply_offline_checkin(patient, request.user, client_id, day, fields, phone_times)
    except Refused as refusal:
        body = {"status": "refused", "error": refusal.message, "errors": refusal.errors}
        return JsonResponse(body, status=refusal.status)
    return JsonResponse(_answer(request, patient, applied))


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


def _labels(keys: list[str]) -> list[str]:
    form = CheckInForm()
    names = []
    for key in keys:
        group, _dot, code = key.partition(".")
        field = {"safety": f"safety_{code}", "symptoms": f"symptom_{code}"}.get(group, key)
        names.append(str(form.fields[field].label))
    return names


def _answer(request, patient, applied: Applied) -> dict:
    merge = applied.merge
    template, context = screen(
        patient,
        applied.findings,
        saved=applied.checkin,
        kept_on_phone=bool(applied.errors),
        from_phone=_labels(merge.from_phone) if merge else [],
        from_online=_labels(merge.from_online) if merge else [],
    )
    # Only the safety answers kept: say so, and never call the rest "saved".
    status = "saved" if applied.fresh else "already_received"
    if applied.errors:
        status = "safety_saved"
    level = context["level"]
    return {
        "status": status,
        "day": applied.checkin.day.isoformat(),
        "level": level.value if level else None,
        "errors": applied.errors,
        "screen_html": render_to_string(template + "#screen", context, request),
        "merge_html": render_to_string("tracker/patient/offline_merge.html", context, request)
        if merge and (merge.from_phone or merge.from_online)
        else "",
    }
