"""Each rule reads only the days and check-in fields its `RuleInfo.days` declares.

The loader of a save and of the nightly run reads nothing else (tracker.rules.days_read), so a
rule that looked one day further back than it says, or at a field it does not name, would
quietly see nothing there. Here every rule runs on arbitrary timelines that note each day
looked up and each field read, and each of those must be among what it declares on that day;
a rule declared unable to fire that day must find nothing. tests/flags/test_incremental.py
holds the loaded timelines to the findings of the whole history.
"""

from dataclasses import replace
from datetime import date, timedelta
from functools import cached_property

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rules import SURGERY, day, rec, series
from tests.rules import timeline as timeline_of
from tests.rules.test_properties import PROPERTY_SETTINGS, as_of_for, timelines
from tracker.rules import ALL_RULES, days_needed_for, rules_to_run
from tracker.rules.days_read import DaysRead, Lookback, PostOperative, day_fields, merge
from tracker.rules.definition import rule_info
from tracker.rules.thresholds import Thresholds
from tracker.timeline import DayRecord, Timeline

# A clinic's own values for every threshold that moves a window or a rule's first day.
THRESHOLDS = st.builds(
    lambda values: Thresholds.from_overrides(values),
    st.fixed_dictionaries(
        {},
        optional={
            "trend_min_days": st.integers(1, 7),
            "hematoma_last_day": st.integers(7, 12),
            "uncontrolled_days": st.integers(0, 4),
            "constipation_opioid_days": st.integers(0, 6),
            "phq9_item9_recent_days": st.integers(0, 30),
            "rebound_after_day": st.integers(0, 30),
            "rebound_persist_days": st.integers(0, 8),
            "radiating_quiet_days": st.integers(0, 30),
            "radiating_window_days": st.integers(0, 9),
            "leg_check_tolerance_days": st.integers(0, 10),
            "function_tolerance_days": st.integers(0, 20),
            "chronic_from_day": st.integers(30, 150),
            "specialist_from_day": st.integers(100, 250),
            "sustained_after_day": st.integers(0, 30),
            "opioid_from_day": st.integers(30, 120),
            "opioid_until_day": st.integers(100, 250),
            "walking_after_day": st.integers(0, 30),
        },
    ),
)


class Reads:
    """What a rule looked at: days it looked up, and (day, field) it read."""

    def __init__(self) -> None:
        self.days: set[date] = set()
        self.fields: set[tuple[date, str]] = set()


class NotedRecord:
    """A check-in that notes each field read of it."""

    def __init__(self, record: DayRecord, reads: Reads) -> None:
        self._record, self._reads = record, reads

    def __getattr__(self, name: str):
        # max_pain is read through back_pain and leg_pain.
        for field in ("back_pain", "leg_pain") if name == "max_pain" else (name,):
            self._reads.fields.add((self._record.day, field))
        return getattr(self._record, name)


class NotedDays(dict):
    """`Timeline.by_day` noting each day looked up, found or not."""

    def __init__(self, records, reads: Reads) -> None:
        super().__init__(records)
        self._reads = reads

    def __getitem__(self, key):
        self._reads.days.add(key)
        return NotedRecord(super().__getitem__(key), self._reads)

    def get(self, key, default=None):
        self._reads.days.add(key)
        found = super().get(key)
        return default if found is None else NotedRecord(found, self._reads)


class NotedTimeline(Timeline):
    @cached_property
    def by_day(self):
        return NotedDays({record.day: record for record in self.days}, self.reads)


def noted(timeline: Timeline) -> tuple[NotedTimeline, Reads]:
    copy = NotedTimeline(
        surgery_date=timeline.surgery_date,
        days=timeline.days,
        questionnaires=timeline.questionnaires,
        baseline_back_pain=timeline.baseline_back_pain,
        baseline_leg_pain=timeline.baseline_leg_pain,
    )
    reads = Reads()
    object.__setattr__(copy, "reads", reads)
    return copy, reads


def assert_reads_what_it_declares(rule, tl: Timeline, as_of: date, thresholds: Thresholds):
    """Run `rule`; returns its findings after checking it read only what it declares."""
    info = rule_info(rule)
    timeline, reads = noted(tl)
    findings = rule(timeline, as_of, thresholds)
    if rule not in rules_to_run(tl.surgery_date, as_of, thresholds):
        assert findings == [], f"{info.rule_id} fired on a day it declares it cannot"
        return findings
    needed = days_needed_for([rule], tl.surgery_date, as_of, thresholds)
    for looked_up in reads.days:
        assert needed.needs_row(looked_up), (info.rule_id, looked_up, needed.rows)
    for read_on, field in reads.fields:
        if field == "day":
            assert needed.needs_row(read_on), (info.rule_id, read_on)
        else:
            assert needed.needs(field, read_on), (info.rule_id, field, read_on)
    return findings


@PROPERTY_SETTINGS
@given(timelines(), st.data(), THRESHOLDS)
def test_every_rule_reads_only_what_it_declares(tl, data, thresholds):
    as_of = as_of_for(tl, data)
    for rule in ALL_RULES:
        assert_reads_what_it_declares(rule, tl, as_of, thresholds)


def rule_by_id(rule_id: str):
    return next(rule for rule in ALL_RULES if rule_info(rule).rule_id == rule_id)


# Rules whose reach back is only taken when they (nearly) fire: each at its own moment.
AT_THEIR_MOMENT = [
    # RF-HEMATOMA: day 5, back pain 9 with new numbness, after 3 days of 3 (jump and >= 8).
    (
        "RF-HEMATOMA",
        [*series(1, back_pain=[3, 3, 3, 3]), rec(5, back_pain=9, answers="new_numbness")],
        5,
    ),
    # RF-PAIN-UNCONTROLLED: 8 and 9 on two days running.
    ("RF-PAIN-UNCONTROLLED", series(30, back_pain=[8, 9]), 31),
    # RF-CONSTIPATION: opioids two days before the constipation.
    ("RF-CONSTIPATION", [rec(10, opioid_doses=2), rec(12, symptoms="constipation")], 12),
    # P2: quiet leg for 14 days, then 3 high days of the last 5.
    ("P2-NEW-RADIATING", series(20, leg_pain=[0] * 14 + [5, 6, 5, 2, 2]), 38),
]


@pytest.mark.parametrize(("rule_id", "records", "as_of"), AT_THEIR_MOMENT)
def test_rules_at_their_moment_read_only_what_they_declare(rule_id, records, as_of):
    findings = assert_reads_what_it_declares(
        rule_by_id(rule_id), timeline_of(records), day(as_of), Thresholds()
    )
    assert [f.rule_id for f in findings] == [rule_id]


@PROPERTY_SETTINGS
@given(timelines(), st.data(), THRESHOLDS)
def test_a_rule_left_out_of_a_save_finds_the_same_whatever_the_day_holds(tl, data, thresholds):
    """A save of day D runs only the rules whose window on D contains D: for each other rule,
    any check-in on D (or none) gives the same findings."""
    saved = as_of_for(tl, data)
    kept = set(rules_to_run(tl.surgery_date, saved, thresholds, saved_day=saved))
    others = [r for r in tl.days if r.day != saved]
    replacement = data.draw(st.sampled_from(others)) if others else None
    changed = Timeline(
        surgery_date=tl.surgery_date,
        days=tuple(
            sorted(
                others + ([replace(replacement, day=saved)] if replacement else []),
                key=lambda record: record.day,
            )
        ),
        questionnaires=tl.questionnaires,
        baseline_back_pain=tl.baseline_back_pain,
        baseline_leg_pain=tl.baseline_leg_pain,
    )
    for rule in ALL_RULES:
        if rule not in kept:
            assert rule(changed, saved, thresholds) == rule(tl, saved, thresholds), rule_info(
                rule
            ).rule_id


def test_the_windows_at_their_defaults():
    """What the reference rows say, in days (clinical-reference §3, §4)."""
    t = Thresholds()
    as_of = day(200)

    def spans(rule_id):
        rule = next(r for r in ALL_RULES if rule_info(r).rule_id == rule_id)
        return days_needed_for([rule], SURGERY, as_of, t)

    assert spans("RF-CES-BLADDER").rows == ((as_of, as_of),)
    assert spans("RF-FEVER").rows == ((as_of - timedelta(days=2), as_of),)
    assert spans("P7-SUSTAINED-HIGH").rows == ((as_of - timedelta(days=6), as_of),)
    assert spans("P2-NEW-RADIATING").rows == ((as_of - timedelta(days=18), as_of),)  # 5 + 14
    assert spans("P9-ADHERENCE").rows == ((as_of - timedelta(days=34), as_of),)
    assert spans("P11-WALKING-DECLINE").rows == ((as_of - timedelta(days=20), as_of),)
    # P1: the last 7 days in full, back and leg pain since surgery.
    p1 = spans("P1-REBOUND")
    assert p1.fields["back_pain"] == ((SURGERY, as_of),)
    assert p1.fields["symptoms"] == ((as_of - timedelta(days=6), as_of),)
    # P10: days 90 to 180, whatever as_of.
    assert spans("P10-OPIOID-PROLONGED").fields == {"opioid_doses": ((day(90), day(180)),)}
    # P3 at day 42: the last 7 days and the §2 baseline days 1-14.
    rule = next(r for r in ALL_RULES if rule_info(r).rule_id == "P3-LEG-NO-MCID-6W")
    p3 = days_needed_for([rule], SURGERY, day(42), t)
    assert p3.rows == ((day(1), day(14)), (day(36), day(42)))
    # Questionnaire rules read no check-in.
    assert spans("P8-DEPRESSION").rows == ()
    assert spans("P8-DEPRESSION").questionnaires == {"phq2", "phq9"}
    assert spans("P12-SILENCE").latest_checkin


def test_a_save_late_in_recovery_leaves_the_finished_windows_to_the_nightly_run():
    t = Thresholds()
    saved = day(365)
    kept = {rule_info(r).rule_id for r in rules_to_run(SURGERY, saved, t, saved_day=saved)}
    left_out = {rule_info(r).rule_id for r in ALL_RULES} - kept
    assert left_out == {
        "RF-HEMATOMA",
        "P3-LEG-NO-MCID-6W",
        "P4-FUNCTION-NO-MCID-12W",
        "P10-OPIOID-PROLONGED",
    }
    # Early on every §3 rule and the patterns of the first weeks run.
    early = {rule_info(r).rule_id for r in rules_to_run(SURGERY, day(3), t, saved_day=day(3))}
    assert {"RF-HEMATOMA", "P2-NEW-RADIATING", "P9-ADHERENCE", "P12-SILENCE"} <= early
    assert "P1-REBOUND" not in early


def test_spans_join_where_they_touch():
    d = day
    assert merge([(d(5), d(9)), (d(1), d(4)), (d(20), d(21))]) == ((d(1), d(9)), (d(20), d(21)))
    assert merge([(None, d(3)), (d(2), d(8))]) == ((None, d(8)),)


def test_a_declaration_naming_a_field_the_rule_does_not_read_is_refused():
    from tests.rules.test_registry import info

    with pytest.raises(ValueError, match="does not read"):
        info(
            "P99-MADE-UP",
            "§4",
            99,
            reads=("back_pain",),
            days=DaysRead(spans=(Lookback(7, fields=("leg_pain",)),)),
        )
    with pytest.raises(ValueError, match="not an answer code"):
        info("P99-MADE-UP", "§4", 99, reads=("no_such_thing",), days=DaysRead())
    assert day_fields(("bladder_change", "radiating_pain", "leg_pain", "day")) == (
        "safety_answers",
        "symptoms",
        "leg_pain",
    )
    assert PostOperative(90, 180).dates(SURGERY, day(100), Thresholds()) == (day(90), day(100))
