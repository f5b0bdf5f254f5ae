"""What the clinic-visit report says: plain data built from the trends, the flags, the
exercise logs and the notes of one patient over one period.

The period's end is "as of": every baseline, mean and score is what was known at its end.
Meaningful change is judged, drawn and worded by the clinic's §2 table (`thresholds_for`), as
the rules judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tracker.charts import patient_charts as trend_charts
from tracker.charts.figures import Chart, Period
from tracker.charts.svg import chart_svg
from tracker.flags.engine import thresholds_for
from tracker.models import Flag, Patient
from tracker.models.timelines import patient_timeline
from tracker.programmes.changes import exercise_sessions
from tracker.questionnaires.scoring import MEANINGFUL_CHANGE
from tracker.timeline import Timeline
from tracker.trends import series as trends
from tracker.trends.wording import (
    ChangeTable,
    MeasureChange,
    measure_change,
    pain_improved,
    score_improved,
    threshold_text,
)

# The charts of the report, in page order (names of tracker.charts.patient_charts.CHARTS).
REPORT_CHARTS = ("back-pain", "leg-pain", "walking", "peg", "mood", "adherence")
NOTES_SHOWN = 30


@dataclass(frozen=True)
class ReportChart:
    chart: Chart
    svg: SafeString


@dataclass(frozen=True)
class ExerciseRow:
    name: str
    adherence: trends.Adherence


@dataclass(frozen=True)
class Note:
    day: date
    text: str
    flagged: bool  # a flag's evidence is dated that day


@dataclass(frozen=True)
class Report:
    patient: Patient
    period: Period
    generated_at: datetime
    generated_by: str
    weeks_since_surgery: int
    days_since_surgery: int
    checkin_days: int
    measures: tuple[MeasureChange, ...]
    charts: tuple[ReportChart, ...]
    flags: tuple[Flag, ...]
    weekly_adherence: tuple[trends.WeekAdherence, ...]
    exercises: tuple[ExerciseRow, ...]
    notes: tuple[Note, ...]


QUESTIONNAIRES = (("peg", "PEG"), ("phq9", "PHQ-9"), ("odi", "ODI"))


def pain_row(
    timeline: Timeline,
    field: str,
    label: str,
    as_of: date,
    change_table: ChangeTable = MEANINGFUL_CHANGE,
) -> MeasureChange:
    base = trends.baseline(timeline, field)
    current = trends.latest_seven_day_mean(timeline, field, as_of)
    return measure_change(
        label,
        base,
        current,
        pain_improved(change_table),
        current_label=_("7-day average"),
        threshold=threshold_text(change_table["pain"]),
    )


def questionnaire_row(
    timeline: Timeline,
    code: str,
    label: str,
    as_of: date,
    change_table: ChangeTable = MEANINGFUL_CHANGE,
) -> MeasureChange:
    found = trends.scores(timeline, code, as_of)
    base = trends.questionnaire_baseline(timeline, code)
    current = (found[-1].day, float(found[-1].total)) if found else None
    if base is not None and current is not None and base[1].day == current[0]:
        current = None  # the only score is the baseline itself: nothing to compare yet
    return measure_change(
        label,
        None if base is None else base[0],
        current,
        score_improved(code, change_table),
        current_label=_("latest score"),
        threshold=threshold_text(change_table[code]),
    )


def measures(
    timeline: Timeline, as_of: date, change_table: ChangeTable = MEANINGFUL_CHANGE
) -> tuple[MeasureChange, ...]:
    rows = [
        pain_row(timeline, "back_pain", _("Back pain"), as_of, change_table),
        pain_row(timeline, "leg_pain", _("Leg pain"), as_of, change_table),
    ]
    rows.extend(
        questionnaire_row(timeline, code, label, as_of, change_table)
        for code, label in QUESTIONNAIRES
    )
    return tuple(rows)


def flags_in(patient: Patient, period: Period) -> list[Flag]:
    """Flags whose evidence falls in the period, most severe first."""
    return list(
        patient.flags.filter(
            first_evidence_day__lte=period.end, last_evidence_day__gte=period.start
        ).order_by("level_rank", "opened_at", "id")
    )


def notes_in(patient: Patient, period: Period, flags: list[Flag]) -> list[Note]:
    """The patient's own words in the period, newest first; days behind a flag are marked."""
    flagged = {
        item.get("date") for flag in flags for item in flag.evidence if isinstance(item, dict)
    }
    rows = (
        patient.checkins.filter(day__range=(period.start, period.end))
        .exclude(Q(note="") | Q(note__isnull=True))
        .order_by("-day")
        .values_list("day", "note")[:NOTES_SHOWN]
    )
    return [Note(day, note, day.isoformat() in flagged) for day, note in rows]


def build_report(
    patient: Patient,
    period: Period,
    *,
    generated_by: str,
    generated_at: datetime,
    timeline: Timeline | None = None,
) -> Report:
    """Everything the report shows for `patient` over `period` (inclusive), with meaningful
    change by the patient's clinic's §2 table."""
    timeline = (timeline or patient_timeline(patient)).until(period.end)
    change_table = thresholds_for(patient).meaningful_change
    flags = flags_in(patient, period)
    markers = [flag.marker() for flag in flags]
    charts = []
    for name in REPORT_CHARTS:
        chart = trend_charts.build_chart(
            name,
            timeline,
            period,
            flags=markers,
            care_team=True,
            change_table=change_table,
            clinic_bands=patient.clinic.own_recovery_band(),
        )
        if chart.has_data:
            charts.append(ReportChart(chart, chart_svg(chart)))
    weekly = [
        week for week in trends.weekly_adherence(timeline, period.end) if week.end >= period.start
    ]
    by_exercise = trends.adherence_by_exercise(
        exercise_sessions(patient, period.start, period.end), period.start, period.end
    )
    days = timeline.day_number(period.end)
    return Report(
        patient=patient,
        period=period,
        generated_at=generated_at,
        generated_by=generated_by,
        weeks_since_surgery=days // 7,
        days_since_surgery=days,
        checkin_days=len(trends.records_between(timeline, period.start, period.end)),
        measures=measures(timeline, period.end, change_table),
        charts=tuple(charts),
        flags=tuple(flags),
        weekly_adherence=tuple(weekly),
        exercises=tuple(ExerciseRow(name, value) for name, value in by_exercise.items()),
        notes=tuple(notes_in(patient, period, flags)),
    )
