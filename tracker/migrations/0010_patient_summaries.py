"""The per-patient summary the caseload reads, filled for the patients already enrolled.

The rows are computed with this migration's own (historical) models and the summary's pure
`summary_values`, as of each patient's today; the nightly run and the first read after
midnight keep them current from then on.
"""

import zoneinfo
from collections import defaultdict
from datetime import timedelta
from itertools import batched

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import Least
from django.utils import timezone

from tracker.models.summaries import SUMMARY_DAYS, summary_values
from tracker.timeline import DayRecord


def fill_summaries(apps, schema_editor):
    Patient = apps.get_model("tracker", "Patient")
    CheckIn = apps.get_model("tracker", "CheckIn")
    ExerciseLog = apps.get_model("tracker", "ExerciseLog")
    Flag = apps.get_model("tracker", "Flag")
    PatientSummary = apps.get_model("tracker", "PatientSummary")
    now = timezone.now()
    patients = Patient.objects.only("pk", "surgery_date", "time_zone").order_by("pk")
    for batch in batched(patients.iterator(chunk_size=200), 200):
        ids = [patient.pk for patient in batch]
        days = {p.pk: timezone.localtime(now, zoneinfo.ZoneInfo(p.time_zone)).date() for p in batch}
        since = min(days.values()) - timedelta(days=SUMMARY_DAYS - 1)
        totals = {
            row["checkin_id"]: (row["done"], row["prescribed"])
            for row in ExerciseLog.objects.filter(
                checkin__patient_id__in=ids, checkin__day__gte=since
            )
            .values("checkin_id")
            .annotate(
                done=Sum(Least(F("sessions_done"), F("sessions_prescribed"))),
                prescribed=Sum("sessions_prescribed"),
            )
            .order_by()
        }
        records = defaultdict(list)
        rows = (
            CheckIn.objects.filter(patient_id__in=ids, day__gte=since)
            .order_by("patient_id", "day")
            .values_list("pk", "patient_id", "day", "back_pain", "leg_pain")
        )
        for pk, patient_id, day, back, leg in rows:
            done, prescribed = totals.get(pk, (None, None))
            records[patient_id].append(
                DayRecord(day, back, leg, exercise_done=done, exercise_prescribed=prescribed)
            )
        latest = dict(
            CheckIn.objects.filter(patient_id__in=ids)
            .values_list("patient_id")
            .annotate(last=Max("day"))
            .order_by()
        )
        flags = defaultdict(dict)
        for patient_id, level, n in (
            Flag.objects.filter(patient_id__in=ids, status__in=["open", "acknowledged"])
            .values_list("patient_id", "level")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            flags[patient_id][level] = n
        PatientSummary.objects.bulk_create(
            PatientSummary(
                patient_id=p.pk,
                **summary_values(p, records[p.pk], latest.get(p.pk), flags[p.pk], days[p.pk], now),
            )
            for p in batch
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0009_job_runs"),
    ]

    operations = [
        migrations.CreateModel(
            name="PatientSummary",
            fields=[
                (
                    "patient",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="summary",
                        serialize=False,
                        to="tracker.patient",
                    ),
                ),
                ("computed_for", models.DateField()),
                ("fresh_until", models.DateTimeField(db_index=True)),
                ("last_checkin", models.DateField(blank=True, null=True)),
                ("pain_trend", models.CharField(blank=True, default="", max_length=4)),
                ("adherence_done", models.PositiveIntegerField(default=0)),
                ("adherence_prescribed", models.PositiveIntegerField(default=0)),
                ("adherence_percent", models.FloatField(blank=True, null=True)),
                ("back_pain_days", models.JSONField(default=list)),
                ("leg_pain_days", models.JSONField(default=list)),
                ("open_flags", models.PositiveIntegerField(default=0)),
                ("emergency_flags", models.PositiveIntegerField(default=0)),
                ("urgent_flags", models.PositiveIntegerField(default=0)),
                ("soon_flags", models.PositiveIntegerField(default=0)),
                ("review_flags", models.PositiveIntegerField(default=0)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pain_trend__in", ["", "up", "down", "flat"])),
                        name="summary_pain_trend_values",
                    )
                ],
            },
        ),
        migrations.RunPython(fill_summaries, migrations.RunPython.noop, elidable=True),
    ]
