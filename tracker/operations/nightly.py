"""The nightly jobs, fanned out: one task per batch of patients (of staff, for the digest).

`start_run` records a run (`JobRun`) and its batches (`JobBatch`, ranges of ids of
NIGHTLY_BATCH_SIZE); `dispatch` queues one `nightly_batch` task per batch, or works through
them in this process (`--inline`). Any number of workers, on any number of machines, take the
batches; the run is finished when its last batch is.

What makes a batch safe to run again, after a crash or a second delivery of its task:
- each patient's work is one transaction that begins by moving the batch's `done_through`
  past the patient (a conditional UPDATE, which locks the batch row until the commit): a
  second attempt skips whom the first finished, and two attempts at once take the patients
  one after the other (that UPDATE, the flag queries and BEGIN/COMMIT are the whole
  per-patient cost of the batch: the engine opens no savepoint inside this transaction);
- the flag engine keeps one active flag per rule per patient (a database constraint) and
  e-mails the care team only about a flag it opened; the P12 reminder is recorded once per
  silence; reminders and digests are claimed with a conditional UPDATE before they are sent.
So a re-run raises no flag twice and sends no e-mail twice. A lost reminder or digest (the
worker died between claiming and sending) is the trade made for never sending one twice.

A batch that raises is queued again, up to NIGHTLY_BATCH_ATTEMPTS attempts in all, then ended
as failed: its run counts it, and the patients it did not reach as failures, for the clinic
page and /healthz/ready. A batch whose worker died makes no more progress: `resume_stalled`
(`--resume` of each command) queues it again after NIGHTLY_BATCH_STALE_MINUTES.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from tracker.care.summary import refresh_summaries
from tracker.flags.engine import evaluate_patient, timelines_to_evaluate
from tracker.messaging.notifications import digest_recipients, send_digest_to
from tracker.messaging.reminders import claim_day, deliver_reminder, reminder_day
from tracker.models import CheckIn, JobRun, Patient, ReminderPreference
from tracker.models.operations import JobBatch

logger = logging.getLogger(__name__)

RQ_BACKEND = "django_tasks_rq.RQBackend"


def batch_size() -> int:
    return max(int(settings.NIGHTLY_BATCH_SIZE), 1)


def start_run(
    job: str, ids: Sequence[int], *, size: int | None = None, as_of: date | None = None
) -> JobRun:
    """Record a run of `job` over `ids` (sorted, distinct), split into batches of `size`."""
    ids = sorted(set(ids))
    size = size or batch_size()
    chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
    with transaction.atomic():
        run = JobRun.objects.create(job=job, batches=len(chunks), as_of=as_of)
        JobBatch.objects.bulk_create(
            JobBatch(run=run, number=n, first_id=c[0], last_id=c[-1], size=len(c))
            for n, c in enumerate(chunks, start=1)
        )
        if not chunks:  # nobody to go through: the run is complete as it starts
            run.finished_at = run.started_at
            run.save(update_fields=["finished_at"])
    return run


def dispatch(run: JobRun, *, inline: bool = False) -> None:
    """Queue a task per batch of `run`, or (`inline`) work through them here, in order."""
    batch_ids = list(run.batch_rows.order_by("number").values_list("pk", flat=True))
    for batch_id in batch_ids:
        if inline:
            while run_batch(batch_id) == "retry":
                pass
        else:
            nightly_batch.enqueue(batch_id)


@task
def nightly_batch(batch_id: int) -> str:
    """The queued half of `dispatch`: one batch; a failed attempt queues the next one."""
    outcome = run_batch(batch_id)
    if outcome == "retry":
        nightly_batch.enqueue(batch_id)
    return outcome


def run_batch(batch_id: int) -> str:
    """One attempt at a batch: "done", "already done", "failed" (no attempts left) or
    "retry" (this attempt failed and another is due)."""
    batch = JobBatch.objects.select_related("run").get(pk=batch_id)
    if batch.finished_at is not None:
        return "already done"
    JobBatch.objects.filter(pk=batch_id).update(
        attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    try:
        WORKS[batch.run.job](batch)
    except Exception as error:
        logger.exception("Nightly %s batch %s failed", batch.run.job, batch_id)
        attempts = JobBatch.objects.filter(pk=batch_id).values_list("attempts", flat=True).get()
        message = f"{type(error).__name__}: {error}"[:500]
        if attempts < settings.NIGHTLY_BATCH_ATTEMPTS:
            JobBatch.objects.filter(pk=batch_id).update(last_error=message)
            return "retry"
        end_batch(batch_id, error=message)
        return "failed"
    end_batch(batch_id)
    return "done"


def end_batch(batch_id: int, *, error: str = "") -> None:
    """Add the batch's counts to its run, once, and finish the run after its last batch.
    A failed batch counts the ids it did not reach as failures."""
    now = timezone.now()
    with transaction.atomic():
        ended = JobBatch.objects.filter(pk=batch_id, finished_at__isnull=True).update(
            finished_at=now, updated_at=now, failed=bool(error), last_error=error
        )
        if not ended:
            return  # another attempt ended it
        batch = JobBatch.objects.get(pk=batch_id)
        unreached = max(batch.size - batch.patients - batch.failures, 0) if error else 0
        JobRun.objects.filter(pk=batch.run_id).update(
            patients=F("patients") + batch.patients,
            flags_opened=F("flags_opened") + batch.flags_opened,
            sent=F("sent") + batch.sent,
            failures=F("failures") + batch.failures + unreached,
            batches_done=F("batches_done") + 1,
            batches_failed=F("batches_failed") + int(bool(error)),
        )
        JobRun.objects.filter(
            pk=batch.run_id, finished_at__isnull=True, batches_done__gte=F("batches")
        ).update(finished_at=now)


# A batch never started this long after its run began was lost from the queue (a Redis that
# lost its data); one merely waiting behind thousands of others is not touched before.
NEVER_STARTED_HOURS = 12


def resume_stalled(job: str, now=None) -> int:
    """Queue again the unfinished batches of `job` whose worker died: started, but with no
    progress for NIGHTLY_BATCH_STALE_MINUTES; or never started NEVER_STARTED_HOURS after their
    run began. Returns how many."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=settings.NIGHTLY_BATCH_STALE_MINUTES)
    lost = now - timedelta(hours=NEVER_STARTED_HOURS)
    stalled = list(
        JobBatch.objects.filter(run__job=job, finished_at__isnull=True)
        .filter(Q(attempts__gt=0, updated_at__lt=stale) | Q(attempts=0, run__started_at__lt=lost))
        .values_list("pk", flat=True)
    )
    for batch_id in stalled:
        # Touched first, so a second --resume before the worker starts does not queue it again.
        JobBatch.objects.filter(pk=batch_id).update(updated_at=now)
        nightly_batch.enqueue(batch_id)
    return len(stalled)


def _pending(batch: JobBatch) -> Q:
    """The patients of the batch that no attempt has dealt with yet."""
    done = batch.done_through
    return Q() if done is None else Q(pk__gt=done)


def _claim(batch_id: int, pk: int, **counts: int) -> bool:
    """Move the batch's progress past id `pk`, adding `counts`, unless an attempt already
    did: one UPDATE, which also locks the batch row until this transaction ends, so a second
    attempt running at the same time waits here and then finds `pk` done."""
    return bool(
        JobBatch.objects.filter(pk=batch_id)
        .filter(Q(done_through__isnull=True) | Q(done_through__lt=pk))
        .update(
            done_through=pk,
            updated_at=timezone.now(),
            **{name: F(name) + value for name, value in counts.items() if value},
        )
    )


def _once_per_id(
    batch: JobBatch, pk: int, work: Callable[[], dict[str, int]], **claimed: int
) -> None:
    """Do `work` for id `pk` in one transaction with the batch's progress (and `claimed`
    counts), unless an attempt already did; what `work` returns is added to the batch's
    counts in the same transaction. A fault in it is logged and counted, and the batch goes
    on; the database itself failing fails the batch, which is then tried again."""
    try:
        with transaction.atomic():
            if not _claim(batch.pk, pk, **claimed):
                return
            counts = {name: value for name, value in work().items() if value}
            if counts:
                JobBatch.objects.filter(pk=batch.pk).update(
                    **{name: F(name) + value for name, value in counts.items()}
                )
    except Exception:
        # One patient's fault must not stop everyone else's (P12 among them).
        logger.exception("Nightly %s failed for id %s", batch.run.job, pk)
        with transaction.atomic():
            _claim(batch.pk, pk, failures=1)


def evaluate_batch(batch: JobBatch) -> None:
    """Every flag rule, those that depend on time passing included, for the batch's patients,
    each as of their own today (or the run's --as-of); then their caseload summaries."""
    run = batch.run
    in_batch = Patient.objects.filter(pk__gte=batch.first_id, pk__lte=batch.last_id)
    # The clinic's thresholds come with each patient: no query per patient for them.
    patients = (
        in_batch.filter(_pending(batch))
        .select_related("user", "clinic", "clinic__thresholds")
        .order_by("pk")
    )
    # Each timeline holds only the days and questionnaires the rules read on the patient's
    # day, loaded for many patients at a time: not each patient's whole history.
    for patient, day, timeline in timelines_to_evaluate(
        patients, as_of=run.as_of, batch_size=batch_size()
    ):

        def evaluate(patient=patient, day=day, timeline=timeline) -> dict[str, int]:
            _findings, outcome = evaluate_patient(
                patient, day, timeline=timeline, include_time_rules=True
            )
            return {"flags_opened": len(outcome.opened), "sent": int(outcome.reminded)}

        _once_per_id(batch, patient.pk, evaluate, patients=1)
    # After the evaluation, in one pass for the batch (a constant number of queries per
    # batch): recomputing a summary twice writes the same row.
    refresh_summaries(in_batch.order_by("pk"), run.as_of)


def remind_batch(batch: JobBatch) -> None:
    """Queue today's check-in reminder for the batch's patients who are due (see
    tracker.messaging.reminders); `claim_day` makes each at most once a day."""
    now = timezone.now()
    preferences = list(
        ReminderPreference.objects.filter(
            paused=False,
            patient__user__is_active=True,
            patient_id__gte=batch.first_id,
            patient_id__lte=batch.last_id,
        )
        .select_related("patient")
        .order_by("patient_id")
    )
    due = {}
    for preference in preferences:
        day = reminder_day(
            now, preference.patient.time_zone, preference.time_of_day, preference.last_sent_on
        )
        if day is not None:
            due[preference.patient_id] = day
    checked_in = set(
        CheckIn.objects.filter(patient_id__in=list(due), day__in=set(due.values())).values_list(
            "patient_id", "day"
        )
    )
    for patient_id, day in due.items():
        if (patient_id, day) in checked_in:
            continue

        def remind(patient_id=patient_id, day=day) -> dict[str, int]:
            if not claim_day(patient_id, day):
                return {}
            enqueue_with_commit(deliver_reminder, patient_id, day.isoformat())
            return {"sent": 1}

        _once_per_id(batch, patient_id, remind)
    JobBatch.objects.filter(pk=batch.pk).update(patients=len(preferences))


def enqueue_with_commit(task_, *args) -> None:
    """Queue `task_` so that it exists exactly when this transaction commits: on the database
    queue the task row is written in the transaction itself; on a queue elsewhere (RQ) it is
    sent once the transaction has committed (a worker dying in between loses it: never twice).
    """
    if settings.TASKS["default"]["BACKEND"] == RQ_BACKEND:
        transaction.on_commit(lambda: task_.enqueue(*args), robust=True)
    else:
        task_.enqueue(*args)


def digest_batch(batch: JobBatch) -> None:
    """The daily digest for the batch's staff (ids). Each digest is claimed and marked sent
    in its own statements (tracker.messaging.notifications.send_digest_to), outside any
    transaction of ours: a claim rolled back after the e-mail left would send it twice."""
    now = timezone.now()
    for recipient_id in range_ids(digest_recipients(), batch):
        try:
            sent = send_digest_to(recipient_id, now)
        except Exception:
            logger.exception("Nightly digest failed for staff id %s", recipient_id)
            _claim(batch.pk, recipient_id, failures=1)
            continue
        _claim(batch.pk, recipient_id, sent=int(sent))


def range_ids(ids: list[int], batch: JobBatch) -> list[int]:
    done = batch.done_through or 0
    return [pk for pk in ids if batch.first_id <= pk <= batch.last_id and pk > done]


WORKS: dict[str, Callable[[JobBatch], None]] = {
    JobRun.EVALUATE_FLAGS: evaluate_batch,
    JobRun.SEND_REMINDERS: remind_batch,
    JobRun.DIGEST: digest_batch,
}


def evaluation_ids() -> list[int]:
    return list(Patient.objects.order_by("pk").values_list("pk", flat=True))


def reminder_ids() -> list[int]:
    return list(
        ReminderPreference.objects.filter(paused=False, patient__user__is_active=True)
        .order_by("patient_id")
        .values_list("patient_id", flat=True)
    )
