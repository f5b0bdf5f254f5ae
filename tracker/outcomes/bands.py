"""Computing a clinic's own recovery band (clinical-reference §5 [D]).

For each patient and each week since surgery (weeks 1–52; week w holds post-operative days
7w to 7w + 6) with at least `trend_min_days` recorded days, the week's mean back or leg pain as
a percentage of the patient's baseline (the baseline the rules and charts use; patients with a
baseline of 0 are left out). A week enters the band once RECOVERY_BAND_MIN_PATIENTS patients
(30 by default, the reference's figure) have such a value: its median and quartiles across
patients. Two queries per measure and clinic; the percentiles are taken over those rows,
night by night, never on a page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Avg, Count, F

from tracker.flags.engine import clinic_thresholds
from tracker.models import CheckIn, Clinic, Patient, RecoveryBand
from tracker.outcomes.expressions import DaysBetween
from tracker.outcomes.improvement import MEASURES, pain_baseline
from tracker.outcomes.statistics import percentile

LAST_WEEK = 52
PAIN_MEASURES = tuple(measure for measure in MEASURES if not measure.questionnaire)


def min_patients() -> int:
    return getattr(settings, "RECOVERY_BAND_MIN_PATIENTS", 30)


def weekly_percentages(clinic: Clinic, field: str, min_days: int) -> dict[int, list[float]]:
    """{week: [each patient's mean `field` that week as % of their baseline]}."""
    baselines = dict(
        Patient.objects.filter(clinic=clinic)
        .annotate(baseline=pain_baseline(field))
        .filter(baseline__gt=0)
        .values_list("pk", "baseline")
    )
    weeks = (
        CheckIn.objects.filter(patient__clinic=clinic, **{f"{field}__isnull": False})
        .annotate(week=DaysBetween(F("day"), F("patient__surgery_date")) / 7)
        .filter(week__gte=1, week__lte=LAST_WEEK, day__gte=F("patient__surgery_date"))
        .values("patient", "week")
        .annotate(mean=Avg(field), days=Count(field))
        .filter(days__gte=min_days)
        .order_by()
    )
    found: dict[int, list[float]] = defaultdict(list)
    for row in weeks:
        baseline = baselines.get(row["patient"])
        if baseline:
            found[row["week"]].append(100 * float(row["mean"]) / float(baseline))
    return found


def compute_band(clinic: Clinic) -> dict[str, dict[str, list[float]]]:
    """The band's `weeks` for the clinic (see RecoveryBand)."""
    least = min_patients()
    min_days = clinic_thresholds(clinic).trend_min_days
    band: dict[str, dict[str, list[float]]] = {}
    for measure in PAIN_MEASURES:
        weeks = {}
        for week, values in sorted(weekly_percentages(clinic, measure.field, min_days).items()):
            if len(values) >= least:
                weeks[str(week)] = [
                    round(percentile(values, 0.25), 1),
                    round(percentile(values, 0.5), 1),
                    round(percentile(values, 0.75), 1),
                    len(values),
                ]
        band[measure.field] = weeks
    return band


def update_recovery_bands(today: date) -> int:
    """Recompute every clinic's band; returns how many clinics have at least one week."""
    filled = 0
    for clinic in Clinic.objects.all():
        weeks = compute_band(clinic)
        RecoveryBand.objects.update_or_create(
            clinic=clinic,
            defaults={"computed_on": today, "min_patients": min_patients(), "weeks": weeks},
        )
        filled += any(weeks.values())
    return filled
