"""Daily run of the rules, for the ones that depend on time passing (P3-P6 milestones,
P12 silence). Cron, once a day after midnight in the clinic's time zone:

    15 1 * * *  cd /srv/laminar && .venv/bin/python manage.py evaluate_flags
"""

import logging
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker.flags.engine import evaluate_patient
from tracker.models import JobRun, Patient
from tracker.models.timelines import patient_timelines

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Evaluate every flag rule for each patient (or one), as of today or a given day."

    def add_arguments(self, parser):
        parser.add_argument("--patient", help="Only this patient (e-mail address).")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="Evaluate as if this day (YYYY-MM-DD) were today.",
        )

    def handle(self, *args, patient=None, as_of=None, **options):
        # The clinic's thresholds come with each patient: no query per patient for them.
        patients = Patient.objects.select_related("user", "clinic", "clinic__thresholds").order_by(
            "pk"
        )
        if patient:
            patients = patients.filter(user__email=patient.lower())
            if not patients.exists():
                raise CommandError(f"No patient with the e-mail address {patient}.")
        started = time.monotonic()
        # The nightly run over everyone is recorded (/healthz/ready reads it); one patient's
        # run by hand is not.
        run = None if patient else JobRun.objects.create(job=JobRun.EVALUATE_FLAGS)
        evaluated = opened = reminded = failures = 0
        for batch_patient, timeline in patient_timelines(patients):
            day = as_of or batch_patient.local_date()
            try:
                _findings, outcome = evaluate_patient(
                    batch_patient, day, timeline=timeline.until(day), include_time_rules=True
                )
            except Exception:
                # One patient's fault must not stop everyone else's flags (P12 among them).
                logger.exception("evaluate_flags failed for patient %s", batch_patient.pk)
                failures += 1
                continue
            evaluated += 1
            opened += len(outcome.opened)
            reminded += int(outcome.reminded)
        if run is not None:
            run.finished_at = timezone.now()
            run.patients, run.flags_opened, run.failures = evaluated, opened, failures
            run.save(update_fields=["finished_at", "patients", "flags_opened", "failures"])
        self.stdout.write(
            f"Evaluated {evaluated} patient(s) in {time.monotonic() - started:.1f} s: "
            f"{opened} new flag(s), {reminded} reminder(s) sent"
            + (f", {failures} patient(s) failed (see the log)." if failures else ".")
        )
        if failures:
            raise CommandError(f"{failures} patient(s) could not be evaluated.")
