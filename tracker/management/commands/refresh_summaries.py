"""Recompute every patient's caseload summary (or one patient's), as of their today.

The summaries are kept current by each save and flag change and recomputed nightly with the
flags (`evaluate_flags`); this recomputes them by hand, after data was loaded in bulk or to
repair one.
"""

from django.core.management.base import BaseCommand, CommandError

from tracker.care.summary import refresh_summaries
from tracker.models import Patient


class Command(BaseCommand):
    help = "Recompute the caseload summary of every patient, or of one (by e-mail address)."

    def add_arguments(self, parser):
        parser.add_argument("--patient", help="Only this patient (e-mail address).")

    def handle(self, *args, patient=None, **options):
        patients = Patient.objects.order_by("pk")
        if patient:
            patients = patients.filter(user__email=patient.lower())
            if not patients.exists():
                raise CommandError(f"No patient with the e-mail address {patient}.")
        written = refresh_summaries(patients.iterator(chunk_size=1000))
        self.stdout.write(f"Recomputed {written} patient summary(ies).")
