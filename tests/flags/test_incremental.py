"""Evaluating only what a day can change finds exactly what evaluating the whole history finds.

A save runs the rules whose window contains the day saved, over the days they read; the
nightly run runs every rule that can fire that day, over the days they read (each rule's
`RuleInfo.days`, tracker.rules.days_read). Over generated histories (up to 14 months of
check-ins with spells of high and low pain, walking, opioids and exercise, safety answers,
symptoms, temperatures, missed days and silences, weekly and milestone questionnaires, and a
clinic's own thresholds), for every rule:
- the nightly run's timeline (`timelines_to_evaluate`) gives the findings of the whole history;
- a save of any day of the 7-day edit window: each rule chosen gives, on the days it was
  loaded with, the findings of the whole history; each rule left out finds the same whatever
  that day's check-in holds (or without it), so leaving it to the nightly run misses nothing;
- `evaluate_patient` after a save and in the nightly run returns those same findings.
"""

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import make_patient
from tests.programme_data import prescribe
from tracker.flags.engine import evaluate_patient, thresholds_for, timelines_to_evaluate
from tracker.models import (
    CheckIn,
    ClinicThresholds,
    ExerciseLog,
    Flag,
    Patient,
    PatientReminder,
    QuestionnaireResponse,
)
from tracker.models.timelines import patient_timeline, rule_timeline
from tracker.questionnaires.scoring import SAFETY_ITEMS, partial_code
from tracker.rules import ALL_RULES, days_needed_for, evaluate, evaluate_rules, rules_to_run
from tracker.rules.definition import rule_info
from tracker.timeline import Timeline
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES, SYMPTOM_CODES

SURGERY = date(2026, 1, 5)
EDIT_WINDOW_DAYS = 7  # §1.1: earlier days stay editable for 7 days
(ITEM_9,) = SAFETY_ITEMS["phq9"]

# Days since surgery the history runs to ("today"): every rule's own days are tried often
# (RF-HEMATOMA's first week, P3's week 6, P4's week 12, P5 and P10 from day 90, P6 from 180).
TODAY = st.one_of(
    st.sampled_from([0, 3, 7, 9, 16, 20, 39, 42, 45, 77, 84, 91, 95, 120, 179, 181, 186, 250]),
    st.integers(min_value=0, max_value=430),
)
# A clinic's own thresholds, among them every one that moves a window or a rule's first day.
OVERRIDES = st.fixed_dictionaries(
    {},
    optional={
        "trend_min_days": st.integers(1, 7),
        "hematoma_last_day": st.integers(7, 10),
        "uncontrolled_days": st.integers(1, 3),
        "constipation_opioid_days": st.integers(1, 5),
        "phq9_item9_recent_days": st.integers(7, 28),
        "rebound_after_day": st.integers(7, 21),
        "rebound_persist_days": st.integers(2, 7),
        "radiating_quiet_days": st.integers(5, 21),
        "radiating_window_days": st.integers(3, 7),
        "leg_check_tolerance_days": st.integers(0, 7),
        "function_tolerance_days": st.integers(0, 14),
        "chronic_from_day": st.integers(60, 120),
        "specialist_from_day": st.integers(150, 200),
        "sustained_after_day": st.integers(7, 21),
        "opioid_from_day": st.integers(60, 120),
        "opioid_until_day": st.integers(130, 200),
        "walking_after_day": st.integers(7, 21),
        "silence_days_late": st.integers(3, 10),
    },
)
SIDES = ["", "left", "right", "both"]


def _maybe(rng: random.Random, value, none_share: float = 0.08):
    return None if rng.random() < none_share else value


def _near(rng: random.Random, level: int) -> int:
    return min(10, max(0, level + rng.choice([-1, 0, 0, 0, 1])))


class Spell:
    """What a stretch of days looks like; a new spell starts every week or two on average."""

    def __init__(self, rng: random.Random, first_week: bool = False):
        # The first week after surgery hurts more, and is when RF-HEMATOMA looks.
        self.back = rng.choice([3, 6, 8, 9] if first_week else [0, 1, 2, 3, 5, 7, 8, 9, 10])
        self.leg = rng.choice([0, 0, 1, 1, 2, 4, 5, 7, 9])
        self.walking = rng.choice([5, 20, 40, 80])
        self.opioids = rng.choice([0, 0, 1, 2])
        self.adherence = rng.choice([None, 0.1, 0.6, 1.0])
        self.missed = rng.choice([0.0, 0.0, 0.1, 0.4, 1.0])
        self.answers = rng.choice([0.02, 0.1] if first_week else [0.0, 0.01, 0.05])
        self.symptoms = rng.choice([0.02, 0.1, 0.4])
        self.fever = rng.choice([0.0, 0.05, 0.3])


def _temperatures(rng: random.Random, day: date) -> list[dict]:
    readings = []
    for _ in range(rng.randint(1, 2)):
        # Times in UTC around the patient's day, as far off as a time zone puts them.
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        moment = midnight + timedelta(minutes=rng.randrange(-14 * 60, 38 * 60, 30))
        at = None if rng.random() < 0.3 else moment.isoformat()
        celsius = rng.choice(["36.8", "37.5", "37.8", "37.9", "38.0", "38.6"])
        readings.append({"at": at, "temperature_c": celsius})
    return readings


def write_history(patient: Patient, rng: random.Random, today: int, item) -> None:
    """Check-ins from 3 days before surgery to day `today`, their exercise logs, and
    questionnaires, as a patient might leave them."""
    spell = Spell(rng, first_week=True)
    checkins, logs = [], []
    for n in range(-3, today + 1):
        if rng.random() < 0.08:
            spell = Spell(rng)
        if rng.random() < spell.missed:
            continue
        day = SURGERY + timedelta(days=n)
        safety = {code: rng.random() < spell.answers for code in SAFETY_ANSWER_CODES}
        readings = _temperatures(rng, day) if rng.random() < spell.fever else []
        checkin = CheckIn(
            patient=patient,
            day=day,
            back_pain=_maybe(rng, _near(rng, spell.back)),
            leg_pain=_maybe(rng, _near(rng, spell.leg)),
            leg_side=rng.choice(["", "none", "left", "right", "both"]),
            symptoms={
                code: rng.choice(SIDES) for code in SYMPTOM_CODES if rng.random() < spell.symptoms
            },
            safety=safety,
            temperature_readings=readings,
            temperature_c=max((Decimal(r["temperature_c"]) for r in readings), default=None),
            walking_minutes=_maybe(rng, max(0, spell.walking + rng.randint(-5, 5))),
            opioid_doses=_maybe(rng, spell.opioids),
            took_other_painkillers=_maybe(rng, rng.random() < 0.5),
            took_nerve_pain_medicine=_maybe(rng, rng.random() < 0.3),
            sleep_disturbance=_maybe(rng, rng.randint(0, 10)),
            new_numbness_side=rng.choice(SIDES[1:]) if safety["new_numbness"] else "",
        )
        checkins.append(checkin)
        if spell.adherence is not None:
            done = sum(rng.random() < spell.adherence for _ in range(3))
            logs.append((checkin, done))
    CheckIn.objects.bulk_create(checkins)
    ExerciseLog.objects.bulk_create(
        ExerciseLog(checkin=checkin, item=item, sessions_done=done, sessions_prescribed=3)
        for checkin, done in logs
    )
    QuestionnaireResponse.objects.bulk_create(_questionnaires(patient, rng, today))


def _questionnaires(patient: Patient, rng: random.Random, today: int):
    answered: dict[tuple[str, int], tuple[float, dict]] = {}
    if rng.random() < 0.5:
        answered["odi", -rng.randint(1, 10)] = (rng.randint(20, 70), {})
    for n in (14, 42, 84 + rng.randint(-10, 10), 180):
        if rng.random() < 0.7:
            answered["odi", n] = (rng.randint(5, 70), {})
    for n in range(-7, today + 1, 7):
        if rng.random() < 0.7:
            answered["peg", n + rng.randint(0, 2)] = (round(rng.uniform(0, 10), 2), {})
    for n in range(0, today + 1, 14):
        if rng.random() < 0.7:
            answered["phq2", n] = (rng.randint(0, 6), {})
        if rng.random() < 0.4:
            items = {ITEM_9: rng.choice([0, 0, 0, 1, 2])}
            code = "phq9" if rng.random() < 0.8 else partial_code("phq9")
            answered[code, n + rng.randint(0, 10)] = (rng.randint(0, 27), items)
    return [
        QuestionnaireResponse(
            patient=patient,
            instrument=code,
            day=SURGERY + timedelta(days=n),
            total=Decimal(str(total)),
            item_scores=items,
        )
        for (code, n), (total, items) in answered.items()
        if n <= today
    ]


@pytest.fixture
def history_patient(clinic, physio):
    patient = make_patient("history@clinic.test", clinic, team=(physio,))
    patient.surgery_date = SURGERY
    patient.save(update_fields=["surgery_date"])
    return patient, prescribe(patient, physio, "walking")


def start_over(patient: Patient, overrides: dict) -> Patient:
    CheckIn.objects.filter(patient=patient).delete()
    QuestionnaireResponse.objects.filter(patient=patient).delete()
    Flag.objects.filter(patient=patient).delete()
    PatientReminder.objects.filter(patient=patient).delete()
    ClinicThresholds.objects.update_or_create(clinic=patient.clinic, defaults={"values": overrides})
    return Patient.objects.select_related("user", "clinic", "clinic__thresholds").get(pk=patient.pk)


def findings_of(rule, timeline: Timeline, as_of: date, thresholds):
    return evaluate_rules([rule], timeline, as_of, thresholds)


def without_the_day(timeline: Timeline, day: date, rng: random.Random) -> Timeline:
    """The timeline with the check-in of `day` replaced by another day's answers, or gone."""
    others = [record for record in timeline.days if record.day != day]
    changed = [replace(rng.choice(others), day=day)] if others and rng.random() < 0.7 else []
    return replace(timeline, days=tuple(sorted(others + changed, key=lambda r: r.day)))


hypothesis_settings = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@hypothesis_settings
@given(seed=st.integers(min_value=0, max_value=2**32), today=TODAY, overrides=OVERRIDES)
@example(seed=1, today=42, overrides={})
@example(seed=2, today=186, overrides={"trend_min_days": 2, "radiating_quiet_days": 21})
@example(seed=3, today=5, overrides={"hematoma_last_day": 9, "uncontrolled_days": 1})
def test_incremental_evaluation_finds_what_the_whole_history_finds(
    history_patient, seed, today, overrides
):
    patient, item = history_patient
    patient = start_over(patient, overrides)
    rng = random.Random(seed)
    write_history(patient, rng, today, item)
    thresholds = thresholds_for(patient)
    whole = patient_timeline(patient)
    last_day = SURGERY + timedelta(days=today)

    # The nightly run: every rule, over the days the rules read.
    _patient, day, timeline = next(timelines_to_evaluate([patient], as_of=last_day))
    assert day == last_day
    chosen = rules_to_run(SURGERY, last_day, thresholds)
    for rule in ALL_RULES:
        expected = findings_of(rule, whole, last_day, thresholds)
        found = findings_of(rule, timeline, last_day, thresholds) if rule in chosen else []
        assert found == expected, rule_info(rule).rule_id
    assert len(timeline.days) <= len(whole.days)

    # A save of each day of the edit window.
    for back in range(EDIT_WINDOW_DAYS):
        saved = last_day - timedelta(days=back)
        chosen = rules_to_run(SURGERY, saved, thresholds, saved_day=saved)
        timeline = rule_timeline(patient, days_needed_for(chosen, SURGERY, saved, thresholds))
        altered = without_the_day(whole, saved, rng)
        for rule in ALL_RULES:
            expected = findings_of(rule, whole, saved, thresholds)
            if rule in chosen:
                found = findings_of(rule, timeline, saved, thresholds)
                assert found == expected, (rule_info(rule).rule_id, saved)
            else:
                unchanged = findings_of(rule, altered, saved, thresholds)
                assert unchanged == expected, (rule_info(rule).rule_id, saved)

    # The engine: after a save of a day of the window, and in the nightly run.
    saved = last_day - timedelta(days=rng.randrange(EDIT_WINDOW_DAYS))
    findings, _outcome = evaluate_patient(
        patient, saved, fresh_days=frozenset({saved}), notify=False, saved_day=saved
    )
    ids = {
        rule_info(rule).rule_id
        for rule in rules_to_run(SURGERY, saved, thresholds, saved_day=saved)
    } - {"P12-SILENCE"}
    assert findings == [f for f in evaluate(whole, saved, thresholds) if f.rule_id in ids]
    _patient, day, timeline = next(timelines_to_evaluate([patient], as_of=last_day))
    findings, _outcome = evaluate_patient(
        patient, day, timeline=timeline, notify=False, include_time_rules=True
    )
    assert findings == evaluate(whole, last_day, thresholds)


@pytest.mark.django_db
def test_the_generated_histories_make_every_rule_fire(history_patient):
    """The comparison above is only as good as the histories: every rule fires on some."""
    patient, item = history_patient
    fired: set[str] = set()
    for seed in range(12):
        rng = random.Random(seed)
        today = rng.choice([45, 95, 200, 400])
        patient = start_over(patient, {})
        write_history(patient, rng, today, item)
        whole = patient_timeline(patient)
        thresholds = thresholds_for(patient)
        for n in range(0, today + 1, 2):
            as_of = SURGERY + timedelta(days=n)
            fired |= {f.rule_id for f in evaluate(whole.until(as_of), as_of, thresholds)}
    assert fired == {rule_info(rule).rule_id for rule in ALL_RULES}


@pytest.mark.django_db
def test_a_save_reads_weeks_not_the_whole_year_in_few_queries(history_patient):
    """A year of history: a save decodes the symptoms and answers of the last weeks only,
    reads the pain scores P1 compares with since surgery, and the questionnaires its rules
    read; in two queries, as for a day's history."""
    patient, item = history_patient
    patient = start_over(patient, {})
    write_history(patient, random.Random(7), 365, item)
    saved = SURGERY + timedelta(days=365)
    thresholds = thresholds_for(patient)
    chosen = [
        rule
        for rule in rules_to_run(SURGERY, saved, thresholds, saved_day=saved)
        if rule_info(rule).rule_id != "P12-SILENCE"  # left to the nightly run
    ]
    needed = days_needed_for(chosen, SURGERY, saved, thresholds)
    with CaptureQueriesContext(connection) as queries:
        timeline = rule_timeline(patient, needed)
    assert len(queries) == 2  # check-ins with their exercise totals, questionnaires
    ids = {rule_info(rule).rule_id for rule in chosen}
    # Past their windows: RF-HEMATOMA (days 0-7), P3 (week 6), P4 (week 12), P10 (days 90-180).
    assert ids.isdisjoint({"RF-HEMATOMA", "P3-LEG-NO-MCID-6W", "P4-FUNCTION-NO-MCID-12W"})
    assert "P10-OPIOID-PROLONGED" not in ids and "P1-REBOUND" in ids
    five_weeks_ago = saved - timedelta(days=34)
    old = [record for record in timeline.days if record.day < five_weeks_ago]
    assert old, "P1 reads back and leg pain since surgery"
    # Their symptoms and answers are not even decoded; what no rule reads is not read.
    assert all(
        not record.symptoms and not record.safety_answers and record.sleep_disturbance is None
        for record in old
    )
    whole = patient_timeline(patient).by_day
    recent = [record for record in timeline.days if record.day >= saved - timedelta(days=6)]
    assert recent
    for record in recent:
        for name in needed.fields:
            if needed.needs(name, record.day):
                assert getattr(record, name) == getattr(whole[record.day], name), name
        assert record.sleep_disturbance is None  # no rule reads it
    assert {score.instrument for score in timeline.questionnaires} <= {
        "odi",
        "peg",
        "phq9",
        "phq2",
        partial_code("phq9"),
    }
