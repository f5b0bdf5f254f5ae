"""E-mail about flags, for the care team, and the silence reminder for patients.

E-mails leave the system, so they carry no clinical detail and no patient name: only "a flag
needs review" and a link (templates `flag_alert` and `flag_digest`, sent through
`tracker.messaging.emails`). Emergency and urgent flags are e-mailed at once; soon and review
flags go in a daily digest. Each e-mail is a `Notification` row that a worker claims with a
conditional UPDATE before sending, so two workers never send the same one; a failed send is
retried with back-off, given up after `MAX_ATTEMPTS`, and shown to the clinic admin.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from tracker.messaging import emails
from tracker.messaging.reminders import remind_once_today
from tracker.models import DeliveryStatus, Flag, Notification, Patient
from tracker.timeline import Level

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
IMMEDIATE_LEVELS = (Level.EMERGENCY.value, Level.URGENT.value)
SENDABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the n-th failure."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def queue_for_flags(patient: Patient, opened: list[Flag], *, escalated=()) -> None:
    """Notification rows for the care team (a few queries, whatever the number of flags).

    Emergency and urgent flags are sent once the save commits; an escalation is news, so
    those already told are told again.
    """
    team = list(patient.care_team.filter(is_active=True).values_list("pk", flat=True))
    rows = [
        Notification(flag=flag, recipient_id=pk, kind=kind_for(flag))
        for flag in opened
        for pk in team
    ]
    for flag in escalated:
        kind = kind_for(flag)
        Notification.objects.filter(flag=flag, kind=kind, status=DeliveryStatus.SENT).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        told = set(
            Notification.objects.filter(flag=flag, kind=kind).values_list("recipient_id", flat=True)
        )
        rows += [
            Notification(flag=flag, recipient_id=pk, kind=kind) for pk in team if pk not in told
        ]
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.kind == Notification.Kind.IMMEDIATE]
    if escalated:
        ids += list(
            Notification.objects.filter(
                flag__in=escalated, kind=Notification.Kind.IMMEDIATE, status=DeliveryStatus.PENDING
            ).values_list("pk", flat=True)
        )
    if ids:
        transaction.on_commit(lambda: [deliver_notification.enqueue(pk) for pk in sorted(set(ids))])


def kind_for(flag: Flag) -> str:
    if flag.level in IMMEDIATE_LEVELS:
        return Notification.Kind.IMMEDIATE
    return Notification.Kind.DIGEST


@task
def deliver_notification(notification_id: int) -> str:
    return deliver(notification_id)


def _claim(notification_id: int) -> bool:
    now = timezone.now()
    return bool(
        Notification.objects.filter(
            pk=notification_id, status__in=SENDABLE, next_attempt_at__lte=now
        ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1)
    )


def deliver(notification_id: int) -> str:
    """Send one immediate notification if it is due and nobody else has claimed it."""
    if not _claim(notification_id):
        return "skipped"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    return _send(notification, "flag_alert", {"link": inbox_link()})


def inbox_link() -> str:
    return settings.SITE_URL + reverse("triage-inbox")


def _send(notification: Notification, name: str, context: dict) -> str:
    try:
        emails.send(name, notification.recipient.email, context)
    except Exception as error:  # any failure of the mail server is retried
        gave_up = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification.pk).update(
            status=DeliveryStatus.GAVE_UP if gave_up else DeliveryStatus.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:1000],
            next_attempt_at=timezone.now() + backoff(notification.attempts),
        )
        logger.warning("Notification %s failed: %s", notification.pk, error)
        return "failed"
    Notification.objects.filter(pk=notification.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def send_due_immediate() -> dict[str, int]:
    """Send every immediate notification that is due (new or to retry). For the worker/cron."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    due = Notification.objects.filter(
        kind=Notification.Kind.IMMEDIATE,
        status__in=SENDABLE,
        next_attempt_at__lte=timezone.now(),
    ).values_list("pk", flat=True)
    for pk in list(due):
        counts[deliver(pk)] += 1
    return counts


def send_daily_digest() -> int:
    """One e-mail per staff member listing how many soon/review flags wait. Returns e-mails sent."""
    now = timezone.now()
    pending = pending_digest(now)
    return sum(send_digest_to(recipient_id, now) for recipient_id in digest_recipients(pending))


def pending_digest(now):
    """The digest notifications due at `now` (new, or failed and due for another try)."""
    return Notification.objects.filter(
        kind=Notification.Kind.DIGEST, status__in=SENDABLE, next_attempt_at__lte=now
    )


def digest_recipients(pending=None) -> list[int]:
    """The staff ids with a digest due, in order (the nightly digest is batched by these)."""
    pending = pending_digest(timezone.now()) if pending is None else pending
    return sorted(set(pending.values_list("recipient_id", flat=True)))


def send_digest_to(recipient_id: int, now) -> bool:
    """The digest for one member of staff, if one is due and no other worker claimed it:
    claimed with a conditional UPDATE, so sending it again never sends it twice."""
    pending = pending_digest(now)
    ids = list(pending.filter(recipient_id=recipient_id).values_list("pk", flat=True))
    claimed = Notification.objects.filter(pk__in=ids, status__in=SENDABLE).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    batch = Notification.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING)
    first = batch.select_related("recipient").first()
    context = {"count": batch.count(), "link": inbox_link()}
    try:
        emails.send("flag_digest", first.recipient.email, context)
    except Exception as error:
        batch.update(
            status=DeliveryStatus.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:1000],
            next_attempt_at=now + backoff(first.attempts),
        )
        return False
    batch.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return True


def send_silence_reminder(patient: Patient) -> None:
    """P12: a friendly nudge to the patient before any staff flag."""
    if not remind_once_today(patient):
        return  # the daily reminder went out today: one reminder a day is enough
    emails.queue("silence_reminder", patient.pk)


def silence_letter(patient_id: int) -> emails.Letter | None:
    """The worker's text for `send_silence_reminder` (nobody, if the patient has left)."""
    patient = (
        Patient.objects.filter(pk=patient_id, user__is_active=True)
        .select_related("user", "clinic")
        .first()
    )
    if patient is None:
        return None
    context = {
        "name": patient.user.full_name,
        "link": settings.SITE_URL + reverse("checkin"),
        "phone": patient.clinic.surgical_team_phone,
    }
    return emails.Letter(patient.user.email, context)


def failed_for_clinic(clinic_id: int):
    """Deliveries that failed, for the clinic admin's page (no clinical detail)."""
    return (
        Notification.objects.filter(recipient__clinic_id=clinic_id)
        .filter(Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.GAVE_UP))
        .select_related("recipient", "flag")
        .order_by("-created_at")
    )
