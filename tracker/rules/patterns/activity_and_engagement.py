"""Pattern rules of activity and engagement (§4 P9 exercise, P11 walking, P12 check-ins)."""

from __future__ import annotations

from datetime import date

from tracker.rules.days_read import DaysRead, Lookback
from tracker.rules.definition import RuleInfo, implements, iso, rounded
from tracker.rules.patterns.windows import (
    mean_evidence,
    n_days,
    post_operative_start,
    required_days,
    week_and_day,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import Finding, Level, Timeline
from tracker.trends.series import (
    adherence_between,
    last_checkin,
    reaches,
    seven_day_mean,
    week_dates,
    week_since_surgery,
    window_mean,
)

# P9 --------------------------------------------------------------------------------------

# P9: the last 2 complete weeks since surgery and the 2 weeks before them; the week of as_of
# may be incomplete, so these 4 weeks start at most 34 days before as_of: 5 weeks back.
ADHERENCE_DAYS = DaysRead(spans=(Lookback(5 * 7),), from_day=0)
ADHERENCE = RuleInfo(
    rule_id="P9-ADHERENCE",
    version=1,
    section="§4",
    label="[D]",
    title="Exercise programme not followed",
    position=9,
    levels=(Level.REVIEW,),
    reviewer="physiotherapist",
    condition=(
        "Less than 50 % of the prescribed exercise sessions done in each of the last 2 "
        "complete weeks since surgery, or 50 % or more fewer than in the 2 weeks before. Quiet "
        "when nothing was prescribed."
    ),
    window="The last 2 complete weeks since surgery and the 2 weeks before them.",
    sources=("A design choice; trials often call 80 % or more adherent.",),
    reads=("exercise_done", "exercise_prescribed"),
    days=ADHERENCE_DAYS,
)


@implements(ADHERENCE)
def low_exercise_adherence(
    timeline: Timeline, as_of: date, thresholds: Thresholds
) -> list[Finding]:
    """P9-ADHERENCE [D]: over the last 2 complete weeks since surgery, < 50 % of prescribed
    exercise sessions done in each week, or adherence down >= 50 % from the 2 weeks before
    -> review (physiotherapist). Quiet when nothing was prescribed."""
    day_number = timeline.day_number(as_of)
    if day_number < 0:
        return []
    last_complete = week_since_surgery(timeline, as_of) - (0 if day_number % 7 == 6 else 1)
    if last_complete < 1:
        return []
    weeks = [last_complete - 1, last_complete]
    per_week = [adherence_between(timeline, *week_dates(timeline, w)) for w in weeks]
    evidence = [
        {
            "date": iso(week_dates(timeline, week)[0]),
            "week": week,
            "done": result.done,
            "prescribed": result.prescribed,
            "percent": rounded(result.percent),
        }
        for week, result in zip(weeks, per_week, strict=True)
    ]
    reasons = []
    if all(
        r.percent is not None and r.percent < thresholds.adherence_low_percent for r in per_week
    ):
        reasons.append(
            f"< {thresholds.adherence_low_percent:g} % of prescribed sessions in each of weeks "
            f"{weeks[0]} and {weeks[1]}"
        )
    if last_complete >= 3:
        recent = adherence_between(
            timeline, week_dates(timeline, weeks[0])[0], week_dates(timeline, weeks[1])[1]
        )
        before_start = week_dates(timeline, last_complete - 3)[0]
        before_end = week_dates(timeline, last_complete - 2)[1]
        before = adherence_between(timeline, before_start, before_end)
        if recent.percent is not None and before.percent:
            drop = (before.percent - recent.percent) / before.percent * 100
            if reaches(drop, thresholds.adherence_drop_percent):
                evidence.insert(
                    0,
                    {
                        "date": iso(before_start),
                        "weeks": [last_complete - 3, last_complete - 2],
                        "done": before.done,
                        "prescribed": before.prescribed,
                        "percent": rounded(before.percent),
                    },
                )
                reasons.append(
                    f"adherence {recent.percent:.0f} % in weeks {weeks[0]}-{weeks[1]} vs "
                    f"{before.percent:.0f} % in the 2 weeks before (drop {drop:.0f} %)"
                )
    if not reasons:
        return []
    explanation = f"Exercise adherence: {'; '.join(reasons)}. Trials often call >= 80 % adherent."
    noticed = (
        "You have done fewer of your exercises than planned over the last two weeks. That "
        "happens. Your physiotherapist will look at your programme and may adjust it with you."
    )
    return [ADHERENCE.finding(Level.REVIEW, noticed, explanation, evidence)]


# P11 -------------------------------------------------------------------------------------

# P11: after day walking_after_day, the last 7 days and the 14 days before them.
WALKING_DECLINE_DAYS = DaysRead(
    spans=(Lookback(7 + 14),), from_day=lambda t: t.walking_after_day + 1
)
WALKING_DECLINE = RuleInfo(
    rule_id="P11-WALKING-DECLINE",
    version=1,
    section="§4",
    label="[D]",
    title="Walking declining",
    position=11,
    levels=(Level.SOON, Level.REVIEW),
    reviewer="physiotherapist",
    condition=(
        "After week 2, the 7-day mean of walking minutes is 50 % or more below its mean in "
        "the 2 weeks before: review. Soon when the 7-day mean of leg pain is also 2 or more "
        "points above its mean in those 2 weeks."
    ),
    window="From day 15: the last 7 days against the 2 weeks before them.",
    sources=("A design choice.",),
    reads=("walking_minutes", "leg_pain"),
    days=WALKING_DECLINE_DAYS,
)


@implements(WALKING_DECLINE)
def walking_decline(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """P11-WALKING-DECLINE [D]: after week 2, the 7-day mean of walking minutes is >= 50 %
    below the mean of the 2 weeks before it -> review (physiotherapist); soon when the
    leg-pain 7-day mean is also >= 2 points above its mean of those 2 weeks."""
    if timeline.day_number(as_of) <= thresholds.walking_after_day:
        return []
    min_days = thresholds.trend_min_days
    current = seven_day_mean(timeline, as_of, "walking_minutes", min_days=min_days)
    before_end = as_of - n_days(7)
    before_start = post_operative_start(timeline, before_end - n_days(13))
    before = window_mean(
        timeline,
        before_start,
        before_end,
        "walking_minutes",
        min_days=required_days(14, thresholds),
    )
    if current is None or not before or before <= 0:
        return []
    drop = (before - current) / before * 100
    if not reaches(drop, thresholds.walking_drop_percent):
        return []
    evidence = [
        {
            "date": iso(before_start),
            "until": iso(before_end),
            "walking_minutes_mean": rounded(before),
        },
        mean_evidence(as_of, "walking_minutes", current),
    ]
    explanation = (
        f"Walking 7-day mean {current:.0f} min vs {before:.0f} min in the 2 weeks before "
        f"(drop {drop:.0f} % >= {thresholds.walking_drop_percent:g} %)."
    )
    leg_now = seven_day_mean(timeline, as_of, "leg_pain", min_days=min_days)
    leg_before = window_mean(
        timeline, before_start, before_end, "leg_pain", min_days=required_days(14, thresholds)
    )
    if (
        leg_now is not None
        and leg_before is not None
        and reaches(leg_now - leg_before, thresholds.walking_leg_pain_rise)
    ):
        evidence.append(
            {
                "date": iso(as_of),
                "leg_pain_7_day_mean": rounded(leg_now),
                "leg_pain_mean_before": rounded(leg_before),
            }
        )
        explanation += f" Leg pain rose too: 7-day mean {leg_now:.1f} vs {leg_before:.1f}; soon."
        noticed = (
            "You are walking much less than before, and your leg pain has gone up. Your "
            "surgeon's team would like to check on this."
        )
        return [WALKING_DECLINE.finding(Level.SOON, noticed, explanation, evidence)]
    noticed = (
        "You are walking much less than in the weeks before. Your physiotherapist will look at "
        "this and may suggest ways to build up again."
    )
    return [WALKING_DECLINE.finding(Level.REVIEW, noticed, explanation, evidence)]


# P12 -------------------------------------------------------------------------------------

# v2: counts fully missed days (the day of the run is not over, so not yet missed); evidence
# gains `missed_days`.
# P12: the date of the latest check-in on or before as_of, however long ago.
SILENCE_DAYS = DaysRead(from_day=0, latest_checkin=True)
SILENCE = RuleInfo(
    rule_id="P12-SILENCE",
    version=2,
    section="§4",
    label="[D]",
    title="No recent check-in",
    position=12,
    levels=(Level.REVIEW,),
    condition=(
        "No check-in for 3 or more whole days in the first 6 weeks, or 7 or more later. The "
        "patient gets a friendly reminder first; the care team's flag follows a day later if "
        "the silence goes on."
    ),
    window="The days since the last check-in (or since surgery).",
    sources=("A design choice; a patient who stops logging is itself a warning sign.",),
    reads=("day",),
    days=SILENCE_DAYS,
)


def missed_days(timeline: Timeline, as_of: date) -> tuple[date | None, date, int]:
    """(last check-in, the day counted from, fully missed days) on `as_of`.

    Counted from the last check-in on or before `as_of`, or from the day of surgery when
    there is none since (no check-in is expected on the day of surgery). Missed days are the
    whole days strictly between that day and `as_of`: `as_of` itself is not over, so a run
    at 01:15 on day D after a check-in on D-3 has missed D-2 and D-1, 2 days.
    """
    last = last_checkin(timeline, as_of)
    since = max(last, timeline.surgery_date) if last else timeline.surgery_date
    return last, since, max((as_of - since).days - 1, 0)


@implements(SILENCE)
def check_ins_stopped(timeline: Timeline, as_of: date, thresholds: Thresholds) -> list[Finding]:
    """P12-SILENCE [D]: no check-in for >= 3 fully missed days before day 42, or >= 7 from
    then (`missed_days`) -> a review finding; the flag engine decides between a reminder to
    the patient and a flag.

    Evidence (one entry, dated the day counted from, i.e. the last check-in or the day of
    surgery): `last_checkin` (None when there has been none since surgery), `missed_days`
    (fully missed days, as_of excluded), `threshold_days` (the limit that applied on as_of)
    and `days_without_checkin` (calendar days since the last check-in, = missed_days + 1).
    `missed_days - threshold_days` is how far past its threshold the silence is: 0 on the
    first day the rule fires, >= 2 when it is past its threshold by more than a day.
    """
    day_number = timeline.day_number(as_of)
    if day_number < 0:
        return []
    last, since, missed = missed_days(timeline, as_of)
    early = day_number < thresholds.silence_early_until_day
    limit = thresholds.silence_days_early if early else thresholds.silence_days_late
    if missed < max(limit, 1):
        return []
    evidence = [
        {
            "date": iso(since),
            "last_checkin": iso(last) if last else None,
            "days_without_checkin": (as_of - since).days,
            "missed_days": missed,
            "threshold_days": limit,
        }
    ]
    explanation = (
        f"No check-in on {missed} full days "
        + (f"(last on {iso(last)})" if last else "(none since surgery)")
        + f" at {week_and_day(timeline, as_of)}; threshold {limit} days "
        + ("in weeks 0-6." if early else "after week 6.")
        + " Stopping logging can itself be a warning sign."
    )
    noticed = (
        f"We have not had a check-in from you for {missed} days. A quick check-in helps "
        "your care team follow your recovery. If something is worrying you, you can always "
        "contact them."
    )
    return [
        SILENCE.finding(
            Level.REVIEW,
            noticed,
            explanation,
            evidence,
            instruction="Please fill in today's check-in when you can.",
        )
    ]
