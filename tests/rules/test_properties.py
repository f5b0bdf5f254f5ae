"""Properties of rule evaluation over arbitrary timelines.

Timelines mix scattered check-ins (any field may be unanswered), runs of consecutive days
(so that trend rules have something to chew on), entries before and on the day of surgery,
and up to two years of data.
"""

import json
import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rules import SURGERY, day
from tracker.rules.definition import rule_info
from tracker.rules.registry import (
    ALL_RULES,
    QUESTIONNAIRE_RULES,
    RULES_BY_ID,
    evaluate,
    questionnaire_findings_for_day,
    safety_findings_for_day,
)
from tracker.rules.thresholds import Thresholds
from tracker.timeline import LEVEL_ORDER, DayRecord, Level, QuestionnaireScore, Timeline
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES, SYMPTOM_CODES

ANSWERS = [*SAFETY_ANSWER_CODES, "not_a_code"]
SYMPTOMS = [*SYMPTOM_CODES, "not_a_symptom"]
SIDES = ["", "left", "right", "both", "none", "sideways"]
LEG_SIDES = ["", "none", "left", "right", "both", "elsewhere"]

maybe = st.none
pain = st.one_of(maybe(), st.integers(min_value=0, max_value=10))


@st.composite
def temperature_readings(draw, n: int) -> tuple:
    """RF-FEVER readings of day n (give or take a day), including unreadable times."""
    stamp = st.one_of(
        st.integers(min_value=-36 * 60, max_value=60 * 60).map(
            lambda minutes: (
                f"{day(n).isoformat()}T00:00:00+00:00"
                if minutes == 0
                else (
                    datetime.combine(day(n), datetime.min.time(), tzinfo=UTC)
                    + timedelta(minutes=minutes)
                ).isoformat()
            )
        ),
        st.sampled_from(["", "yesterday", f"{day(n).isoformat()}T08:00:00", "2026-13-40T00:00Z"]),
    )
    celsius = st.one_of(maybe(), st.floats(min_value=34.0, max_value=43.0), st.just(37.8))
    return tuple(draw(st.lists(st.tuples(stamp, celsius), max_size=4)))


@st.composite
def scattered_record(draw, n: int) -> DayRecord:
    return DayRecord(
        day=day(n),
        back_pain=draw(pain),
        leg_pain=draw(pain),
        leg_side=draw(st.sampled_from(LEG_SIDES)),
        symptoms=draw(
            st.dictionaries(st.sampled_from(SYMPTOMS), st.sampled_from(SIDES), max_size=4)
        ),
        safety_answers=draw(st.frozensets(st.sampled_from(ANSWERS), max_size=4)),
        temperature_c=draw(st.one_of(maybe(), st.floats(min_value=34.0, max_value=43.0))),
        walking_minutes=draw(st.one_of(maybe(), st.integers(min_value=0, max_value=600))),
        opioid_doses=draw(st.one_of(maybe(), st.integers(min_value=0, max_value=20))),
        took_other_painkillers=draw(st.one_of(maybe(), st.booleans())),
        took_nerve_pain_medicine=draw(st.one_of(maybe(), st.booleans())),
        sleep_disturbance=draw(pain),
        exercise_done=draw(st.one_of(maybe(), st.integers(min_value=0, max_value=10))),
        exercise_prescribed=draw(st.one_of(maybe(), st.integers(min_value=0, max_value=10))),
        temperature_readings=draw(temperature_readings(n)),
        new_numbness_side=draw(st.sampled_from(SIDES)),
    )


def _maybe(rng: random.Random, value, none_share: float = 0.15):
    return None if rng.random() < none_share else value


def run_of_days(seed: int, first: int, length: int) -> list[DayRecord]:
    """Consecutive check-ins with drifting pain, as real patients produce, from a seed."""
    rng = random.Random(seed)
    level = rng.uniform(0, 10)
    records = []
    for n in range(first, first + length):
        if rng.random() < 0.1:
            continue  # a missed day
        level = min(10.0, max(0.0, level + rng.uniform(-1.5, 1.5)))
        answers = frozenset(rng.sample(ANSWERS, k=1)) if rng.random() < 0.05 else frozenset()
        symptoms = {rng.choice(SYMPTOMS): rng.choice(SIDES)} if rng.random() < 0.3 else {}
        records.append(
            DayRecord(
                day=day(n),
                back_pain=_maybe(rng, round(level)),
                leg_pain=_maybe(rng, round(min(10, max(0, level + rng.uniform(-3, 3))))),
                leg_side=rng.choice(LEG_SIDES),
                symptoms=symptoms,
                safety_answers=answers,
                temperature_c=_maybe(rng, round(rng.uniform(36.0, 39.0), 1), 0.8),
                walking_minutes=_maybe(rng, rng.randint(0, 90)),
                opioid_doses=_maybe(rng, rng.choice([0, 0, 1, 2])),
                took_other_painkillers=_maybe(rng, rng.random() < 0.5),
                took_nerve_pain_medicine=_maybe(rng, rng.random() < 0.2),
                exercise_done=_maybe(rng, rng.randint(0, 3)),
                exercise_prescribed=_maybe(rng, rng.choice([0, 2, 3]), 0.3),
            )
        )
    return records


questionnaire = st.builds(
    QuestionnaireScore,
    instrument=st.sampled_from(["phq2", "phq9", "peg", "odi", "other"]),
    day=st.integers(min_value=-30, max_value=760).map(day),
    total=st.one_of(st.integers(min_value=0, max_value=100), st.floats(allow_nan=True)),
    items=st.dictionaries(
        st.sampled_from(["phq-q1", "phq-q2", "phq-q9"]),
        st.integers(min_value=0, max_value=3),
        max_size=3,
    ),
)


@st.composite
def timelines(draw) -> Timeline:
    records: dict[date, DayRecord] = {}
    for n in draw(st.lists(st.integers(min_value=-20, max_value=730), max_size=25)):
        records[day(n)] = draw(scattered_record(n))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        seed = draw(st.integers(min_value=0, max_value=2**32))
        first = draw(st.integers(min_value=-10, max_value=700))
        length = draw(st.integers(min_value=1, max_value=200))
        for record in run_of_days(seed, first, length):
            records[record.day] = record
    return Timeline(
        surgery_date=SURGERY,
        days=tuple(records[d] for d in sorted(records)),
        questionnaires=tuple(
            sorted(draw(st.lists(questionnaire, max_size=8)), key=lambda q: q.day)
        ),
        baseline_back_pain=draw(st.one_of(maybe(), st.floats(min_value=0, max_value=10))),
        baseline_leg_pain=draw(st.one_of(maybe(), st.floats(min_value=0, max_value=10))),
    )


def as_of_for(tl: Timeline, data: st.DataObject) -> date:
    candidates = st.integers(min_value=-30, max_value=760).map(day)
    if tl.days:
        candidates = st.one_of(candidates, st.sampled_from([r.day for r in tl.days]))
    return data.draw(candidates)


def copy_of(tl: Timeline) -> Timeline:
    """An equal timeline built afresh (no cached index shared with the original)."""
    return Timeline(
        surgery_date=tl.surgery_date,
        days=tuple(tl.days),
        questionnaires=tuple(tl.questionnaires),
        baseline_back_pain=tl.baseline_back_pain,
        baseline_leg_pain=tl.baseline_leg_pain,
    )


PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(timelines(), st.data())
def test_no_rule_raises_on_any_timeline(tl, data):
    as_of = as_of_for(tl, data)
    for rule in ALL_RULES:
        findings = rule(tl, as_of, Thresholds())  # directly: evaluate's safety net hides errors
        assert isinstance(findings, list)


@PROPERTY_SETTINGS
@given(timelines(), st.data())
def test_evaluation_is_deterministic_and_well_formed(tl, data):
    as_of = as_of_for(tl, data)
    findings = evaluate(tl, as_of)
    assert evaluate(tl, as_of) == findings
    assert evaluate(copy_of(tl), as_of) == findings
    ranks = [f.level.rank for f in findings]
    assert ranks == sorted(ranks)
    for finding in findings:
        assert finding.level in LEVEL_ORDER
        assert finding.rule_id in RULES_BY_ID
        assert finding.rule_version == rule_info(RULES_BY_ID[finding.rule_id]).version
        assert finding.patient_message
        assert finding.rule_id in finding.clinician_explanation
        assert finding.evidence
        for item in finding.evidence:
            date.fromisoformat(item["date"])
        json.dumps(finding.evidence)
        if finding.level is Level.EMERGENCY:
            assert "Do not drive yourself" in finding.patient_message
    assert len({f.rule_id for f in findings}) == len(findings)


@PROPERTY_SETTINGS
@given(timelines(), st.data())
def test_evaluation_never_reads_beyond_as_of(tl, data):
    as_of = as_of_for(tl, data)
    assert evaluate(tl, as_of) == evaluate(tl.until(as_of), as_of)


@PROPERTY_SETTINGS
@given(timelines(), st.data())
def test_response_screens_show_the_same_findings_as_evaluate(tl, data):
    as_of = as_of_for(tl, data)
    safety = safety_findings_for_day(tl, as_of)
    assert all(f.rule_id.startswith("RF-") for f in safety)
    everything = evaluate(tl, as_of)
    assert safety == [f for f in everything if f.rule_id.startswith("RF-")]
    questionnaire_ids = {rule_info(rule).rule_id for rule in QUESTIONNAIRE_RULES}
    assert questionnaire_findings_for_day(tl, as_of) == [
        f for f in everything if f.rule_id in questionnaire_ids
    ]


tighter_overrides = st.fixed_dictionaries(
    {},
    optional={
        "trend_min_days": st.integers(min_value=0, max_value=7),
        "hematoma_jump": st.floats(min_value=0, max_value=3),
        "fever_c": st.floats(min_value=36, max_value=38),
        "uncontrolled_days": st.integers(min_value=0, max_value=5),
        "rebound_persist_days": st.integers(min_value=0, max_value=10),
        "rebound_points": st.floats(min_value=0, max_value=5),
        "radiating_window_days": st.integers(min_value=0, max_value=10),
        "silence_days_early": st.integers(min_value=0, max_value=10),
        "leg_check_tolerance_days": st.integers(min_value=0, max_value=10),
        "function_tolerance_days": st.integers(min_value=0, max_value=30),
        "constipation_opioid_days": st.integers(min_value=0, max_value=10),
        "phq9_item9_recent_days": st.integers(min_value=0, max_value=30),
    },
)


@PROPERTY_SETTINGS
@given(timelines(), tighter_overrides, st.data())
def test_no_rule_raises_with_any_accepted_thresholds(tl, overrides, data):
    thresholds = Thresholds.from_overrides(overrides)
    as_of = as_of_for(tl, data)
    for rule in ALL_RULES:
        rule(tl, as_of, thresholds)


def test_two_years_of_daily_data_evaluated_every_day():
    tl = Timeline(surgery_date=SURGERY, days=tuple(run_of_days(seed=7, first=-5, length=735)))
    for n in range(-3, 735, 1):
        as_of = SURGERY + timedelta(days=n)
        for rule in ALL_RULES:
            rule(tl, as_of, Thresholds())


def test_a_single_day_on_the_day_of_surgery():
    everything = DayRecord(
        day=SURGERY,
        back_pain=10,
        leg_pain=10,
        leg_side="both",
        symptoms=dict.fromkeys(SYMPTOM_CODES, "both"),
        safety_answers=frozenset(SAFETY_ANSWER_CODES),
        temperature_c=39.0,
        opioid_doses=3,
    )
    tl = Timeline(surgery_date=SURGERY, days=(everything,))
    findings = evaluate(tl, SURGERY)
    assert findings[0].level is Level.EMERGENCY
    assert {f.rule_id for f in findings} >= {"RF-CES-BLADDER", "RF-HEMATOMA", "RF-CSF"}
    assert evaluate(Timeline(surgery_date=SURGERY), SURGERY) == []
