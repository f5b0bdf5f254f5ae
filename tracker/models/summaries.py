"""One row per patient holding what the caseload shows, kept in step with every save.

`PatientSummary` is derived data: everything in it can be recomputed from the patient's
check-ins, exercise logs and flags (`summary_values`), and `write_summaries` does exactly that
for a batch of patients in a constant number of queries. It is written:
- after each check-in is saved, inside the save's transaction (`tracker.checkins.recording`);
- when flags are opened or change level (`tracker.flags.engine.record_findings`) and whenever a
  flag row is saved (a resolution, a flag created directly), inside the same transaction,
  by `refresh_flag_counts`;
- every night, and on reading a row computed for an earlier day (`tracker.care.summary`).

The figures that depend on "today" (the 7-day pain trend, the 14-day exercise adherence and
the 14 days of pain drawn in the sparkline) are stored with the patient's day they were
computed for (`computed_for`) and the moment that day ends in the patient's time zone
(`fresh_until`), so "rows that are out of date" is one indexed comparison with now.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from itertools import batched

from django.db import models, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Least
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from tracker.timeline import LEVEL_ORDER, DayRecord, Level, Timeline
from tracker.trends.series import WINDOW_DAYS, adherence_between, pain_trend

from .checkins import CheckIn
from .flags import ACTIVE_STATUSES, Flag
from .people import Patient

# The sparkline's 14 days; they also hold both 7-day windows of the pain trend.
SUMMARY_DAYS = 2 * WINDOW_DAYS
# Exercise adherence over the last 2 weeks: the window P9-ADHERENCE judges (§4 P9), so the
# caseload's figure is the one the flag speaks of.
ADHERENCE_DAYS = 14
BATCH_SIZE = 200
LEVEL_FIELDS = {level: f"{level.value}_flags" for level in LEVEL_ORDER}


class PatientSummary(models.Model):
    """What the caseload shows of one patient (see the module docstring for when it is written).

    "Open" flags are the active ones, open or acknowledged, as the caseload has always counted
    them: acknowledging a flag changes nothing here, resolving it does.
    """

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    # The patient's day the day-dependent figures below were computed for, and the moment
    # that day ends (in the patient's time zone); from then on the row is out of date.
    computed_for = models.DateField()
    fresh_until = models.DateTimeField(db_index=True)
    last_checkin = models.DateField(null=True, blank=True)
    # "up", "down", "flat"; "" with too few check-ins (§4: 4 of each 7 days).
    pain_trend = models.CharField(max_length=4, blank=True, default="")
    # Exercise sessions done and prescribed in the 7 days ending `computed_for`.
    adherence_done = models.PositiveIntegerField(default=0)
    adherence_prescribed = models.PositiveIntegerField(default=0)
    adherence_percent = models.FloatField(null=True, blank=True)  # None: nothing prescribed
    # Back and leg pain of each of the 14 days ending `computed_for`, oldest first (None: no
    # check-in that day).
    back_pain_days = models.JSONField(default=list)
    leg_pain_days = models.JSONField(default=list)
    open_flags = models.PositiveIntegerField(default=0)
    emergency_flags = models.PositiveIntegerField(default=0)
    urgent_flags = models.PositiveIntegerField(default=0)
    soon_flags = models.PositiveIntegerField(default=0)
    review_flags = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_trend__in=["", "up", "down", "flat"]),
                name="summary_pain_trend_values",
            ),
        ]

    def __str__(self) -> str:
        return f"Summary of patient {self.patient_id} for {self.computed_for}"

    @property
    def flags_by_level(self) -> list[tuple[Level, int]]:
        """(level, count) for each level with an open flag, most severe first."""
        counts = [(level, getattr(self, LEVEL_FIELDS[level])) for level in LEVEL_ORDER]
        return [(level, n) for level, n in counts if n]


# The fields `summary_values` computes, which are all the table's values but the patient.
SUMMARY_FIELDS = [f.name for f in PatientSummary._meta.concrete_fields if f.name != "patient"]


def fresh_until(patient: Patient, day: date, now: datetime) -> datetime:
    """When figures computed for `day` stop being the patient's today's.

    The end of `day` in the patient's time zone; `now` when `day` is not the patient's today
    (a run "as of" another day), so the next read recomputes the row for the real today.
    """
    zone = zoneinfo.ZoneInfo(patient.time_zone)  # not `patient.zone`: migrations call this too
    if day != timezone.localtime(now, zone).date():
        return now
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def lock_patients(ids: Iterable[int]) -> None:
    """Lock these patients' rows until the end of the transaction, in id order.

    Every write of a summary holds its patient's lock (see `write_summaries`)."""
    list(Patient.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk").values("pk"))


def summary_values(
    patient: Patient,
    records: list[DayRecord],
    last_checkin: date | None,
    flag_counts: dict[str, int],
    today: date,
    now: datetime,
) -> dict:
    """The summary's values for `patient` on `today` (see PatientSummary for each field).

    Reads only the patient's `surgery_date` and `time_zone`, so the data migration can pass
    its historical model.

    `records` are the patient's check-ins of (at least) the 14 days ending `today`, oldest
    first, with their exercise totals; `flag_counts` the active flags per level value.
    """
    start = today - timedelta(days=SUMMARY_DAYS - 1)
    window = [r for r in records if start <= r.day <= today]
    timeline = Timeline(surgery_date=patient.surgery_date, days=tuple(window))
    adherence = adherence_between(timeline, today - timedelta(days=ADHERENCE_DAYS - 1), today)
    by_day = {record.day: record for record in window}
    days = [start + timedelta(days=n) for n in range(SUMMARY_DAYS)]
    counts = {LEVEL_FIELDS[level]: flag_counts.get(level.value, 0) for level in LEVEL_ORDER}
    return {
        "computed_for": today,
        "fresh_until": fresh_until(patient, today, now),
        "last_checkin": last_checkin,
        "pain_trend": pain_trend(timeline, today) or "",
        "adherence_done": adherence.done,
        "adherence_prescribed": adherence.prescribed,
        "adherence_percent": adherence.percent,
        "back_pain_days": [getattr(by_day.get(day), "back_pain", None) for day in days],
        "leg_pain_days": [getattr(by_day.get(day), "leg_pain", None) for day in days],
        "open_flags": sum(counts.values()),
        **counts,
        "updated_at": now,
    }


def write_summaries(
    patients: Iterable[Patient], today: date | None = None, now: datetime | None = None
) -> int:
    """Recompute and store the summaries of `patients`, as of `today` (None: each patient's
    own today). A constant number of queries per 200 patients, whatever their histories.

    Each batch first locks its patients' rows, then reads their data: a check-in saved at the
    same moment (its save locks the patient too, here) is either in what is read or writes its
    own row after this one, so a summary never goes back to older data.
    """
    now = now or timezone.now()
    written = 0
    for batch in batched(patients, BATCH_SIZE):
        # No savepoint inside a save's transaction: a failure here fails the save anyway.
        with transaction.atomic(savepoint=False):
            lock_patients([patient.pk for patient in batch])
            days = {patient.pk: today or patient.local_date(now) for patient in batch}
            rows = [
                PatientSummary(patient=patient, **values)
                for patient, values in _batch_values(list(batch), days, now)
            ]
            PatientSummary.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["patient"],
                update_fields=SUMMARY_FIELDS,
            )
        written += len(rows)
    return written


def _batch_values(patients: list[Patient], days: dict[int, date], now: datetime):
    ids = list(days)
    since = min(days.values()) - timedelta(days=SUMMARY_DAYS - 1)
    records: dict[int, list[DayRecord]] = defaultdict(list)
    # Each check-in with its exercise sessions, counted as `exercise_totals` counts them.
    rows = (
        CheckIn.objects.filter(patient_id__in=ids, day__gte=since)
        .values_list("patient_id", "day", "back_pain", "leg_pain")
        .annotate(
            done=Sum(
                Least(F("exercise_logs__sessions_done"), F("exercise_logs__sessions_prescribed"))
            ),
            prescribed=Sum("exercise_logs__sessions_prescribed"),
        )
        .order_by("patient_id", "day")
    )
    for patient_id, day, back, leg, done, prescribed in rows:
        records[patient_id].append(
            DayRecord(day, back, leg, exercise_done=done, exercise_prescribed=prescribed)
        )
    latest = _latest_checkins(records, days, since)
    flags = active_flag_counts(ids)
    for patient in patients:
        yield (
            patient,
            summary_values(
                patient,
                records[patient.pk],
                latest[patient.pk],
                flags[patient.pk],
                days[patient.pk],
                now,
            ),
        )


def _latest_checkins(
    records: dict[int, list[DayRecord]], days: dict[int, date], since: date
) -> dict[int, date | None]:
    """Each patient's latest check-in on or before their day: among the records already read
    (those since `since`) when there is one, else one query for the patients without."""
    latest: dict[int, date | None] = dict.fromkeys(days)
    for patient_id, today in days.items():
        earlier = [record.day for record in records[patient_id] if record.day <= today]
        if earlier:
            latest[patient_id] = earlier[-1]
    missing = [patient_id for patient_id, day in latest.items() if day is None]
    if missing:
        latest.update(
            CheckIn.objects.filter(patient_id__in=missing, day__lt=since)
            .values_list("patient_id")
            .annotate(last=Max("day"))
            .order_by()
        )
    return latest


def active_flag_counts(patient_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Open or acknowledged flags per patient and level value, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Flag.objects.filter(patient_id__in=list(patient_ids), status__in=ACTIVE_STATUSES)
        .values_list("patient_id", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for patient_id, level, n in rows:
        counts[patient_id][level] = n
    return counts


def refresh_flag_counts(patient_ids: Iterable[int]) -> None:
    """Store the active flag counts in these patients' summaries: one UPDATE after locking
    the patients (call inside the transaction that changed the flags). A patient without a
    summary row yet gets one at the next full computation, which counts the flags too."""

    def active(level: Level | None = None):
        flags = Flag.objects.filter(patient_id=OuterRef("patient_id"), status__in=ACTIVE_STATUSES)
        if level is not None:
            flags = flags.filter(level=level.value)
        count = flags.order_by().values("patient_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(count, output_field=models.IntegerField()), 0)

    ids = sorted(patient_ids)
    with transaction.atomic(savepoint=False):
        # The patients' locks first, as `write_summaries` takes them: one order everywhere.
        lock_patients(ids)
        PatientSummary.objects.filter(patient_id__in=ids).update(
            open_flags=active(), **{name: active(level) for level, name in LEVEL_FIELDS.items()}
        )


@receiver(post_save, sender=Flag, dispatch_uid="summary-flag-saved")
def _flag_saved(sender, instance: Flag, raw: bool = False, **kwargs) -> None:
    if raw:  # loading a fixture: the summaries are computed afterwards
        return
    # A resolution (`Flag.resolve`) and a flag created directly are saved one row at a
    # time; the engine's bulk writes call `refresh_flag_counts` itself.
    refresh_flag_counts([instance.patient_id])
