"""How fast a clinic answers its alarms: time from an emergency or urgent flag opening to its
acknowledgement, by level and by month, and the longest still waiting.

Flags raised quietly (from imported or demo data, with no e-mail) were never alarms and are
left out. A flag resolved without being acknowledged first counts as acknowledged when it was
resolved (the model sets both). One query reads every alarm of the period; the figures are
worked out from those rows, so the cost follows the number of alarms, not of patients.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.models import Clinic, Flag, FlagLevel, Patient
from tracker.outcomes.statistics import percentile

ALARM_LEVELS = (FlagLevel.EMERGENCY, FlagLevel.URGENT)


@dataclass(frozen=True)
class ResponseTimes:
    """One row of the table: the alarms of one level (and month, or the whole period)."""

    level: str
    level_label: str
    month: date | None  # first day of the month; None for the whole period
    alarms: int
    acknowledged: int
    median_minutes: float | None
    p90_minutes: float | None
    waiting: int  # still open (not acknowledged) now
    longest_waiting_minutes: float | None

    @property
    def median_text(self) -> str:
        return duration_text(self.median_minutes)

    @property
    def p90_text(self) -> str:
        return duration_text(self.p90_minutes)

    @property
    def longest_waiting_text(self) -> str:
        return duration_text(self.longest_waiting_minutes)


def duration_text(minutes: float | None) -> str:
    """A duration as people say it: "45 min", "2 h 05 min", "3 d 4 h"; "–" for none."""
    if minutes is None:
        return "–"
    whole = round(minutes)
    if whole < 60:
        return _("%(m)d min") % {"m": whole}
    hours, rest = divmod(whole, 60)
    if hours < 24:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": rest}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


@dataclass(frozen=True)
class AlarmResponse:
    start: date
    end: date
    overall: list[ResponseTimes]  # one row per level
    by_month: list[ResponseTimes]  # one row per level and month with alarms, oldest first
    longest_waiting: Flag | None  # the alarm open longest now, if any


def alarm_response(
    clinic: Clinic,
    start: date,
    end: date,
    now: datetime | None = None,
    patients: QuerySet[Patient] | None = None,
) -> AlarmResponse:
    """The response times of `clinic`'s alarms opened from `start` to `end` (its own days),
    for all its patients or those of `patients`."""
    now = now or timezone.now()
    zone = ZoneInfo(clinic.time_zone)
    flags = Flag.objects.all() if patients is None else Flag.objects.filter(patient__in=patients)
    alarms = list(
        flags.filter(
            patient__clinic=clinic,
            level__in=ALARM_LEVELS,
            raised_quietly=False,
            opened_at__gte=datetime.combine(start, time.min, zone),
            opened_at__lt=datetime.combine(end + timedelta(days=1), time.min, zone),
        )
        .select_related("patient__user")
        .order_by("opened_at", "id")
    )
    by_level: dict[str, list[Flag]] = defaultdict(list)
    by_month: dict[tuple[str, date], list[Flag]] = defaultdict(list)
    for flag in alarms:
        local = flag.opened_at.astimezone(zone).date()
        by_level[flag.level].append(flag)
        by_month[(flag.level, local.replace(day=1))].append(flag)
    overall = [_row(level, None, by_level.get(level, []), now) for level in ALARM_LEVELS]
    months = [
        _row(level, month, flags, now)
        for (level, month), flags in sorted(
            by_month.items(), key=lambda item: (item[0][1], _rank(item[0][0]))
        )
    ]
    waiting = [flag for flag in alarms if flag.acknowledged_at is None]
    longest = min(waiting, key=lambda flag: flag.opened_at, default=None)
    return AlarmResponse(start, end, overall, months, longest)


def _rank(level: str) -> int:
    return [str(choice) for choice in ALARM_LEVELS].index(level)


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def _row(level: str, month: date | None, flags: list[Flag], now: datetime) -> ResponseTimes:
    answered = [
        _minutes(flag.opened_at, flag.acknowledged_at) for flag in flags if flag.acknowledged_at
    ]
    waiting = [_minutes(flag.opened_at, now) for flag in flags if flag.acknowledged_at is None]
    return ResponseTimes(
        level=str(level),
        level_label=str(FlagLevel(level).label),
        month=month,
        alarms=len(flags),
        acknowledged=len(answered),
        median_minutes=percentile(answered, 0.5),
        p90_minutes=percentile(answered, 0.9),
        waiting=len(waiting),
        longest_waiting_minutes=max(waiting, default=None),
    )
