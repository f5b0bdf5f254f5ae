"""Plain-language summaries of a patient's trends, and the care team's one-screen summary.

The wording is encouraging but honest: it says what the numbers say, compares with the §2
baseline (and says which baseline), and never claims a change the data does not show. Every
number comes from `tracker.trends.series`; what counts as a meaningful change comes from the
clinic's §2 table (`change_table`, `Thresholds.meaningful_change`; the reference values of
`scoring.MEANINGFUL_CHANGE` when none is given). Pure: a `Timeline` in, text or plain data out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker.questionnaires.scoring import MEANINGFUL_CHANGE, ChangeThreshold, meaningful_change
from tracker.timeline import Timeline
from tracker.trends import series as trends

# A change smaller than this share of the baseline is reported as "about the same".
ABOUT_THE_SAME_PERCENT = 5


def number(value: float) -> str:
    """7 → "7", 4.44 → "4.4", 6.0 → "6"."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


ChangeTable = Mapping[str, ChangeThreshold]


def threshold_text(threshold: ChangeThreshold) -> str:
    """A §2 threshold as clinicians read it, e.g. "≥ 2 points or ≥ 30 % (§2, Ostelo 2008 [E])";
    a clinic's own value is shown as such, next to the reference value."""
    return _("%(criteria)s (%(source)s)") % {
        "criteria": criteria_text(threshold),
        "source": threshold_source_text(threshold),
    }


def criteria_text(threshold: ChangeThreshold) -> str:
    """E.g. "≥ 2 points or ≥ 30 %": the values in use."""
    return _criteria_text(threshold.points, threshold.percent)


def threshold_source_text(threshold: ChangeThreshold) -> str:
    """Where the values in use come from: "§2, Ostelo 2008 [E]", or the clinic's setting with
    the reference value next to it."""
    if not threshold.clinic_setting:
        return _("§2, %(source)s") % {"source": threshold.source}
    return _("clinic setting; §2: %(reference)s, %(source)s") % {
        "reference": _criteria_text(threshold.reference_points, threshold.reference_percent),
        "source": threshold.source,
    }


def _criteria_text(points: float | None, percent: float | None) -> str:
    parts = []
    if points is not None:
        parts.append(_("≥ %(points)s points") % {"points": number(points)})
    if percent is not None:
        parts.append(_("≥ %(percent)s %%") % {"percent": number(percent)})
    return _(" or ").join(parts)


def pain_improved(table: ChangeTable) -> Callable[[float, float], bool]:
    """`meaningful(baseline, 7-day mean)` for pain by the table's pain row (§2)."""
    mcid = table["pain"]
    return lambda base, current: trends.meaningful_improvement(
        base, current, mcid.points, mcid.percent
    )


def score_improved(code: str, table: ChangeTable) -> Callable[[float, float], bool]:
    """`meaningful(baseline, score)` for a questionnaire by the table's row (§2)."""
    return lambda base, current: meaningful_change(code, base, current, table).improved


def baseline_source_label(source: str) -> str:
    """Which baseline was used (§2: clinicians see which one)."""
    return {
        trends.PRE_OPERATIVE: _("pre-operative"),
        trends.FIRST_POSTOP_DAYS: _("mean of the first 3 check-ins of post-operative days 1–14"),
        trends.FIRST_POSTOP_SCORE: _("first post-operative score"),
    }.get(source, source)


def _compared_with(source: str) -> str:
    if source == trends.PRE_OPERATIVE:
        return _("before surgery")
    if source == trends.FIRST_POSTOP_DAYS:
        return _("in your first days after surgery")
    return _("in your first questionnaire")


def pain_sentence(
    timeline: Timeline,
    field: str,
    as_of: date,
    *,
    care_team: bool = False,
    change_table: ChangeTable = MEANINGFUL_CHANGE,
) -> str:
    """E.g. "Your leg pain is 40 % lower than before surgery. That is a meaningful improvement."

    Compares the latest 7-day mean (§4: ≥ 4 of 7 days) with the §2 baseline; "meaningful" is
    the pain row of `change_table`. The care team's wording gives the numbers, which baseline
    was used and the threshold.
    """
    if care_team:
        return _care_pain_sentence(timeline, field, as_of, change_table)
    measure = {"back_pain": _("back pain"), "leg_pain": _("leg pain")}[field]
    latest = trends.latest_seven_day_mean(timeline, field, as_of)
    if latest is None:
        return _(
            "Check in on at least 4 days in a week to see how your %(measure)s is changing."
        ) % {"measure": measure}
    mean = latest[1]
    base = trends.baseline(timeline, field)
    if base is None:
        return _("Your %(measure)s has averaged %(mean)s out of 10 over your last 7 days.") % {
            "measure": measure,
            "mean": number(mean),
        }
    values = {"measure": measure, "mean": number(mean), "when": _compared_with(base.source)}
    if base.value == 0:
        return (
            _("You had no %(measure)s %(when)s; it has averaged %(mean)s out of 10 lately.")
            % values
        )
    change = trends.change_from_baseline(base.value, mean)
    percent = round(abs(change.percent or 0))
    values["percent"] = percent
    if percent < ABOUT_THE_SAME_PERCENT:
        return (
            _("Your %(measure)s is about the same as %(when)s (%(mean)s out of 10 on average).")
            % values
        )
    if change.points > 0:
        return (
            _(
                "Your %(measure)s is %(percent)s %% higher than %(when)s. If it worries you, "
                "call your surgical team."
            )
            % values
        )
    sentence = _("Your %(measure)s is %(percent)s %% lower than %(when)s.") % values
    if pain_improved(change_table)(base.value, mean):
        return sentence + " " + _("That is a meaningful improvement.")
    return sentence + " " + _("That is a small change so far.")


def _care_pain_sentence(timeline: Timeline, field: str, as_of: date, table: ChangeTable) -> str:
    latest = trends.latest_seven_day_mean(timeline, field, as_of)
    if latest is None:
        return _("No 7-day average: fewer than 4 check-ins in the last 7 days recorded.")
    values = {"mean": number(latest[1]), "day": date_format(latest[0], "j M")}
    base = trends.baseline(timeline, field)
    if base is None:
        return _("7-day average %(mean)s on %(day)s; no baseline.") % values
    change = trends.change_from_baseline(base.value, latest[1])
    values.update(
        base=number(base.value),
        source=baseline_source_label(base.source),
        points=signed(change.points),
        percent="–" if change.percent is None else signed(round(change.percent)),
    )
    sentence = (
        _(
            "7-day average %(mean)s on %(day)s against a baseline of %(base)s (%(source)s): "
            "%(points)s points, %(percent)s %%."
        )
        % values
    )
    if pain_improved(table)(base.value, latest[1]):
        sentence += " " + _("Meaningful improvement: %(threshold)s.") % {
            "threshold": threshold_text(table["pain"])
        }
    return sentence


def signed(value: float) -> str:
    """+1.5, −2, 0: the sign a clinician expects on a change."""
    text = number(abs(value))
    if text == "0":
        return text
    return ("+" if value > 0 else "−") + text


def walking_sentence(timeline: Timeline, as_of: date, *, care_team: bool = False) -> str:
    latest = trends.latest_seven_day_mean(timeline, "walking_minutes", as_of)
    if latest is None:
        if care_team:
            return _("No 7-day average: fewer than 4 walks recorded in the last 7 days.")
        return _("Record your longest walk on at least 4 days in a week to see your trend.")
    if care_team:
        return _("7-day average of the longest walk: %(minutes)s minutes.") % {
            "minutes": number(latest[1])
        }
    values = {"minutes": number(latest[1])}
    first_day = timeline.surgery_date + timedelta(days=1)
    first_week = trends.window_mean(
        timeline, first_day, first_day + timedelta(days=6), "walking_minutes"
    )
    sentence = (
        _("Your longest walk has averaged %(minutes)s minutes a day over your last 7 days.")
        % values
    )
    if first_week is not None and latest[0] > first_day + timedelta(days=13):
        if first_week < latest[1]:
            sentence += " " + _("In your first week after surgery it was %(first)s minutes.") % {
                "first": number(first_week)
            }
        elif first_week > latest[1]:
            sentence += " " + _(
                "That is less than in your first week after surgery (%(first)s minutes)."
            ) % {"first": number(first_week)}
    return sentence


def symptoms_sentence(
    weeks: Sequence[trends.WeekSymptoms], names: Mapping[str, object], *, care_team: bool = False
) -> str:
    if not weeks:
        return _("No check-ins in this period.")
    latest = weeks[-1]
    if not latest.days:
        if care_team:
            return _("No symptoms ticked in week %(week)s.") % {"week": latest.week}
        return _("You noted no symptoms in your latest week of check-ins (week %(week)s).") % {
            "week": latest.week
        }
    parts = [
        ngettext("%(name)s on %(count)s day", "%(name)s on %(count)s days", count)
        % {"name": str(names.get(code, code)).lower(), "count": count}
        for code, count in sorted(latest.days.items(), key=lambda item: -item[1])
    ]
    values = {"week": latest.week, "list": ", ".join(parts)}
    if care_team:
        return _("Week %(week)s: %(list)s.") % values
    return _("In week %(week)s after surgery you noted: %(list)s.") % values


def adherence_sentence(weeks: Sequence[trends.WeekAdherence], *, care_team: bool = False) -> str:
    if not weeks:
        return _("No exercise programme yet.")
    latest = weeks[-1].adherence
    values = {"done": latest.done, "prescribed": latest.prescribed, "week": weeks[-1].week}
    if care_team:
        return _("Week %(week)s: %(done)s of %(prescribed)s sessions done.") % values
    return _("In your latest week you did %(done)s of %(prescribed)s exercise sessions.") % values


def peg_sentence(
    timeline: Timeline,
    as_of: date,
    *,
    care_team: bool = False,
    change_table: ChangeTable = MEANINGFUL_CHANGE,
) -> str:
    found = trends.scores(timeline, "peg", as_of)
    if not found:
        return _("No PEG questionnaire answered yet.")
    latest = found[-1]
    if care_team:
        return _care_peg_sentence(timeline, latest, change_table)
    sentence = _("Your latest PEG score is %(score)s out of 10 (lower is better).") % {
        "score": number(latest.total)
    }
    base = trends.questionnaire_baseline(timeline, "peg")
    if base is None or base[1] == latest or base[0].value == 0:
        return sentence
    change = meaningful_change("peg", base[0].value, float(latest.total), change_table)
    percent = round(abs(change.percent or 0))
    if percent < ABOUT_THE_SAME_PERCENT:
        return sentence + " " + _("That is about the same as your first score.")
    if change.difference > 0:
        return (
            sentence
            + " "
            + _("That is %(percent)s %% higher than your first score.") % {"percent": percent}
        )
    return (
        sentence
        + " "
        + _("That is %(percent)s %% lower than your first score.") % {"percent": percent}
    )


def _care_peg_sentence(timeline: Timeline, latest, table: ChangeTable) -> str:
    values = {"score": number(latest.total), "day": date_format(latest.day, "j M")}
    base = trends.questionnaire_baseline(timeline, "peg")
    if base is None:
        return _("Latest PEG %(score)s on %(day)s; no baseline.") % values
    values.update(base=number(base[0].value), source=baseline_source_label(base[0].source))
    sentence = _("Latest PEG %(score)s on %(day)s; baseline %(base)s (%(source)s).") % values
    if score_improved("peg", table)(base[0].value, float(latest.total)):
        sentence += " " + _("Meaningful improvement: %(threshold)s.") % {
            "threshold": threshold_text(table["peg"])
        }
    return sentence


def mood_sentence(timeline: Timeline, as_of: date, *, care_team: bool = False) -> str:
    for code, label, top in (("phq9", "PHQ-9", 27), ("phq2", "PHQ-2", 6)):
        found = trends.scores(timeline, code, as_of)
        if found and care_team:
            return _("Latest %(name)s %(score)s of %(top)s on %(day)s.") % {
                "name": label,
                "score": number(found[-1].total),
                "top": top,
                "day": date_format(found[-1].day, "j M"),
            }
        if found:
            return _(
                "Your latest %(name)s score is %(score)s out of %(top)s. Lower scores mean "
                "fewer signs of low mood."
            ) % {"name": label, "score": number(found[-1].total), "top": top}
    return _("No mood questionnaire answered yet.")


# The care team's one-screen summary ----------------------------------------------------------


@dataclass(frozen=True)
class MeasureChange:
    """A measure against its baseline (§2), with the baseline's source: one row of the care
    team's summary and of the report's change-from-baseline table."""

    label: str
    baseline: float | None
    baseline_source: str  # human label; "" without a baseline
    current: float | None  # latest 7-day mean (pain) or latest score (questionnaires)
    current_day: date | None
    points: float | None
    percent: float | None
    meaningful: bool | None  # None: no baseline or no current value to compare
    current_label: str = ""  # what "current" is: a 7-day mean or the latest score
    threshold: str = ""  # the §2 threshold the comparison used, as shown to clinicians

    @property
    def baseline_text(self) -> str:
        return "" if self.baseline is None else number(self.baseline)

    @property
    def current_text(self) -> str:
        return "" if self.current is None else number(self.current)

    @property
    def points_text(self) -> str:
        return "" if self.points is None else signed(self.points)

    @property
    def percent_text(self) -> str:
        return "" if self.percent is None else signed(round(self.percent))


@dataclass(frozen=True)
class CareSummary:
    weeks_since_surgery: int
    days_since_surgery: int
    last_checkin: date | None
    measures: tuple[MeasureChange, ...]
    adherence: str


def measure_change(
    label: str,
    base: trends.Baseline | None,
    current: tuple[date, float] | None,
    meaningful: Callable[[float, float], bool],
    *,
    current_label: str = "",
    threshold: str = "",
) -> MeasureChange:
    """`current` (day, value) against `base`; `meaningful(before, now)` judges the change."""
    words = {"current_label": current_label, "threshold": threshold}
    if base is None or current is None:
        return MeasureChange(
            label,
            None if base is None else base.value,
            "" if base is None else baseline_source_label(base.source),
            None if current is None else current[1],
            None if current is None else current[0],
            None,
            None,
            None,
            **words,
        )
    change = trends.change_from_baseline(base.value, current[1])
    return MeasureChange(
        label,
        base.value,
        baseline_source_label(base.source),
        current[1],
        current[0],
        change.points,
        change.percent,
        bool(meaningful(base.value, current[1])),
        **words,
    )


def care_summary(
    timeline: Timeline, as_of: date, change_table: ChangeTable = MEANINGFUL_CHANGE
) -> CareSummary:
    """Weeks since surgery and change from baseline of back pain, leg pain and PEG, judged by
    the §2 rows of `change_table`."""
    measures = [
        measure_change(
            label,
            trends.baseline(timeline, field),
            trends.latest_seven_day_mean(timeline, field, as_of),
            pain_improved(change_table),
            threshold=threshold_text(change_table["pain"]),
        )
        for field, label in (("back_pain", _("Back pain")), ("leg_pain", _("Leg pain")))
    ]
    peg = trends.scores(timeline, "peg", as_of)
    peg_base = trends.questionnaire_baseline(timeline, "peg")
    measures.append(
        measure_change(
            "PEG",
            None if peg_base is None else peg_base[0],
            (peg[-1].day, float(peg[-1].total)) if peg else None,
            score_improved("peg", change_table),
            threshold=threshold_text(change_table["peg"]),
        )
    )
    adherence = trends.weekly_adherence(timeline, as_of)
    if adherence:
        latest = adherence[-1]
        percent = latest.adherence.percent
        adherence_text = _(
            "Week %(week)s: %(done)s of %(prescribed)s sessions (%(percent)s %%)"
        ) % {
            "week": latest.week,
            "done": latest.adherence.done,
            "prescribed": latest.adherence.prescribed,
            "percent": "–" if percent is None else round(percent),
        }
    else:
        adherence_text = _("No exercise programme yet")
    days = timeline.day_number(as_of)
    return CareSummary(
        weeks_since_surgery=days // 7,
        days_since_surgery=days,
        last_checkin=trends.last_checkin(timeline, as_of),
        measures=tuple(measures),
        adherence=adherence_text,
    )
