"""Recompute each clinic's own recovery band for the care team's pain charts, and write the
per-patient outcome rows a change outside the save paths left out of date (nightly)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker.outcomes.bands import min_patients, update_recovery_bands
from tracker.outcomes.upkeep import refresh_outcome_rows


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        filled = update_recovery_bands(timezone.localdate())
        self.stdout.write(
            f"Recovery bands recomputed; {filled} clinic(s) have weeks with at least "
            f"{min_patients()} patients."
        )
        written = refresh_outcome_rows()
        self.stdout.write(f"Outcome values written for {written} patient(s).")
