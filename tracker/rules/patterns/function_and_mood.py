"""Pattern rules read from questionnaires: function (§4 P4, ODI or PEG) and mood (P8, PHQ)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

from tracker.rules.days_read import DaysRead, Lookback, PostOperative
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


# v2: a score dated on the day of surgery is post-operative, never the pre-operative baseline.
# P4: reads questionnaires only (ODI, PEG, read whole); the week-12 scores that decide it are
# those of days function_check_day ± function_tolerance_days.
def _function_first_day(thresholds: Thresholds) -> int:
    return thresholds.function_check_day - thresholds.function_tolerance_days


FUNCTION_NO_MCID_12W_DAYS = DaysRead(
    spans=(
        PostOperative(
            _function_first_day,
            lambda t: t.function_check_day + t.function_tolerance_days,
            fields=(),
        ),
    ),
    from_day=_function_first_day,
)
FUNCTION_NO_MCID_12W = RuleInfo(
    rule_id="P4-FUNCTION-NO-MCID-12W",
    version=2,
    section="§4",
    label="[E]",
    title="Function not meaningfully better at 12 weeks",
    position=4,
    levels=(Level.REVIEW,),
    reviewer="surgeon and physiotherapist",
    condition=(
        "At week 12 the ODI (or the PEG where there is no ODI) has fallen by less than 30 % "
        "from its baseline."
    ),
    window="Day 84, give or take 7 days: the latest ODI or PEG against its baseline.",
    sources=(
        "Fritsch et al., Eur Spine J 2017, and SPORT: most of the gain comes within 3 months.",
        "Ostelo et al., Spine 2008: a 30 % change in ODI is meaningful.",
    ),
    questionnaires=("odi", "peg"),
    on_questionnaire=True,
    days=FUNCTION_NO_MCID_12W_DAYS,
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
    `function_tolerance_days` of day 84, else PEG on the same terms. The percentage is the
    instrument's §2 one in the clinic's table (`thresholds.meaningful_change`). The baseline
    is `questionnaire_baseline`'s: a score before the day of surgery, else the first score of
    the first 3 weeks (a day-0 score is post-operative). None when the instrument improved
    enough or when there is nothing to compare.
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
        needed = thresholds.meaningful_change[instrument].percent
        if needed is None or reaches(fall_percent, needed):
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
        f"fall {check.fall_percent:.0f} % < "
        f"{thresholds.meaningful_change[check.instrument].percent:g} %. Most "
        "functional gain happens within 3 months (Fritsch 2017; SPORT)."
    )
    noticed = (
        "Your answers about daily activities show less improvement than we would hope by now. "
        "Your surgeon and physiotherapist will look at your progress together."
    )
    return [FUNCTION_NO_MCID_12W.finding(Level.REVIEW, noticed, explanation, check.evidence())]


# P8 --------------------------------------------------------------------------------------

# v2: a positive PHQ-2 alone is an offer to the patient (offer-only finding); the care team is
# notified by PHQ-9 >= 10, a PHQ-9 rise >= 5, or an offered PHQ-9 unanswered for 7 days.
# P8: reads questionnaires only: every PHQ-2 and PHQ-9 up to as_of (the lowest earlier PHQ-9).
DEPRESSION_DAYS = DaysRead(spans=(Lookback(None, fields=()),))
DEPRESSION = RuleInfo(
    rule_id="P8-DEPRESSION",
    version=2,
    section="§4",
    label="[E]",
    title="Low mood",
    position=8,
    levels=(Level.REVIEW,),
    condition=(
        "A PHQ-2 of 3 or more offers the patient the PHQ-9 (for the patient only). The care "
        "team is told when the latest PHQ-9 is 10 or more, or 5 or more above the lowest "
        "earlier PHQ-9, or when an offered PHQ-9 is still unanswered 7 days after the PHQ-2 "
        "(a design choice). Item 9 is RF-PHQ9-ITEM9's."
    ),
    window="Every PHQ-2 and PHQ-9 since surgery; the latest of each decides.",
    sources=(
        "Kroenke et al., J Gen Intern Med 2001: a PHQ-9 of 10 or more marks moderate depression.",
        "Kroenke et al., Med Care 2003: a PHQ-2 of 3 or more (sensitivity 83 %, specificity 92 %).",
        "Löwe et al., Med Care 2004: a change of 5 PHQ-9 points is meaningful.",
    ),
    questionnaires=("phq2", "phq9"),
    on_questionnaire=True,
    days=DEPRESSION_DAYS,
)

# [D] (design choice, not yet in the reference row P8): an offered PHQ-9 still unanswered this
# many days after the positive PHQ-2 notifies the care team.
PHQ9_OFFER_UNANSWERED_DAYS = 7

# Evidence key marking the entry of a positive PHQ-2 whose PHQ-9 is offered (see `offer_only`).
OFFER_PHQ9 = "offer_phq9"


def offers_phq9(evidence: Iterable[Mapping[str, Any]]) -> bool:
    """True when a P8 finding's (or flag's) evidence offers the PHQ-9 to the patient."""
    return any(entry.get(OFFER_PHQ9) is True for entry in evidence)


def offer_only(evidence: Iterable[Mapping[str, Any]]) -> bool:
    """True when a P8 finding's (or flag's) evidence is only an offer of the PHQ-9: every
    entry is a positive PHQ-2 with `offer_phq9: True`. Such a finding is for the patient (offer
    the PHQ-9), not for the care team; any other entry (a PHQ-9 >= 10 or risen >= 5, or an
    offer unanswered for 7 days) makes it a care-team finding."""
    entries = list(evidence)
    return bool(entries) and all(entry.get(OFFER_PHQ9) is True for entry in entries)


def _phq9_notification(
    phq9: list[QuestionnaireScore], thresholds: Thresholds
) -> tuple[dict[str, Any], list[str]] | None:
    """The latest PHQ-9's evidence and reasons when it is >= 10 or >= 5 above the lowest
    earlier PHQ-9; else None."""
    if not phq9:
        return None
    latest = phq9[-1]
    total = float(latest.total)
    entry: dict[str, Any] = {"date": iso(latest.day), "instrument": "phq9", "total": total}
    reasons = []
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
    return (entry, reasons) if reasons else None


def _phq9_offer(
    phq2: list[QuestionnaireScore],
    phq9: list[QuestionnaireScore],
    as_of: date,
    thresholds: Thresholds,
) -> tuple[list[dict[str, Any]], list[str], bool] | None:
    """The PHQ-9 offer of the latest PHQ-2 when it is >= 3 with no PHQ-9 since (on or after
    its day): (evidence, reasons, unanswered for PHQ9_OFFER_UNANSWERED_DAYS or more); else
    None. The unanswered entry is dated the day the offer became overdue (PHQ-2 day + 7),
    so it stays the same on every later run."""
    if not phq2:
        return None
    latest = phq2[-1]
    total = float(latest.total)
    if not reaches(total, thresholds.phq2_positive) or (phq9 and phq9[-1].day >= latest.day):
        return None
    evidence: list[dict[str, Any]] = [
        {"date": iso(latest.day), "instrument": "phq2", "total": total, OFFER_PHQ9: True}
    ]
    reasons = [f"PHQ-2 {total:g} >= {thresholds.phq2_positive} on {iso(latest.day)}: PHQ-9 offered"]
    overdue_day = latest.day + n_days(PHQ9_OFFER_UNANSWERED_DAYS)
    overdue = as_of >= overdue_day
    if overdue:
        evidence.append(
            {
                "date": iso(overdue_day),
                "phq9_offered_on": iso(latest.day),
                "phq9_unanswered_days": PHQ9_OFFER_UNANSWERED_DAYS,
            }
        )
        reasons.append(
            f"the offered PHQ-9 is still unanswered {PHQ9_OFFER_UNANSWERED_DAYS} days later [D]"
        )
    return evidence, reasons, overdue


@implements(DEPRESSION)
def low_mood(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """P8-DEPRESSION [E]: PHQ-2 >= 3 -> offer the PHQ-9; PHQ-9 >= 10, or a rise >= 5 -> notify
    (review). Item 9 is RF-PHQ9-ITEM9's.

    - Care team notified (review): the latest PHQ-9 >= 10, or >= 5 above the lowest earlier
      PHQ-9; or the PHQ-9 offered after a positive PHQ-2 is still unanswered 7 days [D] after
      the PHQ-2 (evidence entry with `phq9_offered_on`, dated the PHQ-2 day + 7).
    - Offer only: the latest PHQ-2 >= 3 with no PHQ-9 on or after its day, for less than 7
      days. Its evidence is just that PHQ-2, with `offer_phq9: True`: offer the PHQ-9 to the
      patient; not a care-team flag.

    `offer_only(finding.evidence)` tells the two apart (every entry has `offer_phq9: True`);
    `offers_phq9(finding.evidence)` says whether the PHQ-9 is (still) offered, which a
    care-team finding may do as well.
    """
    phq9 = scores(timeline, "phq9", as_of)
    notification = _phq9_notification(phq9, thresholds)
    offer = _phq9_offer(scores(timeline, "phq2", as_of), phq9, as_of, thresholds)
    if notification is None and offer is None:
        return []
    evidence: list[dict[str, Any]] = []
    reasons: list[str] = []
    if notification is not None:
        evidence.append(notification[0])
        reasons.extend(notification[1])
    if offer is not None:
        evidence.extend(offer[0])
        reasons.extend(offer[1])
    explanation = (
        f"{'; '.join(reasons)}. PHQ-9 5/10/15/20 = mild/moderate/moderately severe/severe; "
        "depression predicts poorer recovery."
    )
    if notification is not None:
        noticed = (
            "Your answers about mood suggest you have been feeling low. This is common during "
            "recovery, and support can help. Your care team will look at your answers and may "
            "talk with you."
        )
        return [DEPRESSION.finding(Level.REVIEW, noticed, explanation, evidence)]
    if offer is not None and offer[2]:
        explanation += " Care team notified: the offered PHQ-9 has not been answered."
        noticed = (
            "Your answers about mood a week ago suggested you may have been feeling low, and "
            "the follow-up questions are still waiting for you. Your care team will look at "
            "your answers and may talk with you."
        )
        return [
            DEPRESSION.finding(
                Level.REVIEW,
                noticed,
                explanation,
                evidence,
                instruction="You will find the questions with your questionnaires.",
            )
        ]
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
