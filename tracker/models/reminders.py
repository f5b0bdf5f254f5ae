"""Daily check-in reminders: the patient's choice of time and channel, and push endpoints."""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Patient


class ReminderChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Notification on this phone")
    BOTH = "both", _("Both")


class ReminderPreference(models.Model):
    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    time_of_day = models.TimeField(default=time(19, 0))  # in the patient's time zone
    channel = models.CharField(
        max_length=8, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    paused = models.BooleanField(default=False)
    # The patient's local day of the last daily reminder: at most one a day.
    last_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Reminder for {self.patient} at {self.time_of_day:%H:%M}"


class PushSubscription(models.Model):
    """A browser's Web Push endpoint for a patient (VAPID keys come from settings)."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Push endpoint of {self.patient}"
