"""Requests to erase a patient's account (GDPR erasure), confirmed by the clinic admin."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Clinic, Patient, User


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested by the patient")
    DONE = "done", _("Erased")
    CANCELLED = "cancelled", _("Cancelled")


class ErasureRequest(models.Model):
    """Kept after the erasure with only the patient's pseudonymous reference."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="erasure_requests")
    patient = models.ForeignKey(
        Patient, on_delete=models.SET_NULL, null=True, blank=True, related_name="erasure_requests"
    )
    patient_ref = models.UUIDField()  # the patient's public id, kept after erasure
    status = models.CharField(
        max_length=16, choices=ErasureStatus.choices, default=ErasureStatus.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Erasure {self.patient_ref} ({self.status})"
