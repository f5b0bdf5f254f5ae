"""Pattern rules read from questionnaires: function (§4 P4, ODI or PEG) and mood (P8, PHQ)."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from tracker.rules.definition import RuleInfo, implements, iso, rounded
from tracker.rules.patterns.windows import (
    n_days,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Level, QuestionnaireScore, Timeline
from tracker.trends.series import (
    Baseline,
    questionnaire_baseline,
    reaches,
    scores,
)

# P4 --------------------------------------------------------------------------------------

FUNCTION_NO_MCID_12W = RuleInfo(
    "P4-FUNCTION-NO-MCID-12W", 1, "§4", "[E]", "Function not meaningfully better at 12 weeks"
)


class _FunctionCheck(NamedTuple):
    instrument: str
    base: Baseline
    base_score: QuestionnaireScore
    score: QuestionnaireScore
    fall_percent: float

    def evidence(self) -> list[dict[str, Any]]:
        return [
            {
                "date": iso(self.base_score.day),
                "instrument": self.instrument,
                "total": self.base.value,
                "baseline_source": self.base.source,
            },
            {
                "date": iso(self.score.day),
                "instrument": self.instrument,
                "total": float(self.score.total),
                "fall_percent": rounded(self.fall_percent),
            },
        ]


def function_not_improved(
    timeline: Timeline, as_of: date, thresholds: Thresholds
) -> _FunctionCheck | None:
    """The week-12 ODI (or, without one, PEG) that has fallen < 30 % from its baseline.

    The instrument is ODI when there is both an ODI baseline and an ODI score dated within
    `function_tolerance_days` of day 84, else PEG on the same terms. None when the
    instrument improved enough or when there is nothing to compare.
    """
    first = timeline.surgery_date + n_days(
        thresholds.function_check_day - thresholds.function_tolerance_days
    )
    last = timeline.surgery_date + n_days(
        thresholds.function_check_day + thresholds.function_tolerance_days
    )
    for instrument in ("odi", "peg"):
        found = questionnaire_baseline(timeline, instrument)
        in_window = [s for s in scores(timeline, instrument, as_of) if first <= s.day <= last]
        if found is None or not in_window or found[0].value <= 0:
            continue
        base, base_score = found
        score = in_window[-1]
        fall_percent = (base.value - float(score.total)) / base.value * 100
        if reaches(fall_percent, thresholds.function_mcid_percent):
            return None
        return _FunctionCheck(instrument, base, base_score, score, fall_percent)
    return None


@implements(FUNCTION_NO_MCID_12W)
def function_not_improved_at_12_weeks(
    timeline: Timeline, as_of: date, thresholds: Thresholds
) -> list[Finding]:
    """P4-FUNCTION-NO-MCID-12W [E]: at week 12 (day 84 ± 7), ODI (or PEG where no ODI) has
    fallen < 30 % from baseline -> review (surgeon and physiotherapist)."""
    check = function_not_improved(timeline, as_of, thresholds)
    if check is None:
        return []
    explanation = (
        f"{check.instrument.upper()} {float(check.score.total):g} on {iso(check.score.day)} vs "
        f"baseline {check.base.value:g} ({check.base.source}, {iso(check.base_score.day)}): "
        f"fall {check.fall_percent:.0f} % < {thresholds.function_mcid_percent:g} %. Most "
        "functional gain happens within 3 months (Fritsch 2017; SPORT)."
    )
    noticed = (
        "Your answers about daily activities show less improvement than we would hope by now. "
        "Your surgeon and physiotherapist will look at your progress together."
    )
    return [FUNCTION_NO_MCID_12W.finding(Level.REVIEW, noticed, explanation, check.evidence())]


# P8 --------------------------------------------------------------------------------------

DEPRESSION = RuleInfo("P8-DEPRESSION", 1, "§4", "[E]", "Low mood")


@implements(DEPRESSION)
def low_mood(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """P8-DEPRESSION [E]: the latest PHQ-9 >= 10, or >= 5 above the lowest earlier PHQ-9
    -> review (notify). The latest PHQ-2 >= 3 with no PHQ-9 since -> review with evidence
    `offer_phq9: True`, so the PHQ-9 is offered. Item 9 is RF-PHQ9-ITEM9's."""
    phq9 = scores(timeline, "phq9", as_of)
    phq2 = scores(timeline, "phq2", as_of)
    evidence: list[dict[str, Any]] = []
    reasons = []
    notify = False
    if phq9:
        latest = phq9[-1]
        total = float(latest.total)
        entry: dict[str, Any] = {"date": iso(latest.day), "instrument": "phq9", "total": total}
        if reaches(total, thresholds.phq9_notify):
            reasons.append(f"PHQ-9 {total:g} >= {thresholds.phq9_notify} on {iso(latest.day)}")
        earlier = phq9[:-1]
        if earlier:
            lowest = min(earlier, key=lambda s: (float(s.total), s.day))
            rise = total - float(lowest.total)
            if reaches(rise, thresholds.phq9_rise):
                entry["lowest_earlier_total"] = float(lowest.total)
                entry["lowest_earlier_date"] = iso(lowest.day)
                reasons.append(
                    f"PHQ-9 rose {rise:g} points from {float(lowest.total):g} on "
                    f"{iso(lowest.day)} (>= {thresholds.phq9_rise})"
                )
        if reasons:
            notify = True
            evidence.append(entry)
    if phq2:
        latest2 = phq2[-1]
        if reaches(float(latest2.total), thresholds.phq2_positive) and (
            not phq9 or phq9[-1].day < latest2.day
        ):
            evidence.append(
                {
                    "date": iso(latest2.day),
                    "instrument": "phq2",
                    "total": float(latest2.total),
                    "offer_phq9": True,
                }
            )
            reasons.append(
                f"PHQ-2 {float(latest2.total):g} >= {thresholds.phq2_positive} on "
                f"{iso(latest2.day)}: PHQ-9 offered"
            )
    if not reasons:
        return []
    explanation = (
        f"{'; '.join(reasons)}. PHQ-9 5/10/15/20 = mild/moderate/moderately severe/severe; "
        "depression predicts poorer recovery."
    )
    if notify:
        noticed = (
            "Your answers about mood suggest you have been feeling low. This is common during "
            "recovery, and support can help. Your care team will look at your answers and may "
            "talk with you."
        )
        return [DEPRESSION.finding(Level.REVIEW, noticed, explanation, evidence)]
    noticed = (
        "Thank you for your answers about mood. We would like to ask you a few more questions "
        "about how you have been feeling over the last two weeks."
    )
    return [
        DEPRESSION.finding(
            Level.REVIEW,
            noticed,
            explanation,
            evidence,
            instruction="You will find them with your questionnaires.",
        )
    ]
