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

Each patient's baseline and time-point values are kept in one row per patient
(tracker.models.outcome_points), so the figures add up those rows: before counting, the rows
that are missing or were computed with other windows are written, then one aggregate per
measure gives every time point's counts and median change, however many patients.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from tracker.models import Patient
from tracker.models.outcome_points import (
    PAIN_HALF_WINDOW,
    pain_baseline,
    point_windows,
    refresh_points,
    stale_points,
)
from tracker.outcomes.expressions import Median
from tracker.outcomes.statistics import wilson_interval
from tracker.rules import Thresholds

__all__ = ["PAIN_HALF_WINDOW", "pain_baseline"]  # shared with the recovery band


@dataclass(frozen=True)
class TimePoint:
    key: str
    label: str
    day: int  # post-operative day
    tolerance: int  # days either side for a questionnaire score


POINT_LABELS = {"6w": _("6 weeks"), "12w": _("12 weeks"), "6m": _("6 months"), "1y": _("1 year")}


def time_points(thresholds: Thresholds) -> tuple[TimePoint, ...]:
    """The four audit points, with the windows of the rules that read them (6 and 12 weeks:
    P3 and P4; 6 months and a year [D])."""
    return tuple(
        TimePoint(key, POINT_LABELS[key], day, tolerance)
        for key, day, tolerance in point_windows(thresholds)
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


def current_points(patients: QuerySet[Patient], thresholds: Thresholds) -> None:
    """Write the outcome rows of `patients` that are missing or were computed with other
    time-point windows than `thresholds`' (one query when none is)."""
    stale = stale_points(patients, thresholds)
    if stale.exists():
        refresh_points(stale, thresholds)


def _window_end(measure: Measure, point: TimePoint) -> int:
    return point.day + (point.tolerance if measure.questionnaire else PAIN_HALF_WINDOW)


def _stored(measure: Measure, point: TimePoint | None = None) -> str:
    """The patient's stored baseline (no point) or value at `point` of `measure`."""
    name = f"{measure.field}_baseline" if point is None else f"{measure.field}_{point.key}"
    return f"outcome_points__{name}"


def _conditions(
    measure: Measure, point: TimePoint, today: date, thresholds
) -> tuple[Q, Q, Q, ExpressionWrapper]:
    """(eligible, with data, improved, change) for one time point, as database conditions
    and the baseline − value expression. Written on the stored columns themselves (no
    annotation), which the database and the ORM both handle quickly."""
    # The time point's window is over: more days have passed since surgery than its last day.
    over = today - timedelta(days=_window_end(measure, point))
    eligible = Q(surgery_date__lt=over)
    baseline, value = _stored(measure), _stored(measure, point)
    with_data = eligible & Q(**{f"{baseline}__isnull": False, f"{value}__isnull": False})
    if not measure.questionnaire:
        # A 7-day mean counts with at least `trend_min_days` recorded days, as the rules ask.
        with_data &= Q(**{f"{value}_days__gte": thresholds.trend_min_days})
    change = ExpressionWrapper(F(baseline) - F(value), output_field=FloatField())
    threshold = thresholds.meaningful_change[measure.threshold]
    criteria = []
    if threshold.points is not None:
        criteria.append(Q(GreaterThanOrEqual(change, Value(threshold.points - 1e-9))))
    if threshold.percent is not None:
        share = ExpressionWrapper(
            F(baseline) * threshold.percent / 100.0 - 1e-9, output_field=FloatField()
        )
        criteria.append(Q(**{f"{baseline}__gt": 0}) & Q(GreaterThanOrEqual(change, share)))
    improved = with_data & reduce(operator.or_, criteria) if criteria else Q(pk__in=[])
    return eligible, with_data, improved, change


def _counted(
    patients: QuerySet[Patient], measures: tuple[Measure, ...], today: date, thresholds
) -> list[list[Outcome]]:
    """Each measure at every time point (a list per measure), in one aggregate query."""
    points = time_points(thresholds)
    aggregates = {}
    for measure in measures:
        for point in points:
            eligible, with_data, improved, change = _conditions(measure, point, today, thresholds)
            cell = f"{measure.key}_{point.key}"
            aggregates[f"eligible_{cell}"] = Count("pk", filter=eligible)
            aggregates[f"with_data_{cell}"] = Count("pk", filter=with_data)
            aggregates[f"improved_{cell}"] = Count("pk", filter=improved)
            aggregates[f"median_{cell}"] = Median(change, filter=with_data)
    figures = patients.order_by().aggregate(**aggregates)
    return [
        [
            Outcome(
                measure,
                point,
                figures[f"eligible_{measure.key}_{point.key}"],
                figures[f"with_data_{measure.key}_{point.key}"],
                figures[f"improved_{measure.key}_{point.key}"],
                figures[f"median_{measure.key}_{point.key}"],
            )
            for point in points
        ]
        for measure in measures
    ]


def measure_outcomes(
    patients: QuerySet[Patient],
    measure: Measure,
    today: date,
    thresholds,
    *,
    rows_current: bool = False,
) -> list[Outcome]:
    """The measure at every time point, in one aggregate query (`rows_current`: the caller
    has just written the patients' missing rows with `current_points`)."""
    if not rows_current:
        current_points(patients, thresholds)
    return _counted(patients, (measure,), today, thresholds)[0]


def outcome_table(
    patients: QuerySet[Patient], today: date, thresholds, *, rows_current: bool = False
) -> list[list[Outcome]]:
    """Rows by time point, columns by measure (MEASURES order): one query for them all."""
    if not rows_current:
        current_points(patients, thresholds)
    columns = _counted(patients, MEASURES, today, thresholds)
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
    patients: QuerySet[Patient],
    measure: Measure,
    point: TimePoint,
    today: date,
    thresholds,
    *,
    rows_current: bool = False,
) -> list[UnitShare]:
    """Each operating surgeon's patients with data and improved (one grouped query)."""
    if not rows_current:
        current_points(patients, thresholds)
    _eligible, with_data, improved, _change = _conditions(measure, point, today, thresholds)
    rows = (
        patients.exclude(surgeon=None)
        .values("surgeon__full_name", "surgeon")
        .annotate(with_data=Count("pk", filter=with_data), improved=Count("pk", filter=improved))
        .order_by("surgeon__full_name", "surgeon")
    )
    return [
        UnitShare(row["surgeon__full_name"], row["with_data"], row["improved"])
        for row in rows
        if row["with_data"]
    ]
