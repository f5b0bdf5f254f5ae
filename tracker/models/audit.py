"""The access log: who looked at which patient's data. Append-only."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .people import Patient, User


class AppendOnlyError(Exception):
    pass


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs):
        raise AppendOnlyError("The access log cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The access log cannot be deleted from.")


class AccessLog(models.Model):
    """One row per view or export of a patient's data by a member of staff.

    On PostgreSQL a trigger (migration 0002) also refuses UPDATE and DELETE, so the rule
    holds even for code that bypasses the ORM. `patient_ref` is the patient's public id,
    which stays after an erasure as a pseudonymous reference.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True
    )
    actor_label = models.CharField(max_length=250)
    patient = models.ForeignKey(
        Patient,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="access_log",
        null=True,
    )
    patient_ref = models.UUIDField(db_index=True)
    action = models.CharField(max_length=100)
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log cannot be deleted from.")
