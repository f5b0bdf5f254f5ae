"""Records of the nightly jobs, so an operator can see that they ran."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class JobRun(models.Model):
    """One run of a nightly job: when it started and finished, how many patients it went
    through, the flags it opened and the patients it failed on. A run that never finished
    keeps `finished_at` empty. No patient is named here."""

    EVALUATE_FLAGS = "evaluate_flags"

    job = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    patients = models.PositiveIntegerField(default=0)
    flags_opened = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "-finished_at"], name="jobrun_latest_idx")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
