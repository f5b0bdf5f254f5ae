"""Daily check-in reminders: who is due, claiming the day, and sending (e-mail, Web Push).

`send_due_reminders` runs every 15 minutes (`manage.py send_reminders`). A patient is due when
their local time has passed their chosen time today, they have not checked in today, their
reminders are not paused and they have not been reminded today. The day is claimed with a
conditional UPDATE of `last_sent_on` before anything is queued, so two runs (or two workers)
never remind twice. The P12 silence reminder (tracker.flags.engine) shares the same daily claim:
a patient hears from us at most once a day.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.messaging import emails
from tracker.messaging.push_endpoints import endpoint_allowed
from tracker.models import (
    CheckIn,
    Patient,
    PushSubscription,
    ReminderChannel,
    ReminderPreference,
)

logger = logging.getLogger(__name__)


def reminder_day(now: datetime, zone: str, at: time, last_sent_on: date | None) -> date | None:
    """The patient's local day a reminder is due for at `now`, or None.

    `at` is a wall-clock time in `zone`. On the spring daylight-saving day a time that does
    not exist (01:30 in London) falls due an hour later by the new clock (02:30); on the
    autumn day a time that happens twice falls due the first time (`last_sent_on` stops the
    second).
    """
    local = now.astimezone(ZoneInfo(zone))
    today = local.date()
    if last_sent_on is not None and last_sent_on >= today:
        return None
    due_at = datetime.combine(today, at, tzinfo=ZoneInfo(zone))
    return today if now >= due_at else None


def claim_day(patient_id: int, day: date) -> bool:
    """Mark `day` as reminded for the patient; False when someone already did (one UPDATE)."""
    return bool(
        ReminderPreference.objects.filter(patient_id=patient_id)
        .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=day))
        .update(last_sent_on=day)
    )


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue one reminder for every patient due now. Returns how many were queued.

    A constant number of queries per batch of patients, plus one UPDATE per reminder sent.
    """
    now = now or timezone.now()
    preferences = (
        ReminderPreference.objects.filter(paused=False, patient__user__is_active=True)
        .select_related("patient")
        .order_by("pk")
    )
    queued = 0
    batch: list[tuple[ReminderPreference, date]] = []
    for preference in preferences.iterator(chunk_size=500):
        day = reminder_day(
            now, preference.patient.time_zone, preference.time_of_day, preference.last_sent_on
        )
        if day is not None:
            batch.append((preference, day))
        if len(batch) >= 500:
            queued += _queue(batch)
            batch = []
    return queued + _queue(batch)


def _queue(batch: list[tuple[ReminderPreference, date]]) -> int:
    if not batch:
        return 0
    done = set(
        CheckIn.objects.filter(
            patient_id__in=[p.patient_id for p, _day in batch],
            day__in={day for _p, day in batch},
        ).values_list("patient_id", "day")
    )
    queued = 0
    for preference, day in batch:
        if (preference.patient_id, day) in done or not claim_day(preference.patient_id, day):
            continue
        deliver_reminder.enqueue(preference.patient_id, day.isoformat())
        queued += 1
    return queued


@task
def deliver_reminder(patient_id: int, day: str) -> str:
    """Send one daily reminder (the day was claimed already). Nothing when the patient has
    checked in or paused meanwhile."""
    patient = Patient.objects.select_related("user", "clinic", "reminder_preference").get(
        pk=patient_id
    )
    preference = patient.reminder_preference
    if preference.paused or patient.checkins.filter(day=date.fromisoformat(day)).exists():
        return "skipped"
    pushed = False
    if preference.channel in (ReminderChannel.PUSH, ReminderChannel.BOTH):
        pushed = push_to_patient(patient) > 0
    if preference.channel != ReminderChannel.PUSH or not pushed:
        # E-mail is the channel, or the fallback when no phone could be reached.
        emails.send_from_task("checkin_reminder", patient.user.email, reminder_context(patient))
        return "email+push" if pushed else "email"
    return "push"


def reminder_context(patient: Patient) -> dict:
    """What the `checkin_reminder` e-mail says: a greeting and a link, nothing clinical."""
    return {"name": patient.user.full_name, "link": settings.SITE_URL + reverse("checkin")}


def push_enabled() -> bool:
    return bool(settings.WEBPUSH_VAPID_PUBLIC_KEY and settings.WEBPUSH_VAPID_PRIVATE_KEY)


def push_to_patient(patient: Patient) -> int:
    """A Web Push notification to each of the patient's subscribed browsers. Returns how
    many were accepted by their push service; gone subscriptions are deleted."""
    if not push_enabled():
        return 0
    from pywebpush import WebPushException, webpush

    payload = json.dumps(
        {
            "title": _("Time for your check-in"),
            "body": _("It takes about a minute."),
            "url": reverse("checkin"),
        }
    )
    accepted = 0
    for subscription in patient.push_subscriptions.all():
        if not endpoint_allowed(subscription.endpoint):
            # Stored before the allow-list existed, or the list has since narrowed: the
            # server must not be made to call an arbitrary address.
            logger.warning("Push endpoint %s is not an allowed push service", subscription.pk)
            continue
        info = {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        }
        try:
            webpush(
                info,
                payload,
                vapid_private_key=settings.WEBPUSH_VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
                ttl=6 * 60 * 60,
                timeout=10,
            )
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in (404, 410):  # the browser unsubscribed
                subscription.delete()
            else:
                PushSubscription.objects.filter(pk=subscription.pk).update(
                    last_error=str(error)[:1000]
                )
                logger.warning("Push to %s failed: %s", subscription.pk, error)
            continue
        accepted += 1
    return accepted


def remind_once_today(patient: Patient) -> bool:
    """For the P12 silence reminder: claim today's reminder. False when the daily reminder
    already went out today. Patients without reminder settings are always free to hear."""
    if not ReminderPreference.objects.filter(patient=patient).exists():
        return True
    return claim_day(patient.pk, patient.local_date())
