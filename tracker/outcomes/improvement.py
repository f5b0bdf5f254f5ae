"""Who reaches a meaningful improvement (§2) at 6 weeks, 12 weeks, 6 months and a year.

For each time point and measure, counted in the database over a cohort of patients:

- eligible: the time point's window is over (it ended before today);
- with data: a baseline and a value at the time point;
- improved: the value is better than the baseline by the clinic's §2 threshold (points or
  percent, whichever is met first; with a baseline of 0 only the points count).

The baseline is the one the rules and charts use (tracker.trends.series): for pain, the
pre-operative value, else the mean of the first 3 recorded days among post-operative days
1–14; for a questionnaire, the latest score before the day of surgery, else the first score of
the first 3 post-operative weeks. The value at a time point is, for pain, the mean of the
recorded days within 3 days either side of it (a 7-day mean; at least `trend_min_days`
recorded, as the trend rules need), and for a questionnaire the score closest to it within the
window the rules use (P3: ± 3 days at 6 weeks, P4: ± 7 days at 12 weeks; later ones [D]).

The queries are the same however many patients: one aggregate per measure gives every time
point's counts and median change.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from tracker.models import CheckIn, Patient, QuestionnaireResponse
from tracker.outcomes.expressions import DaysAfter, DaysBetween, Median
from tracker.outcomes.statistics import wilson_interval
from tracker.rules import Thresholds
from tracker.trends import series

PAIN_HALF_WINDOW = 3  # days either side: a 7-day mean


@dataclass(frozen=True)
class TimePoint:
    key: str
    label: str
    day: int  # post-operative day
    tolerance: int  # days either side for a questionnaire score


def time_points(thresholds: Thresholds) -> tuple[TimePoint, ...]:
    """The four audit points, with the windows of the rules that read them."""
    return (
        TimePoint(
            "6w", _("6 weeks"), thresholds.leg_check_day, thresholds.leg_check_tolerance_days
        ),
        TimePoint(
            "12w", _("12 weeks"), thresholds.function_check_day, thresholds.function_tolerance_days
        ),
        TimePoint("6m", _("6 months"), 182, 14),  # [D]
        TimePoint("1y", _("1 year"), 365, 28),  # [D]
    )


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    field: str  # check-in field, or questionnaire instrument code
    questionnaire: bool
    threshold: str  # key of the §2 table


MEASURES = (
    Measure("leg_pain", _("Leg pain"), "leg_pain", False, "pain"),
    Measure("back_pain", _("Back pain"), "back_pain", False, "pain"),
    Measure("peg", _("PEG"), "peg", True, "peg"),
    Measure("odi", _("ODI"), "odi", True, "odi"),
)


@dataclass(frozen=True)
class Outcome:
    """One cell of the table: one measure at one time point."""

    measure: Measure
    point: TimePoint
    eligible: int
    with_data: int
    improved: int
    median_change: float | None  # baseline − value: positive is better

    @property
    def share(self) -> float | None:
        return None if not self.with_data else self.improved / self.with_data

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.improved, self.with_data)

    @property
    def share_text(self) -> str:
        return share_text(self.improved, self.with_data)

    @property
    def interval_text(self) -> str:
        return interval_text(self.interval)


def share_text(improved: int, total: int) -> str:
    """E.g. "67 % (2/3)"; "–" with no patients."""
    if not total:
        return "–"
    return f"{round(100 * improved / total)} % ({improved}/{total})"


def interval_text(interval: tuple[float, float] | None) -> str:
    """E.g. "21–94 %"; "–" with none."""
    if interval is None:
        return "–"
    low, high = interval
    return f"{round(100 * low)}–{round(100 * high)} %"


def pain_baseline(field: str):
    """A patient's §2 pain baseline as a database expression: the pre-operative value, else
    the mean of the first 3 recorded days among post-operative days 1–14."""
    surgery = OuterRef(OuterRef("surgery_date"))
    first_days = (
        CheckIn.objects.filter(
            patient=OuterRef(OuterRef("pk")),
            day__gte=DaysAfter(surgery, series.BASELINE_FIRST_POSTOP_DAY),
            day__lte=DaysAfter(surgery, series.BASELINE_LAST_POSTOP_DAY),
            **{f"{field}__isnull": False},
        )
        .order_by("day")
        .values("pk")[: series.BASELINE_POSTOP_DAYS]
    )
    mean = (
        CheckIn.objects.filter(pk__in=first_days)
        .order_by()
        .values("patient")
        .annotate(mean=Avg(field))
        .values("mean")
    )
    pre_operative = {"leg_pain": "baseline_leg_pain", "back_pain": "baseline_back_pain"}[field]
    return Coalesce(Cast(pre_operative, FloatField()), Subquery(mean, output_field=FloatField()))


def _pain_value(field: str, point: TimePoint, min_days: int):
    surgery = OuterRef("surgery_date")
    mean = (
        CheckIn.objects.filter(
            patient=OuterRef("pk"),
            day__gte=DaysAfter(surgery, point.day - PAIN_HALF_WINDOW),
            day__lte=DaysAfter(surgery, point.day + PAIN_HALF_WINDOW),
            **{f"{field}__isnull": False},
        )
        .order_by()
        .values("patient")
        .annotate(mean=Avg(field), days=Count(field))
        .filter(days__gte=min_days)
        .values("mean")
    )
    return Subquery(mean, output_field=FloatField())


def _scores(instrument: str):
    return QuestionnaireResponse.objects.filter(
        patient=OuterRef("pk"), instrument=instrument
    ).annotate(post_op_day=DaysBetween(F("day"), F("patient__surgery_date")))


def _score_baseline(instrument: str):
    before = _scores(instrument).filter(post_op_day__lt=0).order_by("-day").values("total")[:1]
    early = (
        _scores(instrument)
        .filter(post_op_day__gte=0, post_op_day__lte=series.QUESTIONNAIRE_BASELINE_LAST_DAY)
        .order_by("day")
        .values("total")[:1]
    )
    return Coalesce(
        Subquery(before, output_field=FloatField()), Subquery(early, output_field=FloatField())
    )


def _score_value(instrument: str, point: TimePoint):
    closest = (
        _scores(instrument)
        .filter(
            post_op_day__gte=point.day - point.tolerance,
            post_op_day__lte=point.day + point.tolerance,
        )
        .annotate(distance=Abs(F("post_op_day") - point.day))
        .order_by("distance", "day")
        .values("total")[:1]
    )
    return Subquery(closest, output_field=FloatField())


def _annotated(
    patients: QuerySet[Patient],
    measure: Measure,
    points: tuple[TimePoint, ...],
    today: date,
    thresholds,
) -> QuerySet[Patient]:
    """The patients annotated with `post_op_today`, `baseline` and, per time point P,
    `value_P` and `change_P` (baseline − value)."""
    rows = patients.annotate(
        post_op_today=DaysBetween(Value(today, DateField()), F("surgery_date")),
        baseline=_score_baseline(measure.field)
        if measure.questionnaire
        else pain_baseline(measure.field),
    )
    for point in points:
        value = (
            _score_value(measure.field, point)
            if measure.questionnaire
            else _pain_value(measure.field, point, thresholds.trend_min_days)
        )
        rows = rows.annotate(**{f"value_{point.key}": value}).annotate(
            **{
                f"change_{point.key}": ExpressionWrapper(
                    F("baseline") - F(f"value_{point.key}"), output_field=FloatField()
                )
            }
        )
    return rows


def _window_end(measure: Measure, point: TimePoint) -> int:
    return point.day + (point.tolerance if measure.questionnaire else PAIN_HALF_WINDOW)


def _conditions(measure: Measure, point: TimePoint, thresholds) -> tuple[Q, Q, Q]:
    """(eligible, with data, improved) for one time point, as database conditions."""
    eligible = Q(post_op_today__gt=_window_end(measure, point))
    with_data = eligible & Q(baseline__isnull=False, **{f"value_{point.key}__isnull": False})
    threshold = thresholds.meaningful_change[measure.threshold]
    change = f"change_{point.key}"
    criteria = []
    if threshold.points is not None:
        criteria.append(Q(**{f"{change}__gte": threshold.points - 1e-9}))
    if threshold.percent is not None:
        share = F("baseline") * threshold.percent / 100.0 - 1e-9
        criteria.append(
            Q(baseline__gt=0, **{f"{change}__gte": ExpressionWrapper(share, FloatField())})
        )
    improved = with_data & reduce(operator.or_, criteria) if criteria else Q(pk__in=[])
    return eligible, with_data, improved


def measure_outcomes(
    patients: QuerySet[Patient], measure: Measure, today: date, thresholds
) -> list[Outcome]:
    """The measure at every time point, in one aggregate query."""
    points = time_points(thresholds)
    aggregates = {}
    for point in points:
        eligible, with_data, improved = _conditions(measure, point, thresholds)
        aggregates[f"eligible_{point.key}"] = Count("pk", filter=eligible)
        aggregates[f"with_data_{point.key}"] = Count("pk", filter=with_data)
        aggregates[f"improved_{point.key}"] = Count("pk", filter=improved)
        aggregates[f"median_{point.key}"] = Median(
            Case(When(with_data, then=F(f"change_{point.key}")), default=None)
        )
    figures = _annotated(patients, measure, points, today, thresholds).aggregate(**aggregates)
    return [
        Outcome(
            measure,
            point,
            figures[f"eligible_{point.key}"],
            figures[f"with_data_{point.key}"],
            figures[f"improved_{point.key}"],
            figures[f"median_{point.key}"],
        )
        for point in points
    ]


def outcome_table(patients: QuerySet[Patient], today: date, thresholds) -> list[list[Outcome]]:
    """Rows by time point, columns by measure (MEASURES order): one query per measure."""
    columns = [measure_outcomes(patients, measure, today, thresholds) for measure in MEASURES]
    return [list(row) for row in zip(*columns, strict=True)]


@dataclass(frozen=True)
class UnitShare:
    """One surgeon's point on the funnel plot."""

    name: str
    with_data: int
    improved: int

    @property
    def share(self) -> float:
        return self.improved / self.with_data

    @property
    def share_text(self) -> str:
        return share_text(self.improved, self.with_data)

    @property
    def interval_text(self) -> str:
        return interval_text(wilson_interval(self.improved, self.with_data))


def by_surgeon(
    patients: QuerySet[Patient], measure: Measure, point: TimePoint, today: date, thresholds
) -> list[UnitShare]:
    """Each operating surgeon's patients with data and improved (one grouped query)."""
    _eligible, with_data, improved = _conditions(measure, point, thresholds)
    rows = (
        _annotated(patients.exclude(surgeon=None), measure, (point,), today, thresholds)
        .values("surgeon__full_name", "surgeon")
        .annotate(with_data=Count("pk", filter=with_data), improved=Count("pk", filter=improved))
        .order_by("surgeon__full_name", "surgeon")
    )
    return [
        UnitShare(row["surgeon__full_name"], row["with_data"], row["improved"])
        for row in rows
        if row["with_data"]
    ]
