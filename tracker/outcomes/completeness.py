"""How complete a cohort's follow-up is: check-in days by week since surgery, and who is
silent now.

Week w after surgery holds post-operative days 7w to 7w + 6. A patient counts for a week once the
week is over (today's day is not yet "missed") and they were enrolled by its last day, or have
a check-in by then (a diary imported from before enrolment counts from its first day). Counting
happens in the database: one query groups the patients, one the check-ins, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Least

from tracker.models import CheckIn, Patient, QuestionnaireResponse
from tracker.outcomes.expressions import DaysBetween
from tracker.rules import Thresholds

FOLLOW_UP_DAYS = 365  # [D] patients are followed for a year; later silence is not counted
WEEKS_SHOWN = 52


@dataclass(frozen=True)
class WeekCompleteness:
    week: int
    patients: int  # patients for whom the whole week has passed
    checkin_days: int

    @property
    def percent(self) -> float | None:
        possible = 7 * self.patients
        return None if not possible else 100 * self.checkin_days / possible


def _patients_by_days_over(patients: QuerySet[Patient], today: date) -> list[dict]:
    """Patients grouped by how many post-operative days are over (today not yet) and the day
    their follow-up started (enrolment, or an earlier first check-in)."""
    today_value = Value(today, output_field=DateField())
    first_record = Subquery(
        CheckIn.objects.filter(patient=OuterRef("pk")).order_by("day").values("day")[:1]
    )
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


def checkins_by_week(patients: QuerySet[Patient], today: date) -> list[WeekCompleteness]:
    """Share of possible check-in days recorded, week by week since surgery (weeks 0–51)."""
    today_value = Value(today, output_field=DateField())
    eligible = [0] * WEEKS_SHOWN
    for group in _patients_by_days_over(patients, today):
        first = max(group["first_day"], 0) // 7
        for week in range(first, min(group["days_over"] // 7, WEEKS_SHOWN)):
            eligible[week] += group["n"]
    days = (
        CheckIn.objects.filter(patient__in=patients.values("pk"), day__lt=today)
        .annotate(
            week=DaysBetween(F("day"), F("patient__surgery_date")) / 7,
            weeks_over=DaysBetween(today_value, F("patient__surgery_date")) / 7,
        )
        .filter(
            Q(week__lt=F("weeks_over")) & Q(week__lt=WEEKS_SHOWN),
            day__gte=F("patient__surgery_date"),
        )
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    )
    recorded = {row["week"]: row["n"] for row in days}
    last = max((week for week in range(WEEKS_SHOWN) if eligible[week]), default=-1)
    return [
        WeekCompleteness(week, eligible[week], recorded.get(week, 0)) for week in range(last + 1)
    ]


@dataclass(frozen=True)
class Silence:
    in_follow_up: int  # operated on within FOLLOW_UP_DAYS, surgery day passed
    silent: int  # past the P12 silence threshold now


def silent_now(patients: QuerySet[Patient], today: date, thresholds: Thresholds) -> Silence:
    """Patients in follow-up whose missed days reach §4 P12-SILENCE's threshold now.

    Missed days are the whole days since the last check-in (or since surgery, without one),
    today not included, as the rule counts them: ≥ silence_days_early up to day
    silence_early_until_day, ≥ silence_days_late after.
    """
    today_value = Value(today, output_field=DateField())
    post_op_day = DaysBetween(today_value, F("surgery_date"))
    in_follow_up = patients.annotate(post_op_day=post_op_day).filter(
        post_op_day__gt=0, post_op_day__lte=FOLLOW_UP_DAYS
    )
    # The last check-in by the (patient, day) index, one lookup per patient.
    last_day = Subquery(
        CheckIn.objects.filter(patient=OuterRef("pk")).order_by("-day").values("day")[:1]
    )
    figures = in_follow_up.annotate(
        missed=DaysBetween(today_value, Coalesce(last_day, F("surgery_date"))) - 1
    ).aggregate(
        in_follow_up=Count("pk"),
        silent=Count(
            "pk",
            filter=Q(
                post_op_day__lt=thresholds.silence_early_until_day,
                missed__gte=thresholds.silence_days_early,
            )
            | Q(
                post_op_day__gte=thresholds.silence_early_until_day,
                missed__gte=thresholds.silence_days_late,
            ),
        ),
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
    patients: QuerySet[Patient], today: date, schedules: dict, titles: dict[str, str]
) -> list[DuePoint]:
    """For each questionnaire with a schedule (§1.3), the share of patients who answered at each
    due point that is over, in the first FOLLOW_UP_DAYS: every period of a repeating one (PEG
    each week, PHQ-2 each fortnight; a questionnaire that contains it counts, as a PHQ-9 for the
    PHQ-2) and each milestone window (PHQ-9 at 6 and 12 weeks). A questionnaire offered only
    after another's answer (the PHQ-9 after a positive PHQ-2) has no calendar due point and is
    left out. One query for the patients and one per questionnaire."""
    groups = _patients_by_days_over(patients, today)
    rows: list[DuePoint] = []
    for code, schedule in schedules.items():
        codes = [code, *schedule.satisfied_by]
        windows: list[tuple[int, int]] = []
        if schedule.every_days:
            step = schedule.every_days
            windows += [(start, start + step - 1) for start in range(0, FOLLOW_UP_DAYS, step)]
        windows += [
            (max(0, day - schedule.window_days), day + schedule.window_days)
            for day in schedule.milestone_days
        ]
        windows = [window for window in windows if _due(groups, *window)]
        if not windows:
            continue
        answered = (
            QuestionnaireResponse.objects.filter(
                patient__in=patients.values("pk"), instrument__in=codes
            )
            .annotate(
                day_number=DaysBetween(F("day"), F("patient__surgery_date")),
                days_over=DaysBetween(
                    Value(today, output_field=DateField()), F("patient__surgery_date")
                ),
            )
            .aggregate(
                **{
                    f"w{index}": Count(
                        "patient",
                        distinct=True,
                        filter=Q(day_number__gte=first, day_number__lte=last, days_over__gt=last),
                    )
                    for index, (first, last) in enumerate(windows)
                }
            )
        )
        rows += [
            DuePoint(
                code,
                titles.get(code, code),
                first,
                last,
                _due(groups, first, last),
                answered[f"w{index}"],
            )
            for index, (first, last) in enumerate(windows)
        ]
    return rows
