"""Pattern rules of pain and pain medicine (§4 P1, P2, P3, P5, P6, P7, P10)."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from tracker.rules.days_read import DaysRead, Lookback, PostOperative
from tracker.rules.definition import RuleInfo, implements, iso, rounded
from tracker.rules.patterns.function_and_mood import function_not_improved
from tracker.rules.patterns.windows import (
    PAIN_FIELDS,
    PAIN_NAMES,
    baseline_evidence,
    daily_baseline,
    mean_evidence,
    n_days,
    neuro_signs,
    post_operative_start,
    required_days,
    week_and_day,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import DayRecord, Finding, Level, Timeline
from tracker.timeline.vocabulary import NEUROLOGICAL_ANSWERS, NEUROLOGICAL_SYMPTOMS
from tracker.trends.series import (
    BASELINE_FIRST_POSTOP_DAY,
    BASELINE_LAST_POSTOP_DAY,
    WINDOW_DAYS,
    meaningful_improvement,
    numeric,
    opioid_days,
    reaches,
    recorded_values,
    records_between,
    rolling_means,
    seven_day_mean,
    symptoms_of,
)

# P1 --------------------------------------------------------------------------------------

# P1: the 7-day means of back and leg pain since surgery (the lowest of them is "its lowest
# since surgery", so this span grows with the history: two numbers a day), and every answer
# it reads in the last 7 days (nerve signs). From day rebound_after_day + 1.
REBOUND_DAYS = DaysRead(
    spans=(Lookback(WINDOW_DAYS), PostOperative(0, None, fields=("back_pain", "leg_pain"))),
    from_day=lambda t: t.rebound_after_day + 1,
)
REBOUND = RuleInfo(
    rule_id="P1-REBOUND",
    version=1,
    section="§4",
    label="MCID [E], window [D]",
    title="Pain rising again after improving",
    position=1,
    levels=(Level.SOON, Level.REVIEW),
    condition=(
        "After day 14, the 7-day mean of back or leg pain has been at least 2 points and at "
        "least 30 % above its lowest 7-day mean since surgery on each of the last 5 days: "
        "review. Soon when leg pain leads the rise, or with any nerve symptom or answer in "
        "the last 7 days."
    ),
    window="From day 15: the 7-day means since surgery, and the last 7 days for nerve signs.",
    sources=(
        "Ostelo et al., Spine 2008: a change of 2 points or 30 % in pain is meaningful. The "
        "5-day window is a design choice.",
    ),
    reads=(
        "back_pain",
        "leg_pain",
        *sorted(NEUROLOGICAL_SYMPTOMS),
        *sorted(NEUROLOGICAL_ANSWERS),
    ),
    days=REBOUND_DAYS,
)


class _Rebound(NamedTuple):
    field: str
    lowest_day: date
    lowest: float
    recent: list[tuple[date, float]]

    @property
    def rise(self) -> float:
        return self.recent[-1][1] - self.lowest


def _has_risen(mean: float, lowest: float, thresholds: Thresholds) -> bool:
    rise = mean - lowest
    if not reaches(rise, thresholds.rebound_points):
        return False
    return lowest <= 0 or reaches(rise / lowest * 100, thresholds.rebound_percent)


def _rebound(
    timeline: Timeline, as_of: date, field: str, thresholds: Thresholds
) -> _Rebound | None:
    series = rolling_means(
        timeline, field, start=timeline.surgery_date, end=as_of, min_days=thresholds.trend_min_days
    )
    persist = max(int(thresholds.rebound_persist_days), 1)
    first_persist_day = as_of - n_days(persist - 1)
    recent = [(day, mean) for day, mean in series if day >= first_persist_day]
    earlier = [(day, mean) for day, mean in series if day < first_persist_day]
    if len(recent) < persist or not earlier:
        return None
    lowest_day, lowest = min(earlier, key=lambda point: (point[1], point[0]))
    if all(_has_risen(mean, lowest, thresholds) for _, mean in recent):
        return _Rebound(field, lowest_day, lowest, recent)
    return None


@implements(REBOUND)
def rebound_after_improvement(
    timeline: Timeline, as_of: date, thresholds: Thresholds
) -> list[Finding]:
    """P1-REBOUND (MCID [E], window [D]): after day 14, the 7-day mean of back or leg pain is
    >= 2 points and >= 30 % above its lowest 7-day mean since surgery on each of the last 5
    days -> review; soon when leg pain leads or with any neurological symptom in the last 7
    days."""
    if timeline.day_number(as_of) <= thresholds.rebound_after_day:
        return []
    rebounds = {
        field: found
        for field in PAIN_FIELDS
        if (found := _rebound(timeline, as_of, field, thresholds)) is not None
    }
    if not rebounds:
        return []
    leg, back = rebounds.get("leg_pain"), rebounds.get("back_pain")
    leg_leads = leg is not None and (back is None or leg.rise >= back.rise)
    last_week = records_between(timeline, as_of - n_days(6), as_of)
    neuro = neuro_signs(last_week, NEUROLOGICAL_SYMPTOMS, NEUROLOGICAL_ANSWERS)
    evidence: list[dict[str, Any]] = []
    summaries = []
    for found in rebounds.values():
        evidence.append(
            mean_evidence(found.lowest_day, found.field, found.lowest, lowest_since_surgery=True)
        )
        evidence.extend(mean_evidence(day, found.field, mean) for day, mean in found.recent)
        summaries.append(
            f"{PAIN_NAMES[found.field]} 7-day mean {found.recent[-1][1]:.1f} vs lowest "
            f"{found.lowest:.1f} on {iso(found.lowest_day)} (+{found.rise:.1f})"
        )
    evidence.extend(neuro)
    explanation = (
        f"Pain rebound after improvement: {'; '.join(summaries)}, >= "
        f"{thresholds.rebound_points:g} points and >= {thresholds.rebound_percent:g} % above the "
        f"lowest on each of the last {thresholds.rebound_persist_days} days."
    )
    if leg_leads or neuro:
        reasons = (["leg pain leads"] if leg_leads else []) + (
            ["neurological symptoms in the last 7 days"] if neuro else []
        )
        explanation += f" Soon because {' and '.join(reasons)}."
        noticed = (
            "Your pain had been getting better, but over the last week it has risen again"
            + (", especially in your leg" if leg_leads else "")
            + ". Your surgeon's team would like to hear how you are."
        )
        return [REBOUND.finding(Level.SOON, noticed, explanation, evidence)]
    noticed = (
        "Your pain had been getting better, but over the last week it has risen again. Pain "
        "often goes up and down during recovery; your care team will keep an eye on it."
    )
    return [REBOUND.finding(Level.REVIEW, noticed, explanation, evidence)]


# P2 --------------------------------------------------------------------------------------


# v2: the quiet days are counted back from the first high day, not from the 5-day window.
# P2: the last radiating_window_days days and the radiating_quiet_days before the first high
# day among them, which is at the earliest the first day of that window.
def _radiating_days(thresholds: Thresholds) -> int:
    return max(int(thresholds.radiating_window_days), 1) + max(
        int(thresholds.radiating_quiet_days), 1
    )


NEW_RADIATING_DAYS = DaysRead(spans=(Lookback(_radiating_days),), from_day=0)
NEW_RADIATING = RuleInfo(
    rule_id="P2-NEW-RADIATING",
    version=2,
    section="§4",
    label="[E] recurrence 5-15 %; 14 days [D]",
    title="New radiating leg pain",
    position=2,
    levels=(Level.URGENT, Level.SOON),
    condition=(
        "Leg pain of 1 or less for 14 days, then 4 or more on 3 of the last 5 days; or pain "
        "shooting down a leg ticked again after 14 recorded days without it: soon (a possible "
        "recurrent disc herniation). Urgent with leg weakness or numbness in those 5 days."
    ),
    window=(
        "The last 5 days and the 14 days before the first high day (with the §4 share of "
        "days recorded)."
    ),
    sources=(
        "A disc herniates again in 5 to 15 % of patients (the reference names no single "
        "source). The 14 quiet days are a design choice.",
    ),
    reads=(
        "leg_pain",
        "radiating_pain",
        "leg_weakness",
        "numbness_tingling",
        "new_leg_weakness",
        "legs_cannot_move",
        "new_numbness",
    ),
    days=NEW_RADIATING_DAYS,
)
_WEAKNESS_NUMBNESS_SYMPTOMS = frozenset({"leg_weakness", "numbness_tingling"})
_WEAKNESS_NUMBNESS_ANSWERS = frozenset({"new_leg_weakness", "legs_cannot_move", "new_numbness"})


def _quiet_leg(
    timeline: Timeline, before: date, thresholds: Thresholds
) -> list[tuple[date, float]] | None:
    """Leg pain of the `radiating_quiet_days` days before `before` (the first high day), if
    every recorded value is <= no_leg_pain_max and enough days are recorded; else None."""
    quiet_days = max(int(thresholds.radiating_quiet_days), 1)
    start = post_operative_start(timeline, before - n_days(quiet_days))
    values = recorded_values(timeline, start, before - n_days(1), "leg_pain")
    if len(values) < required_days(quiet_days, thresholds):
        return None
    if any(value > thresholds.no_leg_pain_max for _, value in values):
        return None
    return values


def _new_radiating_tick(
    timeline: Timeline, window: list[DayRecord], thresholds: Thresholds
) -> tuple[date, int] | None:
    """First `radiating_pain` tick of the window after enough quiet check-ins without it."""
    first = next((r.day for r in window if "radiating_pain" in symptoms_of(r)), None)
    if first is None:
        return None
    quiet_days = max(int(thresholds.radiating_quiet_days), 1)
    start = post_operative_start(timeline, first - n_days(quiet_days))
    before = records_between(timeline, start, first - n_days(1))
    if len(before) < required_days(quiet_days, thresholds):
        return None
    if any("radiating_pain" in symptoms_of(record) for record in before):
        return None
    return first, len(before)


@implements(NEW_RADIATING)
def new_radiating_pain(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """P2-NEW-RADIATING ([E] recurrence, 14 days [D]): leg pain <= 1 for 14 days, then >= 4 on
    3 of the last 5 days; or `radiating_pain` newly ticked after 14 days without it -> soon;
    urgent with leg weakness or numbness in those 5 days.

    The 14 quiet days are the 14 days before the first high day (the first day >= 4 of the
    last 5), so the days of the 5-day window before it must be quiet too. "For 14 days"
    allows missed check-ins: the 14 days need the §4 share of recorded days (8 of 14 by
    default) and every recorded value <= 1.
    """
    if timeline.day_number(as_of) < 0:
        return []
    window_days = max(int(thresholds.radiating_window_days), 1)
    window_start = post_operative_start(timeline, as_of - n_days(window_days - 1))
    window = records_between(timeline, window_start, as_of)
    high = [
        (day, value)
        for day, value in recorded_values(timeline, window_start, as_of, "leg_pain")
        if reaches(value, thresholds.radiating_leg_pain)
    ]
    evidence: list[dict[str, Any]] = []
    reasons = []
    quiet = (
        _quiet_leg(timeline, high[0][0], thresholds)
        if high and len(high) >= thresholds.radiating_high_days
        else None
    )
    if quiet is not None:
        evidence.append(
            {
                "date": iso(quiet[0][0]),
                "quiet_until": iso(quiet[-1][0]),
                "quiet_days_recorded": len(quiet),
                "max_leg_pain": max(value for _, value in quiet),
                "first_high_day": iso(high[0][0]),
            }
        )
        evidence.extend({"date": iso(day), "leg_pain": value} for day, value in high)
        reasons.append(
            f"leg pain <= {thresholds.no_leg_pain_max} on all {len(quiet)} recorded days from "
            f"{iso(quiet[0][0])} to {iso(quiet[-1][0])}, then >= {thresholds.radiating_leg_pain} "
            f"on {len(high)} of the last {window_days} days"
        )
    tick = _new_radiating_tick(timeline, window, thresholds)
    if tick is not None:
        first, quiet_count = tick
        evidence.append(
            {"date": iso(first), "symptoms": ["radiating_pain"], "days_without_before": quiet_count}
        )
        reasons.append(
            f"radiating leg pain ticked on {iso(first)} after {quiet_count} recorded days "
            "without it"
        )
    if not reasons:
        return []
    signs = neuro_signs(window, _WEAKNESS_NUMBNESS_SYMPTOMS, _WEAKNESS_NUMBNESS_ANSWERS)
    evidence.extend(signs)
    explanation = (
        f"New radiating leg pain: {'; '.join(reasons)}. Possible recurrent disc herniation."
    )
    if signs:
        explanation += " Urgent because of leg weakness or numbness."
        noticed = (
            "You have new pain going down your leg, together with weakness or numbness. Your "
            "surgical team needs to check this today."
        )
        return [NEW_RADIATING.finding(Level.URGENT, noticed, explanation, evidence)]
    noticed = (
        "You have new pain going down your leg after a time without it. Your surgeon's team "
        "would like to check on this."
    )
    return [NEW_RADIATING.finding(Level.SOON, noticed, explanation, evidence)]


# P3 --------------------------------------------------------------------------------------

# v2: without a pre-operative value, the baseline is the mean of the first 3 recorded days of
# post-operative days 1-14 (`daily_baseline`), not of days 1-3 only.
# P3: around day leg_check_day, the leg-pain 7-day mean and its §2 baseline (the first 3
# recorded days of post-operative days 1-14, when there is no pre-operative value).
LEG_NO_MCID_6W_DAYS = DaysRead(
    spans=(
        Lookback(WINDOW_DAYS, fields=("leg_pain",)),
        PostOperative(BASELINE_FIRST_POSTOP_DAY, BASELINE_LAST_POSTOP_DAY, fields=("leg_pain",)),
    ),
    from_day=lambda t: t.leg_check_day - t.leg_check_tolerance_days,
    until_day=lambda t: t.leg_check_day + t.leg_check_tolerance_days,
)
LEG_NO_MCID_6W = RuleInfo(
    rule_id="P3-LEG-NO-MCID-6W",
    version=2,
    section="§4",
    label="[E]",
    title="Leg pain not meaningfully better at 6 weeks",
    position=3,
    levels=(Level.REVIEW,),
    reviewer="surgeon",
    condition=(
        "At week 6 the 7-day mean of leg pain has fallen by less than 30 % and by less than "
        "2 points from baseline. Baseline: the pre-operative value, else the mean of the first "
        "3 recorded days in post-operative days 1 to 14. Quiet when there is no leg pain to "
        "relieve (a mean of 1 or less) or no baseline."
    ),
    window="Day 42, give or take 3 days: the 7-day mean of leg pain.",
    sources=(
        "BASS 2011: 91 % have leg-pain relief by 6 weeks, and later improvement is unlikely.",
        "Ostelo et al., Spine 2008: a change of 2 points or 30 % in pain is meaningful.",
    ),
    reads=("leg_pain", "baseline_leg_pain"),
    days=LEG_NO_MCID_6W_DAYS,
)


@implements(LEG_NO_MCID_6W)
def leg_pain_not_improved_at_6_weeks(
    timeline: Timeline, as_of: date, thresholds: Thresholds
) -> list[Finding]:
    """P3-LEG-NO-MCID-6W [E]: at week 6 (day 42 ± 3) the leg-pain 7-day mean has fallen
    < 30 % and < 2 points from baseline (§2) -> review (surgeon).

    Baseline (`daily_baseline`): the pre-operative value, else the mean of the first 3
    recorded days of post-operative days 1-14; evidence names its source and dates.

    Quiet when the 7-day mean is <= no_leg_pain_max (no leg pain to relieve, as in P2) or when
    there is no baseline.
    """
    day_number = timeline.day_number(as_of)
    if abs(day_number - thresholds.leg_check_day) > thresholds.leg_check_tolerance_days:
        return []
    current = seven_day_mean(timeline, as_of, "leg_pain", min_days=thresholds.trend_min_days)
    found = daily_baseline(timeline, "leg_pain")
    if current is None or found is None or current <= thresholds.no_leg_pain_max:
        return []
    mcid = thresholds.meaningful_change["pain"]
    if meaningful_improvement(found.value, current, mcid.points, mcid.percent):
        return []
    fall = found.value - current
    percent = f"{fall / found.value * 100:.0f} %" if found.value else "n/a"
    evidence = [
        baseline_evidence(timeline, "leg_pain", found),
        mean_evidence(as_of, "leg_pain", current),
    ]
    explanation = (
        f"At {week_and_day(timeline, as_of)} the leg-pain 7-day mean is {current:.1f} vs "
        f"baseline {found.value:.1f} ({found.source}): fall {fall:.1f} points ({percent}), "
        f"short of the meaningful change {mcid.reference}. Most patients with leg-pain relief "
        "have it by 6 weeks; later improvement is unlikely (BASS 2011)."
    )
    noticed = (
        "Your leg pain has not eased as much as we would hope by now. Your surgeon will look at "
        "your progress and may want to talk with you."
    )
    return [LEG_NO_MCID_6W.finding(Level.REVIEW, noticed, explanation, evidence)]


# P5, P6 ----------------------------------------------------------------------------------

# v2: through P4, a questionnaire score dated on the day of surgery is post-operative.
# P5: from day chronic_from_day, the 7-day means of pain (and P4's questionnaires).
CHRONIC_POSTSURGICAL_DAYS = DaysRead(
    spans=(Lookback(WINDOW_DAYS),), from_day=lambda t: t.chronic_from_day
)
CHRONIC_POSTSURGICAL = RuleInfo(
    rule_id="P5-CHRONIC-POSTSURGICAL",
    version=2,
    section="§4",
    label="[E]",
    title="Possible chronic post-surgical pain",
    position=5,
    levels=(Level.REVIEW,),
    condition=(
        "From 3 months after surgery, the 7-day mean of back or leg pain is 4 or more, or P4 "
        "found function not meaningfully better at week 12: possible chronic post-surgical "
        "pain (persistent spinal pain syndrome type 2)."
    ),
    window="From day 90: the 7-day means of pain, and the week-12 ODI or PEG (as P4).",
    sources=(
        "Schug et al., Pain 2019: ICD-11 chronic post-surgical pain is pain 3 months or more "
        "after surgery (MG30.21).",
        "Christelis et al., Pain Med 2021: the name persistent spinal pain syndrome type 2.",
    ),
    reads=("back_pain", "leg_pain"),
    questionnaires=("odi", "peg"),
    days=CHRONIC_POSTSURGICAL_DAYS,
)


def _pain_means_at_least(
    timeline: Timeline, as_of: date, threshold: float, thresholds: Thresholds
) -> dict[str, float]:
    """Back and leg 7-day means on `as_of` that reach `threshold`, by field."""
    found = {}
    for field in PAIN_FIELDS:
        mean = seven_day_mean(timeline, as_of, field, min_days=thresholds.trend_min_days)
        if mean is not None and reaches(mean, threshold):
            found[field] = mean
    return found


@implements(CHRONIC_POSTSURGICAL)
def chronic_postsurgical_pain(
    timeline: Timeline, as_of: date, thresholds: Thresholds
) -> list[Finding]:
    """P5-CHRONIC-POSTSURGICAL [E]: from day 90, back or leg 7-day mean >= 4, or P4 positive
    -> review: possible chronic post-surgical pain (persistent spinal pain syndrome type 2)."""
    if timeline.day_number(as_of) < thresholds.chronic_from_day:
        return []
    means = _pain_means_at_least(timeline, as_of, thresholds.chronic_pain, thresholds)
    evidence = [mean_evidence(as_of, field, mean) for field, mean in means.items()]
    reasons = [
        f"{PAIN_NAMES[field]} 7-day mean {mean:.1f} >= {thresholds.chronic_pain:g}"
        for field, mean in means.items()
    ]
    check = function_not_improved(timeline, as_of, thresholds)
    if check is not None:
        evidence.extend(check.evidence())
        reasons.append(
            f"{check.instrument.upper()} fell only {check.fall_percent:.0f} % by week 12 (P4)"
        )
    if not reasons:
        return []
    explanation = (
        f"At {week_and_day(timeline, as_of)}: {'; '.join(reasons)}. Possible chronic "
        "post-surgical pain (persistent spinal pain syndrome type 2; ICD-11 MG30.21, pain "
        ">= 3 months after surgery, Schug 2019; naming Christelis 2021)."
    )
    noticed = (
        "Three months after your operation you still have more pain or difficulty than we "
        "would hope. Your care team will look at your progress and may talk with you about "
        "further support."
    )
    return [CHRONIC_POSTSURGICAL.finding(Level.REVIEW, noticed, explanation, evidence)]


# P6: from day specialist_from_day, the 7-day means of pain.
PAIN_SPECIALIST_DAYS = DaysRead(
    spans=(Lookback(WINDOW_DAYS),), from_day=lambda t: t.specialist_from_day
)
PAIN_SPECIALIST = RuleInfo(
    rule_id="P6-PAIN-SPECIALIST",
    version=1,
    section="§4",
    label="[E]",
    title="Consider specialist pain assessment",
    position=6,
    levels=(Level.REVIEW,),
    condition=(
        "From 6 months after surgery, the 7-day mean of back or leg pain is 5 or more: "
        "consider specialist pain assessment."
    ),
    window="From day 180: the 7-day means of back and leg pain.",
    sources=(
        "NICE TA159: pain of 50/100 or more for 6 months or more is the bar for spinal cord "
        "stimulation.",
    ),
    reads=("back_pain", "leg_pain"),
    days=PAIN_SPECIALIST_DAYS,
)


@implements(PAIN_SPECIALIST)
def pain_specialist_referral(
    timeline: Timeline, as_of: date, thresholds: Thresholds
) -> list[Finding]:
    """P6-PAIN-SPECIALIST [E]: from day 180, back or leg 7-day mean >= 5 -> review: consider
    specialist pain assessment (NICE TA159)."""
    if timeline.day_number(as_of) < thresholds.specialist_from_day:
        return []
    means = _pain_means_at_least(timeline, as_of, thresholds.specialist_pain, thresholds)
    if not means:
        return []
    evidence = [mean_evidence(as_of, field, mean) for field, mean in means.items()]
    described = ", ".join(f"{PAIN_NAMES[f]} 7-day mean {m:.1f}" for f, m in means.items())
    explanation = (
        f"At {week_and_day(timeline, as_of)}: {described} (>= "
        f"{thresholds.specialist_pain:g}): consider specialist pain assessment (NICE TA159: "
        ">= 50/100 for >= 6 months for spinal cord stimulation)."
    )
    noticed = (
        "Six months after your operation your pain is still high. Your care team will look at "
        "whether a pain specialist could help."
    )
    return [PAIN_SPECIALIST.finding(Level.REVIEW, noticed, explanation, evidence)]


# P7 --------------------------------------------------------------------------------------

# P7: after day sustained_after_day, the last 7 days.
SUSTAINED_HIGH_DAYS = DaysRead(
    spans=(Lookback(WINDOW_DAYS),), from_day=lambda t: t.sustained_after_day + 1
)
SUSTAINED_HIGH = RuleInfo(
    rule_id="P7-SUSTAINED-HIGH",
    version=1,
    section="§4",
    label="[E] severity, window [D]",
    title="Sustained severe pain",
    position=7,
    levels=(Level.SOON,),
    condition="After day 14, back or leg pain of 7 or more on at least 5 of the last 7 days.",
    window="From day 15: the last 7 days.",
    sources=(
        "Pain of 7 to 10 out of 10 is severe (the reference names no single source). The "
        "5-of-7-days window is a design choice.",
    ),
    reads=("back_pain", "leg_pain"),
    days=SUSTAINED_HIGH_DAYS,
)


@implements(SUSTAINED_HIGH)
def sustained_high_pain(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """P7-SUSTAINED-HIGH ([E] severity, window [D]): after day 14, back or leg pain >= 7 on
    >= 5 of the last 7 days -> soon."""
    if timeline.day_number(as_of) <= thresholds.sustained_after_day:
        return []
    high = []
    for record in records_between(timeline, as_of - n_days(6), as_of):
        back, leg = numeric(record.back_pain), numeric(record.leg_pain)
        values = [v for v in (back, leg) if v is not None]
        if values and reaches(max(values), thresholds.sustained_pain):
            high.append({"date": iso(record.day), "back_pain": back, "leg_pain": leg})
    if len(high) < thresholds.sustained_days:
        return []
    explanation = (
        f"Back or leg pain >= {thresholds.sustained_pain} on {len(high)} of the 7 days up to "
        f"{iso(as_of)} ({week_and_day(timeline, as_of)}); NRS 7-10 is severe pain."
    )
    noticed = (
        "Your pain has been severe on most days this week. Your surgeon's team can help you "
        "manage it."
    )
    return [SUSTAINED_HIGH.finding(Level.SOON, noticed, explanation, high)]


# P10 -------------------------------------------------------------------------------------

# P10: from day opioid_from_day, the opioid answers of days opioid_from_day to
# opioid_until_day (Goyal's days 90-180), whatever as_of is.
OPIOID_PROLONGED_DAYS = DaysRead(
    spans=(
        PostOperative(
            lambda t: t.opioid_from_day, lambda t: t.opioid_until_day, fields=("opioid_doses",)
        ),
    ),
    from_day=lambda t: t.opioid_from_day,
)
OPIOID_PROLONGED = RuleInfo(
    rule_id="P10-OPIOID-PROLONGED",
    version=2,
    section="§4",
    label="[E]",
    title="Prolonged opioid use",
    position=10,
    levels=(Level.REVIEW,),
    condition=(
        "An opioid taken on 50 % or more of the recorded days between day 90 and day 180; "
        "checked from day 90 on the days recorded so far, once there are enough of them."
    ),
    window="Days 90 to 180 after surgery.",
    sources=("Goyal et al.: persistent opioid use is defined over days 90 to 180.",),
    reads=("opioid_doses",),
    days=OPIOID_PROLONGED_DAYS,
)


@implements(OPIOID_PROLONGED)
def prolonged_opioid_use(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """P10-OPIOID-PROLONGED [E]: opioid taken on >= 50 % of the recorded days between day 90
    and day 180 -> review. Evaluated from day 90 on the days recorded so far, once they reach
    the §4 minimum (trend_min_days).
    v2: the evidence is dated by the latest day with an opioid (the window's start is `from`),
    so a flag resolved earlier opens again when opioids are still being taken after it."""
    if timeline.day_number(as_of) < thresholds.opioid_from_day:
        return []
    start = timeline.surgery_date + n_days(thresholds.opioid_from_day)
    end = min(as_of, timeline.surgery_date + n_days(thresholds.opioid_until_day))
    found = opioid_days(timeline, start, end)
    if found.recorded < max(thresholds.trend_min_days, 1) or found.percent is None:
        return []
    if not reaches(found.percent, thresholds.opioid_days_percent):
        return []
    evidence = [
        {
            "date": iso(max(found.with_opioid)),
            "from": iso(start),
            "until": iso(end),
            "days_with_opioid": len(found.with_opioid),
            "recorded_days": found.recorded,
            "percent": rounded(found.percent),
            "opioid_dates": [iso(day) for day in found.with_opioid],
        }
    ]
    explanation = (
        f"Opioid taken on {len(found.with_opioid)} of {found.recorded} recorded days "
        f"({found.percent:.0f} %) from day {thresholds.opioid_from_day} to "
        f"{week_and_day(timeline, end)}: persistent post-operative opioid use (Goyal)."
    )
    noticed = (
        "You are still taking strong painkillers most days, three months or more after your "
        "operation. Your care team will look at this and may talk with you about your pain "
        "medicines."
    )
    return [OPIOID_PROLONGED.finding(Level.REVIEW, noticed, explanation, evidence)]
