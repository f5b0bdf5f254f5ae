"""A clinic's own recovery band (clinical-reference §5 [D]), recomputed every night."""

from __future__ import annotations

from django.db import models

from .people import Clinic


class RecoveryBand(models.Model):
    """By week since surgery, the median and interquartile range of a clinic's patients' pain
    as a percentage of each one's baseline, for the weeks in which enough of them had data.

    `weeks` maps a measure ("back_pain", "leg_pain") to {week: [p25, median, p75, patients]};
    weeks with too few patients are absent, and the charts fall back to the population band.
    """

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="recovery_band")
    computed_on = models.DateField()
    min_patients = models.PositiveSmallIntegerField()
    weeks = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Recovery band of {self.clinic} ({self.computed_on})"

    def for_measure(self, measure: str) -> dict[int, tuple[float, float, float, int]]:
        """{week: (p25, median, p75, patients)} of one measure, with whole-number weeks."""
        return {
            int(week): (float(low), float(median), float(high), int(count))
            for week, (low, median, high, count) in self.weeks.get(measure, {}).items()
        }
