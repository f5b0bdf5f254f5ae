"""The charts of a patient's trends: which series each chart shows, and how they are worded.

Every number comes from `tracker.trends.series`; these builders only lay the series out as a
`tracker.charts.figures.Chart` for a `Period`. The care team's charts add the §5
typical-recovery band and the flags, and are worded for clinicians. Meaningful-improvement
lines come from the clinic's §2 table (`change_table`, `Thresholds.meaningful_change`; the
reference values when none is given). Pure: a `Timeline` in, a `Chart` out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.charts.figures import Chart, FlagMarker, Kind, Period, Series
from tracker.questionnaires.scoring import MEANINGFUL_CHANGE, ChangeThreshold
from tracker.timeline import Timeline
from tracker.trends import series as trends
from tracker.trends import wording as summaries
from tracker.trends.wording import ChangeTable

# Colours pass WCAG AA contrast against white where they carry meaning on their own.
BACK_COLOR = "#0b5cad"
LEG_COLOR = "#7a3e9d"
WALK_COLOR = "#1d6b34"
BASELINE_COLOR = "#4a5360"
IMPROVEMENT_COLOR = "#1d6b34"
BAND_COLOR = "rgba(29, 107, 52, 0.14)"
CLINIC_BAND_COLOR = "rgba(11, 92, 173, 0.16)"
FLAG_COLORS = {"emergency": "#b00020", "urgent": "#c2410c", "soon": "#8a5a00", "review": "#4a5360"}
PALETTE = ("#0b5cad", "#7a3e9d", "#1d6b34", "#8a5a00", "#b00020", "#00707a", "#4a5360", "#c2410c")

PAIN_MAX = 10
FLAG_Y = 10.6  # flag markers sit above the 0-10 scale

# clinical-reference §5: typical recovery as % of baseline, by week since surgery [D]: a band
# drawn around the published averages (leg-pain relief in ~67 % before discharge, ~81 % at
# 2 weeks, ~91 % at 6 weeks, BASS 2011; pain 63 → 33/100 ≈ 52 % of baseline at 3 months and
# ~19/100 ≈ 30 % at 5 years, Fritsch 2017) [E]. Linear between weeks, held after the last.
TYPICAL_RECOVERY = (
    (1, 35, 85),
    (2, 30, 80),
    (6, 25, 70),
    (13, 25, 70),
    (52, 20, 65),
    (260, 15, 55),
)
TYPICAL_RECOVERY_SOURCE = gettext_lazy(
    "Typical recovery: population data (published averages after laminectomy, "
    "as % of this patient's baseline), not this clinic's patients"
)

# Short names of the §1.2 symptoms for legends at 360 px.
SYMPTOM_SHORT_NAMES = {
    "radiating_pain": gettext_lazy("Shooting leg pain"),
    "heat_cold_sensitivity": gettext_lazy("Heat or cold sensitivity"),
    "abnormal_sensation": gettext_lazy("Odd nerve feelings"),
    "leg_heaviness": gettext_lazy("Heavy legs"),
    "numbness_tingling": gettext_lazy("Numbness or tingling"),
    "leg_weakness": gettext_lazy("Leg weakness"),
    "muscle_spasm": gettext_lazy("Muscle spasms"),
    "incision_pain": gettext_lazy("Wound pain"),
    "constipation": gettext_lazy("Constipation"),
}


def typical_recovery_percent(day_number: int) -> tuple[float, float] | None:
    """(low, high) % of baseline expected on a post-operative day; None before day 1."""
    if day_number < 1:
        return None
    week = day_number / 7
    first = TYPICAL_RECOVERY[0]
    if week <= first[0]:
        return float(first[1]), float(first[2])
    for (w0, lo0, hi0), (w1, lo1, hi1) in zip(TYPICAL_RECOVERY, TYPICAL_RECOVERY[1:], strict=False):
        if week <= w1:
            share = (week - w0) / (w1 - w0)
            return lo0 + (lo1 - lo0) * share, hi0 + (hi1 - hi0) * share
    last = TYPICAL_RECOVERY[-1]
    return float(last[1]), float(last[2])


def improvement_note(level: float, threshold: ChangeThreshold) -> str:
    """The note under a meaningful-improvement line: its level and the §2 row it comes from."""
    values = {
        "level": summaries.number(level),
        "criteria": summaries.criteria_text(threshold),
        "source": summaries.threshold_source_text(threshold),
    }
    if threshold.points is not None and threshold.percent is not None:
        return (
            _(
                "Meaningful improvement: %(level)s or lower (%(criteria)s below the baseline, "
                "whichever comes first; %(source)s)."
            )
            % values
        )
    return (
        _(
            "Meaningful improvement: %(level)s or lower (%(criteria)s below the baseline; "
            "%(source)s)."
        )
        % values
    )


def period_days(period: Period) -> tuple[date, ...]:
    count = (period.end - period.start).days + 1
    return tuple(period.start + timedelta(days=n) for n in range(max(count, 0)))


# A clinic's own recovery band of one measure: {week: (p25, median, p75, patients)}.
ClinicBand = Mapping[int, tuple[float, float, float, int]]

# Builders ------------------------------------------------------------------------------------


def pain_chart(
    timeline: Timeline,
    field: str,
    period: Period,
    *,
    flags: Sequence[FlagMarker] = (),
    care_team: bool = False,
    change_table: ChangeTable = MEANINGFUL_CHANGE,
    clinic_band: ClinicBand | None = None,
) -> Chart:
    """Daily back or leg pain, its 7-day mean, the §2 baseline and meaningful-improvement line
    (the pain row of `change_table`).

    The care team's chart adds the flags and the §5 recovery band: the clinic's own
    (`clinic_band`, {week: (p25, median, p75, patients)}) in the weeks it covers, the
    population's typical recovery in the others.
    """
    names = {"back_pain": (_("Back pain"), BACK_COLOR), "leg_pain": (_("Leg pain"), LEG_COLOR)}
    title, color = names[field]
    days = period_days(period)
    daily = [
        value for _day, value in trends.daily_values(timeline, field, period.start, period.end)
    ]
    means = dict(trends.rolling_means(timeline, field, start=timeline.surgery_date, end=period.end))
    series = [
        Series("daily", _("Each day"), Kind.POINTS, tuple(daily), color),
        Series("mean", _("7-day average"), Kind.LINE, tuple(means.get(d) for d in days), color),
    ]
    notes = []
    baseline = trends.baseline(timeline, field)
    mcid = change_table["pain"]
    if baseline is not None:
        level = trends.improvement_level(baseline.value, mcid.points, mcid.percent)
        source = summaries.baseline_source_label(baseline.source)
        series.append(
            Series(
                "baseline",
                _("Baseline"),
                Kind.REFERENCE,
                (baseline.value,) * len(days),
                BASELINE_COLOR,
            )
        )
        notes.append(
            _("Baseline (%(source)s): %(value)s.")
            % {"source": source, "value": summaries.number(baseline.value)}
        )
        if baseline.value > 0:
            series.append(
                Series(
                    "improvement",
                    _("Meaningful improvement"),
                    Kind.REFERENCE,
                    (level,) * len(days),
                    IMPROVEMENT_COLOR,
                )
            )
            notes.append(improvement_note(level, mcid))
        if care_team and baseline.value > 0:
            bands, band_notes = _recovery_bands(timeline, days, baseline.value, clinic_band or {})
            series.extend(bands)
            notes.extend(band_notes)
    flags = [flag for flag in flags if period.start <= flag.day <= period.end]
    if flags:
        series.append(_flag_series(days, flags))
    return Chart(
        name=field.replace("_", "-"),
        title=title,
        y_title=_("0 = none, 10 = worst"),
        surgery=timeline.surgery_date,
        period=period,
        days=days,
        series=tuple(series),
        summary=summaries.pain_sentence(
            timeline, field, period.end, care_team=care_team, change_table=change_table
        ),
        notes=tuple(notes),
        y_range=(0, FLAG_Y + 0.6 if flags else PAIN_MAX + 0.3),
    )


def _recovery_bands(
    timeline: Timeline, days: Sequence[date], baseline: float, clinic_band: ClinicBand
) -> tuple[list[Series], list[str]]:
    """The band series (high then low, for each band drawn) and their notes. A day whose week
    the clinic's band covers takes its interquartile range; any other day the population's."""
    clinic_lows, clinic_highs, lows, highs = [], [], [], []
    counts = []
    for day in days:
        number = timeline.day_number(day)
        own = clinic_band.get(number // 7) if number >= 0 else None
        population = None if own else typical_recovery_percent(number)
        clinic_lows.append(None if own is None else round(baseline * own[0] / 100, 2))
        clinic_highs.append(None if own is None else round(baseline * own[2] / 100, 2))
        lows.append(None if population is None else round(baseline * population[0] / 100, 2))
        highs.append(None if population is None else round(baseline * population[1] / 100, 2))
        if own is not None:
            counts.append(own[3])
    series, notes = [], []
    if counts:
        label = _("This clinic's patients (middle half)")
        series += [
            Series(
                "clinic-band-high", label, Kind.BAND_HIGH, tuple(clinic_highs), CLINIC_BAND_COLOR
            ),
            Series("clinic-band-low", label, Kind.BAND_LOW, tuple(clinic_lows), CLINIC_BAND_COLOR),
        ]
        notes.append(
            _(
                "This clinic's patients: the middle half of their pain in each week since "
                "surgery, as %% of each one's baseline (%(least)s to %(most)s patients a week)."
            )
            % {"least": min(counts), "most": max(counts)}
        )
    if any(value is not None for value in highs):
        label = _("Typical recovery (population data)")
        series += [
            Series("band-high", label, Kind.BAND_HIGH, tuple(highs), BAND_COLOR),
            Series("band-low", label, Kind.BAND_LOW, tuple(lows), BAND_COLOR),
        ]
        notes.append(str(TYPICAL_RECOVERY_SOURCE) + ".")
    return series, notes


def _flag_series(days: Sequence[date], flags: Sequence[FlagMarker]) -> Series:
    by_day: dict[date, list[FlagMarker]] = {}
    for flag in flags:
        by_day.setdefault(flag.day, []).append(flag)
    values, texts, links = [], [], []
    for day in days:
        found = by_day.get(day, [])
        values.append(FLAG_Y if found else None)
        texts.append("; ".join(flag.label for flag in found))
        links.append(found[0].href if found else "")
    order = list(FLAG_COLORS)
    worst = min(
        flags,
        key=lambda flag: order.index(flag.level) if flag.level in order else len(order),
        default=None,
    )
    color = FLAG_COLORS.get(worst.level if worst else "", BASELINE_COLOR)
    return Series("flags", _("Flags"), Kind.FLAGS, tuple(values), color, tuple(texts), tuple(links))


def walking_chart(timeline: Timeline, period: Period, *, care_team: bool = False) -> Chart:
    days = period_days(period)
    daily = trends.daily_values(timeline, "walking_minutes", period.start, period.end)
    means = dict(
        trends.rolling_means(
            timeline, "walking_minutes", start=timeline.surgery_date, end=period.end
        )
    )
    return Chart(
        name="walking",
        title=_("Longest walk"),
        y_title=_("minutes"),
        surgery=timeline.surgery_date,
        period=period,
        days=days,
        series=(
            Series("daily", _("Each day"), Kind.POINTS, tuple(v for _d, v in daily), WALK_COLOR),
            Series(
                "mean", _("7-day average"), Kind.LINE, tuple(means.get(d) for d in days), WALK_COLOR
            ),
        ),
        summary=summaries.walking_sentence(timeline, period.end, care_team=care_team),
    )


def symptoms_chart(timeline: Timeline, period: Period, *, care_team: bool = False) -> Chart:
    """Days with each symptom, per week since surgery (stacked bars)."""
    weeks = trends.weekly_symptom_days(timeline, period.start, period.end)
    codes = sorted({code for week in weeks for code in week.days})
    series = tuple(
        Series(
            code,
            str(SYMPTOM_SHORT_NAMES.get(code, code)),
            Kind.BARS,
            tuple(week.days.get(code, 0) for week in weeks),
            PALETTE[index % len(PALETTE)],
        )
        for index, code in enumerate(codes)
    )
    return Chart(
        name="symptoms",
        title=_("Symptoms"),
        y_title=_("days in the week"),
        surgery=timeline.surgery_date,
        period=period,
        days=tuple(trends.week_dates(timeline, week.week)[0] for week in weeks),
        series=series,
        summary=summaries.symptoms_sentence(weeks, SYMPTOM_SHORT_NAMES, care_team=care_team),
        y_range=(0, 7.3) if len(codes) <= 1 else None,
        stacked=True,
    )


def adherence_chart(timeline: Timeline, period: Period, *, care_team: bool = False) -> Chart:
    """Exercise sessions done, % of prescribed, per week (empty until a programme exists)."""
    weeks = [
        week
        for week in trends.weekly_adherence(timeline, as_of=period.end)
        if week.end >= period.start
    ]
    return Chart(
        name="adherence",
        title=_("Exercises done"),
        y_title=_("% of sessions"),
        surgery=timeline.surgery_date,
        period=period,
        days=tuple(week.start for week in weeks),
        series=(
            Series(
                "percent",
                _("Sessions done (%)"),
                Kind.BARS,
                tuple(
                    None if week.adherence.percent is None else round(week.adherence.percent)
                    for week in weeks
                ),
                WALK_COLOR,
            ),
        ),
        summary=summaries.adherence_sentence(weeks, care_team=care_team),
        y_range=(0, 100),
    )


def peg_chart(
    timeline: Timeline,
    period: Period,
    *,
    care_team: bool = False,
    change_table: ChangeTable = MEANINGFUL_CHANGE,
) -> Chart:
    """PEG scores with their baseline and the improvement line of the PEG row of
    `change_table` (§2: 30 % by analogy [D])."""
    found = [s for s in trends.scores(timeline, "peg") if period.start <= s.day <= period.end]
    days = tuple(score.day for score in found)
    series = [Series("peg", "PEG", Kind.LINE, tuple(float(s.total) for s in found), BACK_COLOR)]
    notes = []
    base = trends.questionnaire_baseline(timeline, "peg")
    if base is not None and days:
        value = base[0].value
        source = summaries.baseline_source_label(base[0].source)
        series.append(
            Series(
                "baseline",
                _("Baseline"),
                Kind.REFERENCE,
                (value,) * len(days),
                BASELINE_COLOR,
            )
        )
        notes.append(
            _("Baseline (%(source)s): %(value)s.")
            % {"source": source, "value": summaries.number(value)}
        )
        mcid = change_table["peg"]
        if value > 0:
            level = round(trends.improvement_level(value, mcid.points, mcid.percent), 2)
            series.append(
                Series(
                    "improvement",
                    _("Meaningful improvement"),
                    Kind.REFERENCE,
                    (level,) * len(days),
                    IMPROVEMENT_COLOR,
                )
            )
            notes.append(improvement_note(level, mcid))
    return Chart(
        name="peg",
        title=_("Pain and its effect on your life (PEG)"),
        y_title=_("0 = best, 10 = worst"),
        surgery=timeline.surgery_date,
        period=period,
        days=days,
        series=tuple(series),
        summary=summaries.peg_sentence(
            timeline, period.end, care_team=care_team, change_table=change_table
        ),
        notes=tuple(notes),
        y_range=(0, PAIN_MAX + 0.3),
    )


def mood_chart(timeline: Timeline, period: Period, *, care_team: bool = False) -> Chart:
    """PHQ-2 (0-6) and PHQ-9 (0-27) totals on the days they were answered."""
    found = {
        code: {s.day: float(s.total) for s in trends.scores(timeline, code)}
        for code in ("phq2", "phq9")
    }
    days = tuple(
        sorted({d for scores in found.values() for d in scores if period.start <= d <= period.end})
    )
    series = tuple(
        Series(code, label, Kind.LINE, tuple(found[code].get(d) for d in days), color)
        for code, label, color in (
            ("phq2", "PHQ-2", LEG_COLOR),
            ("phq9", "PHQ-9", BACK_COLOR),
        )
        if any(found[code].get(d) is not None for d in days)
    )
    return Chart(
        name="mood",
        title=_("Mood questionnaires"),
        y_title=_("score (lower is better)"),
        surgery=timeline.surgery_date,
        period=period,
        days=days,
        series=series,
        summary=summaries.mood_sentence(timeline, period.end, care_team=care_team),
        y_range=(0, 27),
    )


ChartBuilder = Callable[..., Chart]

# The series served by the chart data endpoints, in page order.
CHARTS: Mapping[str, ChartBuilder] = {
    "back-pain": lambda tl, period, **options: pain_chart(tl, "back_pain", period, **options),
    "leg-pain": lambda tl, period, **options: pain_chart(tl, "leg_pain", period, **options),
    "symptoms": symptoms_chart,
    "walking": walking_chart,
    "adherence": adherence_chart,
    "peg": peg_chart,
    "mood": mood_chart,
}


@dataclass(frozen=True)
class ChartReads:
    """What of a patient's timeline one chart reads: the `DayRecord` fields of every check-in
    (`day_fields`), each day's exercise sessions (`exercise`), the scores of these
    questionnaires (`instruments`). The chart data endpoints read only this (one query), and
    get the same chart as from the whole timeline (tests/charts)."""

    day_fields: tuple[str, ...] = ()
    exercise: bool = False
    instruments: tuple[str, ...] = ()


CHART_READS: Mapping[str, ChartReads] = {
    "back-pain": ChartReads(day_fields=("back_pain",)),
    "leg-pain": ChartReads(day_fields=("leg_pain",)),
    "symptoms": ChartReads(day_fields=("symptoms",)),
    "walking": ChartReads(day_fields=("walking_minutes",)),
    "adherence": ChartReads(exercise=True),
    "peg": ChartReads(instruments=("peg",)),
    "mood": ChartReads(instruments=("phq2", "phq9")),
}
# Only these charts draw the flags.
FLAGGED_CHARTS = frozenset({"back-pain", "leg-pain"})
# These charts draw a §2 meaningful-improvement line and judge change against it.
MEANINGFUL_CHANGE_CHARTS = frozenset({"back-pain", "leg-pain", "peg"})


def build_chart(
    name: str,
    timeline: Timeline,
    period: Period,
    *,
    flags: Sequence[FlagMarker] = (),
    care_team: bool = False,
    change_table: ChangeTable = MEANINGFUL_CHANGE,
    clinic_bands: Mapping[str, ClinicBand] | None = None,
) -> Chart:
    """The chart `name` (a key of CHARTS; KeyError otherwise). The care team's charts are
    worded for clinicians, and its pain charts carry the flags and the typical-recovery band.
    Improvement lines and sentences follow `change_table` (the clinic's §2 table)."""
    options: dict[str, Any] = {"care_team": care_team}
    if care_team and name in FLAGGED_CHARTS:
        options["flags"] = flags
        # The clinic's own recovery band, by measure ("back_pain", "leg_pain").
        options["clinic_band"] = (clinic_bands or {}).get(name.replace("-", "_"))
    if name in MEANINGFUL_CHANGE_CHARTS:
        options["change_table"] = change_table
    return CHARTS[name](timeline, period, **options)
