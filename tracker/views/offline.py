"""A check-in kept on the phone while offline, sent when the connection returns (JSON).

Reading the request and wording the answer live here; applying it is
`tracker.checkins.offline.apply_offline_checkin`.

Each queued check-in names its owner (the signed-in user's public id, which the page gives
the phone), so a check-in left on a shared phone is refused under anyone else's session
("not_yours", 409): the phone keeps it for its owner. Over the rate limit the phone is told
to wait (429 with Retry-After), and an emergency or urgent answer is kept all the same.
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
from tracker.auth.rate_limits import refusal, refusal_message, seconds_over_limit
from tracker.auth.roles import patient_required
from tracker.checkins.forms import CheckInForm
from tracker.checkins.offline import (
    Applied,
    Refused,
    apply_offline_checkin,
    check_day,
    form_data,
)
from tracker.checkins.offline_merge import answer_key_for_field
from tracker.checkins.recording import TIME_NOT_KNOWN
from tracker.checkins.safety_first import record_safety_answers
from tracker.models import Source
from tracker.programmes.changes import scheduled_items
from tracker.views.safety import screen


class NotYours(Refused):
    """The check-in was kept on this phone for someone else: the phone keeps it for them."""


@patient_required
@require_POST
def offline_checkin(request):
    patient = get_patient(request, "check-in")
    # Every post counts, but whose it is and what it holds are read before any refusal.
    wait = seconds_over_limit(request, "checkin-offline")
    try:
        client_id, day, fields, phone_times = _payload(request, patient)
        if wait is not None:
            return _over_limit(request, patient, client_id, day, fields, phone_times, wait)
        applied = apply_offline_checkin(patient, request.user, client_id, day, fields, phone_times)
    except Refused as refused:
        status = "not_yours" if isinstance(refused, NotYours) else "refused"
        body = {"status": status, "error": refused.message, "errors": refused.errors}
        return JsonResponse(body, status=refused.status)
    return JsonResponse(_answer(request, patient, applied))


def _over_limit(request, patient, client_id, day, fields, phone_times, wait: int) -> JsonResponse:
    """Over the limit: nothing is applied, except emergency or urgent answers (§0.1), which
    are recorded and answered with their screen; the rest waits on the phone."""
    check_day(patient, day)
    form = CheckInForm(
        form_data(fields), exercises=scheduled_items(patient, day), patient=patient, day=day
    )
    form.is_valid()
    kept = record_safety_answers(
        patient,
        day,
        form,
        by=request.user,
        submission_id=client_id,
        source=Source.OFFLINE,
        # A reading without a time was taken when the phone had it typed (see apply).
        time_default=phone_times.get("temperature_c", TIME_NOT_KNOWN),
    )
    if kept is None:
        return refusal(request, retry_after=wait)
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    applied = Applied(kept.checkin, kept.findings, fresh=True, errors=errors)
    # Only the safety answers were kept, whatever the form held: never "saved".
    body = _answer(request, patient, applied, rest_waits=True)
    body.update(error=refusal_message(wait), retry_after=wait)
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(wait)
    return response


def _payload(request, patient):
    try:
        data = json.loads(request.body)
        client_id = uuid.UUID(str(data["client_id"]))
        day = date.fromisoformat(str(data["day"]))
        fields = dict(data.get("fields") or {})
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Refused(_("This check-in could not be read. Please fill it in again.")) from error
    # The user's public id; the patient's is accepted from phones that queued before.
    if str(data.get("owner") or "") not in (str(request.user.public_id), str(patient.public_id)):
        raise NotYours(
            _(
                "This check-in was saved on this phone by someone else, so it was not sent. "
                "It waits on this phone until they sign in again."
            ),
            status=409,
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


def _labels(keys: list[str]) -> list[str]:
    form = CheckInForm()
    names = []
    for key in keys:
        group, _dot, code = key.partition(".")
        field = {"safety": f"safety_{code}", "symptoms": f"symptom_{code}"}.get(group, key)
        names.append(str(form.fields[field].label))
    return names


def _answer(request, patient, applied: Applied, *, rest_waits: bool = False) -> dict:
    merge = applied.merge
    template, context = screen(
        patient,
        applied.findings,
        saved=applied.checkin,
        kept_on_phone=bool(applied.errors) or rest_waits,
        from_phone=_labels(merge.from_phone) if merge else [],
        from_online=_labels(merge.from_online) if merge else [],
    )
    # Only the safety answers kept: say so, and never call the rest "saved".
    status = "saved" if applied.fresh else "already_received"
    if applied.errors or rest_waits:
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
