"""How complete a cohort's follow-up is: check-in days by week since surgery, and who is
silent now.

Week w after surgery holds post-operative days 7w to 7w + 6. A patient counts for a week once the
week is over (today's day is not yet "missed") and they were enrolled by its last day, or have
a check-in by then (a diary imported from before enrolment counts from its first day). Counting
happens in the database over one row per patient (tracker.models.outcome_points: each week's
check-in days, the first and last check-in, each questionnaire's due points answered): one query
groups the patients, one adds up the weeks, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, DateField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Least
from django.db.models.lookups import GreaterThan

from tracker.flags.engine import clinic_thresholds
from tracker.models import Clinic, DuePointAnswers, Patient, QuestionnaireResponse
from tracker.models.outcome_points import (
    FOLLOW_UP_DAYS,
    WEEKS,
    due_windows,
    kept_schedules,
    refresh_due_points,
    refresh_points,
    stale_due_points,
    stale_points,
)
from tracker.outcomes.expressions import DaysBetween
from tracker.rules import Thresholds

WEEKS_SHOWN = WEEKS  # weeks 0–51: the year of follow-up (FOLLOW_UP_DAYS)


@dataclass(frozen=True)
class WeekCompleteness:
    week: int
    patients: int  # patients for whom the whole week has passed
    checkin_days: int

    @property
    def percent(self) -> float | None:
        possible = 7 * self.patients
        return None if not possible else 100 * self.checkin_days / possible


def present_points(patients: QuerySet[Patient]) -> None:
    """Write the outcome rows `patients` lack, each with its clinic's time-point windows (one
    query when none is missing). The figures here read only what any row holds alike."""
    missing = stale_points(patients, None)
    if missing.exists():
        for clinic in Clinic.objects.filter(patients__in=missing).distinct():
            refresh_points(missing.filter(clinic=clinic), clinic_thresholds(clinic))


def follow_up_groups(
    patients: QuerySet[Patient], today: date, *, rows_current: bool = False
) -> list[dict]:
    """Patients grouped by how many post-operative days are over (today not yet) and the day
    their follow-up started (enrolment, or an earlier first check-in): {"days_over",
    "first_day", "n"}, for `checkins_by_week` and `questionnaire_completion` to share."""
    if not rows_current:
        present_points(patients)
    today_value = Value(today, output_field=DateField())
    first_record = F("outcome_points__first_checkin")
    enrolled_day = DaysBetween(Cast("enrolled_at", DateField()), F("surgery_date"))
    return list(
        patients.filter(surgery_date__lt=today)
        .annotate(
            days_over=DaysBetween(today_value, F("surgery_date")),
            first_day=Least(
                enrolled_day,
                Coalesce(DaysBetween(first_record, F("surgery_date")), enrolled_day),
            ),
        )
        .values("days_over", "first_day")
        .annotate(n=Count("id"))
        .order_by()
    )


def checkins_by_week(
    patients: QuerySet[Patient],
    today: date,
    *,
    rows_current: bool = False,
    groups: list[dict] | None = None,
) -> list[WeekCompleteness]:
    """Share of possible check-in days recorded, week by week since surgery (weeks 0–51).
    `rows_current`: the caller has just written the patients' missing outcome rows; `groups`:
    their `follow_up_groups`, when the caller has them."""
    if groups is None:
        groups = follow_up_groups(patients, today, rows_current=rows_current)
    eligible = [0] * WEEKS_SHOWN
    for group in groups:
        first = max(group["first_day"], 0) // 7
        for week in range(first, min(group["days_over"] // 7, WEEKS_SHOWN)):
            eligible[week] += group["n"]
    # Each week's check-in days, added up over the patients for whom that week is over: the
    # patients grouped by their number of weeks over (at most 53 groups).
    weeks_over = Least(
        DaysBetween(Value(today, output_field=DateField()), F("surgery_date")) / 7,
        Value(WEEKS_SHOWN),
    )
    groups = (
        patients.filter(surgery_date__lt=today)
        .annotate(weeks_over=weeks_over)
        .values("weeks_over")
        .annotate(
            **{
                f"week_{week}": Sum(f"outcome_points__week_{week}_days")
                for week in range(WEEKS_SHOWN)
            }
        )
        .order_by()
    )
    recorded = [0] * WEEKS_SHOWN
    for group in groups:
        for week in range(group["weeks_over"]):
            recorded[week] += group[f"week_{week}"] or 0
    last = max((week for week in range(WEEKS_SHOWN) if eligible[week]), default=-1)
    return [WeekCompleteness(week, eligible[week], recorded[week]) for week in range(last + 1)]


@dataclass(frozen=True)
class Silence:
    in_follow_up: int  # operated on within FOLLOW_UP_DAYS, surgery day passed
    silent: int  # past the P12 silence threshold now


def silent_now(
    patients: QuerySet[Patient], today: date, thresholds: Thresholds, *, rows_current: bool = False
) -> Silence:
    """Patients in follow-up whose missed days reach §4 P12-SILENCE's threshold now.

    Missed days are the whole days since the last check-in (or since surgery, without one),
    today not included, as the rule counts them: ≥ silence_days_early up to day
    silence_early_until_day, ≥ silence_days_late after.
    """
    if not rows_current:
        present_points(patients)

    def days_ago(days: int) -> date:
        return today - timedelta(days=days)

    # As dates, which the database compares quickly: post-operative day d today means surgery
    # d days ago, and n whole days missed mean a last check-in (else surgery) n + 1 days ago.
    early = days_ago(thresholds.silence_early_until_day)
    figures = (
        patients.filter(surgery_date__lt=today, surgery_date__gte=days_ago(FOLLOW_UP_DAYS))
        .alias(last_seen=Coalesce(F("outcome_points__last_checkin"), F("surgery_date")))
        .aggregate(
            in_follow_up=Count("pk"),
            silent=Count(
                "pk",
                filter=Q(
                    surgery_date__gt=early,
                    last_seen__lte=days_ago(thresholds.silence_days_early + 1),
                )
                | Q(
                    surgery_date__lte=early,
                    last_seen__lte=days_ago(thresholds.silence_days_late + 1),
                ),
            ),
        )
    )
    return Silence(figures["in_follow_up"], figures["silent"])


@dataclass(frozen=True)
class DuePoint:
    """One due point of one questionnaire: a period of a repeating one, or a milestone."""

    instrument: str
    title: str
    first_day: int  # post-operative days, both included
    last_day: int
    patients: int  # patients for whom the due point is over
    completed: int  # of them, those who answered in it

    @property
    def percent(self) -> float | None:
        return None if not self.patients else 100 * self.completed / self.patients


def _due(groups: list[dict], first: int, last: int) -> int:
    """Patients for whom post-operative days first..last are over and followed up."""
    return sum(
        group["n"] for group in groups if group["days_over"] > last and group["first_day"] <= last
    )


def questionnaire_completion(
    patients: QuerySet[Patient],
    today: date,
    schedules: dict,
    titles: dict[str, str],
    *,
    rows_current: bool = False,
    groups: list[dict] | None = None,
) -> list[DuePoint]:
    """For each questionnaire with a schedule (§1.3), the share of patients who answered at each
    due point that is over, in the first FOLLOW_UP_DAYS: every period of a repeating one (PEG
    each week, PHQ-2 each fortnight; a questionnaire that contains it counts, as a PHQ-9 for the
    PHQ-2) and each milestone window (PHQ-9 at 6 and 12 weeks). A questionnaire offered only
    after another's answer (the PHQ-9 after a positive PHQ-2) has no calendar due point and is
    left out. One query for the patients, one for those whose rows of due points are missing
    (and one per questionnaire to write them, when some are), and one per questionnaire."""
    if groups is None:
        groups = follow_up_groups(patients, today, rows_current=rows_current)
    stale = stale_due_points(patients, schedules)
    if stale.exists():
        for code, schedule in kept_schedules(schedules).items():
            refresh_due_points(stale, code, schedule)
    rows: list[DuePoint] = []
    for code, schedule in schedules.items():
        windows = [
            (index, window)
            for index, window in enumerate(due_windows(schedule))
            if _due(groups, *window)
        ]
        if not windows:
            continue
        answered = _answered(patients, today, code, schedule, windows)
        rows += [
            DuePoint(
                code,
                titles.get(code, code),
                first,
                last,
                _due(groups, first, last),
                answered[f"w{index}"],
            )
            for index, (first, last) in windows
        ]
    return rows


def _answered(patients, today: date, code: str, schedule, windows) -> dict[str, int]:
    """{"w<i>": patients who answered due point i, among those for whom it is over}, from each
    patient's row of due points answered."""
    if code not in kept_schedules({code: schedule}):
        return _answered_from_responses(patients, today, code, schedule, windows)
    # "The due point is over": more days have passed since surgery than its last day.
    return DuePointAnswers.objects.filter(
        instrument=code, patient__in=patients.values("pk")
    ).aggregate(
        **{
            f"w{index}": Count(
                "pk",
                filter=Q(
                    GreaterThan(F("answered").bitand(1 << index), 0),
                    patient__surgery_date__lt=today - timedelta(days=last),
                ),
            )
            for index, (_first, last) in windows
        }
    )


def _answered_from_responses(patients, today, code, schedule, windows) -> dict[str, int]:
    """The same counts from the responses themselves, for a schedule with more due points than
    a row holds (a daily questionnaire)."""
    days_over = DaysBetween(Value(today, output_field=DateField()), F("patient__surgery_date"))
    return (
        QuestionnaireResponse.objects.filter(
            patient__in=patients.values("pk"), instrument__in=[code, *schedule.satisfied_by]
        )
        .annotate(day_number=DaysBetween(F("day"), F("patient__surgery_date")), days_over=days_over)
        .aggregate(
            **{
                f"w{index}": Count(
                    "patient",
                    distinct=True,
                    filter=Q(day_number__gte=first, day_number__lte=last, days_over__gt=last),
                )
                for index, (first, last) in windows
            }
        )
    )
