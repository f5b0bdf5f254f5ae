"""The patient's daily reminder settings, and the Web Push subscription of their browser."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tracker.auth.access import get_patient
from tracker.auth.roles import patient_required
from tracker.messaging.forms import ReminderForm
from tracker.messaging.push_endpoints import endpoint_allowed
from tracker.messaging.reminders import push_enabled
from tracker.models import PushSubscription, ReminderPreference


@patient_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    patient = get_patient(request, "reminders")
    preference = ReminderPreference.objects.filter(patient=patient).first()
    preference = preference or ReminderPreference(patient=patient)
    has_push = patient.push_subscriptions.exists()
    form = ReminderForm(request.POST or None, instance=preference, has_push=has_push)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("reminders")
    return render(
        request,
        "tracker/reminders/settings.html",
        {
            "patient": patient,
            "form": form,
            "has_push": has_push,
            "vapid_public_key": settings.WEBPUSH_VAPID_PUBLIC_KEY if push_enabled() else "",
        },
    )


@patient_required
@require_POST
def push_subscription(request):
    """JSON from PushManager.subscribe(): store it for this patient, or forget it."""
    patient = get_patient(request, "reminders")
    try:
        data = json.loads(request.body)
        endpoint = str(data["endpoint"])
        keys = data.get("keys") or {}
        keys = {"p256dh": str(keys.get("p256dh", "")), "auth": str(keys.get("auth", ""))}
    except (ValueError, KeyError, TypeError, AttributeError):
        return unreadable()
    if data.get("unsubscribe"):
        patient.push_subscriptions.filter(endpoint=endpoint).delete()
        return JsonResponse({"status": "removed"})
    if not endpoint_allowed(endpoint):
        return JsonResponse(
            {"error": _("This browser's notification service is not one Laminar can use.")},
            status=400,
        )
    return store_subscription(patient, endpoint, keys)


def unreadable() -> JsonResponse:
    return JsonResponse({"error": _("This subscription could not be read.")}, status=400)


def taken() -> JsonResponse:
    message = _(
        "This browser already sends reminders to another account. Turn notifications off "
        "there first, then try again."
    )
    return JsonResponse({"error": message}, status=409)


def store_subscription(patient, endpoint: str, keys: dict) -> JsonResponse:
    """Create or refresh the patient's own subscription; never take another patient's."""
    subscription = PushSubscription.objects.filter(endpoint=endpoint).first()
    if subscription is not None and subscription.patient_id != patient.pk:
        return taken()
    subscription = subscription or PushSubscription(patient=patient, endpoint=endpoint)
    subscription.p256dh, subscription.auth = keys["p256dh"], keys["auth"]
    subscription.last_error = ""
    try:
        subscription.full_clean(validate_unique=False)
    except ValidationError:
        return unreadable()
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:
        # Stored a moment ago by a second request: fine if it was this patient's.
        owner = PushSubscription.objects.filter(endpoint=endpoint).values("patient_id").first()
        if owner is None or owner["patient_id"] != patient.pk:
            return taken()
    return JsonResponse({"status": "subscribed"})
