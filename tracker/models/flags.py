"""Flags: what the rules noticed, for the care team (clinical-reference §3, §4 lifecycle)."""

from __future__ import annotations

import uuid

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.charts.figures import FlagMarker
from tracker.timeline import LEVEL_ORDER, Level

from .people import Clinic, Patient, User


class FlagLevel(models.TextChoices):
    EMERGENCY = Level.EMERGENCY.value, _("Emergency")
    URGENT = Level.URGENT.value, _("Urgent")
    SOON = Level.SOON.value, _("Within 24 hours")
    REVIEW = Level.REVIEW.value, _("Review")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


ACTIVE_STATUSES = (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED)

# A patient's question to the care team travels as a flag of this id (not a clinical rule).
ASK_RULE = "ASK-QUESTION"


class FlagQuerySet(models.QuerySet["Flag"]):
    def triage_order(self) -> FlagQuerySet:
        """Emergency first, then urgent, soon, review; oldest first within a level."""
        return self.order_by("level_rank", "opened_at", "id")


class Flag(models.Model):
    """One rule's concern about one patient. Never deleted.

    At most one active (open or acknowledged) flag per rule per patient, enforced by a partial
    unique constraint; new evidence is added to it. After resolution the rule opens a new flag
    only on newer evidence.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="flags")
    rule_id = models.CharField(max_length=40)
    rule_version = models.PositiveSmallIntegerField(default=1)
    level = models.CharField(max_length=16, choices=FlagLevel.choices)
    level_rank = models.PositiveSmallIntegerField()  # 0 = emergency … 3 = review, for ordering
    status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    patient_message = models.TextField()
    clinician_explanation = models.TextField()
    reference = models.CharField(max_length=200)
    evidence = models.JSONField(default=list)  # list of {"date": ISO day, ...values}
    first_evidence_day = models.DateField()
    last_evidence_day = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    # Raised while importing the past: no notification was sent for it.
    raised_quietly = models.BooleanField(default=False)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["level_rank", "opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rule_id"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="one_active_flag_per_rule_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(level_rank__gte=0) & Q(level_rank__lt=len(LEVEL_ORDER)),
                name="flag_level_rank_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "level_rank", "opened_at"], name="flag_triage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.level}) for {self.patient}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def marker(self, href: str = "") -> FlagMarker:
        """This flag as drawn on the care team's charts, on its newest evidence day."""
        return FlagMarker(
            day=self.last_evidence_day,
            label=f"{self.rule_id} ({self.get_level_display()}, {self.get_status_display()})",
            level=self.level,
            href=href,
        )

    def acknowledge(self, by: User) -> bool:
        """Open → acknowledged. False when it was not open (acknowledged by someone else, or
        resolved): a conditional UPDATE, so two clicks make one acknowledgement. This
        instance shows the change when it was this call's."""
        now = timezone.now()
        values = {
            "status": FlagStatus.ACKNOWLEDGED,
            "acknowledged_at": now,
            "acknowledged_by": by,
            "updated_at": now,
        }
        changed = Flag.objects.filter(pk=self.pk, status=FlagStatus.OPEN).update(**values)
        if changed:
            for name, value in values.items():
                setattr(self, name, value)
        return bool(changed)

    def resolve(self, by: User, note: str) -> bool:
        """Open or acknowledged → resolved, with a note; acknowledges too if nobody had.
        False when it was already resolved. This instance shows the change."""
        now = timezone.now()
        with transaction.atomic():
            locked = Flag.objects.select_for_update().filter(pk=self.pk).first()
            if locked is None or locked.status == FlagStatus.RESOLVED:
                return False
            locked.status = FlagStatus.RESOLVED
            locked.resolved_at = now
            locked.resolved_by = by
            locked.resolution_note = note
            locked.updated_at = now
            fields = ["status", "resolved_at", "resolved_by", "resolution_note", "updated_at"]
            if locked.acknowledged_at is None:
                locked.acknowledged_at = now
                locked.acknowledged_by = by
                fields += ["acknowledged_at", "acknowledged_by"]
            locked.save(update_fields=fields)
        for name in fields:
            setattr(self, name, getattr(locked, name))
        return True


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed; will be retried")
    GAVE_UP = "gave_up", _("Failed; no more retries")


class Notification(models.Model):
    """One e-mail about a flag to one member of the care team (or the daily digest).

    Unique per (flag, recipient, kind): two workers can never send the same e-mail twice,
    because a worker sends only a row it claimed with a conditional UPDATE.
    """

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("Sent at once (emergency, urgent)")
        DIGEST = "digest", _("Daily digest (soon, review)")

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["flag", "recipient", "kind"], name="one_notification_per_flag_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} e-mail to {self.recipient} about {self.flag.rule_id}: {self.status}"


class PatientReminder(models.Model):
    """A friendly reminder sent to a patient (P12 silence: the patient hears first)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField()
    reason = models.CharField(max_length=40)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "day", "reason"], name="one_reminder_per_patient_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.patient} on {self.day} ({self.reason})"


class ClinicThresholds(models.Model):
    """A clinic's own values for the [D] thresholds of §4 (tighter only for emergencies)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="thresholds")
    values = models.JSONField(default=dict)  # Thresholds field name -> value

    def __str__(self) -> str:
        return f"Thresholds of {self.clinic}"


class ThresholdChange(models.Model):
    """Every change of a clinic threshold: who, when, old and new value."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="threshold_changes")
    name = models.CharField(max_length=60)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.old_value} → {self.new_value}"
