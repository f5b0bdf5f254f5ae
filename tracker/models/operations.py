"""Records of the nightly jobs, so an operator can see that they ran.

A run (`JobRun`) is split into batches (`JobBatch`), each a range of patient ids (of staff ids
for the digest) that one task works through. A batch records its progress patient by patient
(`done_through`), in the same transaction as that patient's work, so a batch run again after a
crash or a duplicate delivery resumes where it stopped and counts nothing twice. When a batch
ends it adds its counts to its run once (a conditional UPDATE claims the ending), and the run
is finished when its last batch is. No patient is named here.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class JobRun(models.Model):
    """One run of a nightly job: when it started and finished, how many patients it went
    through, the flags it opened, the reminders or e-mails it sent and the patients it failed
    on. A run that never finished keeps `finished_at` empty."""

    EVALUATE_FLAGS = "evaluate_flags"
    SEND_REMINDERS = "send_reminders"
    DIGEST = "digest"

    job = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    patients = models.PositiveIntegerField(default=0)
    flags_opened = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    # Reminders queued (send_reminders, P12 reminders of evaluate_flags) or digests sent.
    sent = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    batches_failed = models.PositiveIntegerField(default=0)
    # evaluate_flags --as-of: the day evaluated as if it were today (empty: each patient's own).
    as_of = models.DateField(null=True, blank=True)

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


class JobBatch(models.Model):
    """One task's share of a run: the ids from `first_id` to `last_id` (`size` of them when
    the run began). `done_through` is the last id dealt with, written in that id's own
    transaction; `finished_at` is set once, by whichever attempt ends the batch."""

    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="batch_rows")
    number = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    size = models.PositiveIntegerField()
    done_through = models.BigIntegerField(null=True, blank=True)
    patients = models.PositiveIntegerField(default=0)
    flags_opened = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    # When this batch last made progress: one that stops moving was lost with its worker.
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    failed = models.BooleanField(default=False)
    # The exception's class and message of the last failed attempt, for the operator: at
    # most ids, never a patient's details (the nightly code puts none in its errors).
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="one_batch_number_per_run")
        ]
        indexes = [
            models.Index(
                fields=["updated_at"],
                name="jobbatch_unfinished_idx",
                condition=models.Q(finished_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.run} batch {self.number}"
