"""Daily run of the rules, for the ones that depend on time passing (P3-P6 milestones,
P12 silence). Cron, once a day after midnight in the clinic's time zone:

    15 1 * * *   cd /srv/laminar && .venv/bin/python manage.py evaluate_flags
    45 * * * *   cd /srv/laminar && .venv/bin/python manage.py evaluate_flags --resume

The run is queued as one task per batch of NIGHTLY_BATCH_SIZE patients, for the task
workers (tracker.operations.nightly); `--inline` works through them in this process instead.
`--resume` queues again the batches of a run whose worker died.
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.flags.engine import evaluate_patient
from tracker.models import JobRun, Patient
from tracker.models.timelines import patient_timelines
from tracker.operations import nightly


class Command(BaseCommand):
    help = "Evaluate every flag rule for each patient (or one), as of today or a given day."

    def add_arguments(self, parser):
        parser.add_argument("--patient", help="Only this patient (e-mail address), here and now.")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="Evaluate as if this day (YYYY-MM-DD) were today.",
        )
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Evaluate every batch in this process instead of queueing them for the workers.",
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Only queue again the batches of earlier runs whose worker stopped.",
        )

    def handle(self, *args, patient=None, as_of=None, inline=False, resume=False, **options):
        if resume:
            count = nightly.resume_stalled(JobRun.EVALUATE_FLAGS)
            self.stdout.write(f"{count} stalled batch(es) queued again.")
            return
        if patient:
            self.evaluate_one(patient, as_of)
            return
        started = time.monotonic()
        # The nightly run over everyone is recorded (/healthz/ready reads it); one patient's
        # run by hand is not.
        run = nightly.start_run(JobRun.EVALUATE_FLAGS, nightly.evaluation_ids(), as_of=as_of)
        nightly.dispatch(run, inline=inline)
        run.refresh_from_db()
        if run.finished_at is None:  # the workers have it; they record their progress on it
            self.stdout.write(
                f"Queued {run.batches} batch(es) of up to {nightly.batch_size()} patient(s) "
                f"(run {run.pk})."
            )
            return
        self.stdout.write(
            f"Evaluated {run.patients} patient(s) in {time.monotonic() - started:.1f} s: "
            f"{run.flags_opened} new flag(s), {run.sent} reminder(s) sent"
            + (f", {run.failures} patient(s) failed (see the log)." if run.failures else ".")
        )
        if run.failures:
            raise CommandError(f"{run.failures} patient(s) could not be evaluated.")

    def evaluate_one(self, email: str, as_of: date | None) -> None:
        patient = (
            Patient.objects.select_related("user", "clinic", "clinic__thresholds")
            .filter(user__email=email.lower())
            .first()
        )
        if patient is None:
            raise CommandError(f"No patient with the e-mail address {email}.")
        day = as_of or patient.local_date()
        _patient, timeline = next(iter(patient_timelines([patient])))
        with transaction.atomic():
            _findings, outcome = evaluate_patient(
                patient, day, timeline=timeline.until(day), include_time_rules=True
            )
        self.stdout.write(
            f"Evaluated 1 patient: {len(outcome.opened)} new flag(s), "
            f"{int(outcome.reminded)} reminder(s) sent."
        )
