"""The flag engine: turns rule findings into flags for the care team, and keeps their lifecycle.

Rules (tracker.rules) are pure; this module is where their findings meet the database:
- `record_findings` stores findings as flags: at most one active flag per rule per patient, new
  evidence added to it (the newest `FLAG_EVIDENCE_KEPT` items and a count of the older ones),
  and after a resolution a new flag only on evidence newer than it (clinical-reference §4,
  "Lifecycle of a flag");
- `evaluate_patient` runs the rules for one patient on a day (on every save, and daily for the
  rules that depend on time passing), reading only the days those rules read: a save runs the
  rules whose window contains the day saved (`tracker.rules.rules_to_run`); the nightly run
  takes its timelines from `timelines_to_evaluate`;
- `acknowledge` and `resolve` move a flag on, safely when two people act at once.
Nothing here deletes a flag.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tracker.messaging.notifications import queue_for_flags, send_silence_reminder
from tracker.models import (
    ACTIVE_STATUSES,
    Clinic,
    ClinicThresholds,
    Flag,
    FlagStatus,
    Patient,
    PatientReminder,
)
from tracker.models.flags import ASK_RULE
from tracker.models.summaries import refresh_flag_counts
from tracker.models.timelines import rule_timeline, rule_timelines
from tracker.rules import Thresholds, days_needed_for, evaluate_rules, rules_to_run
from tracker.rules.days_read import DaysNeeded
from tracker.rules.definition import rule_info
from tracker.rules.patterns import offer_only
from tracker.timeline import Finding, Timeline

# Rules that depend on time passing, run by `manage.py evaluate_flags` (and not on each save).
SILENCE_RULE = "P12-SILENCE"
# §4 P12 says "first a reminder to the patient, then review". A silence already this many days
# past its threshold (a patient silent 10 days in week 2, or nightly runs that stopped) has had
# its time for a reminder: the flag is raised at once, with the reminder [D].
SILENCE_FLAG_AT_ONCE_DAYS = 2

# Evidence items an open flag keeps: a rule that fires every day (P12's growing silence, P1's
# daily means) would otherwise grow the flag without bound. Older items are replaced by one
# row counting them (`OMITTED`). Patients' questions are exempt: each one must be read.
DEFAULT_EVIDENCE_KEPT = 50
OMITTED = "omitted_items"
UNCAPPED_RULES = frozenset({ASK_RULE})


def evidence_kept() -> int:
    """How many evidence items an open flag keeps (settings.FLAG_EVIDENCE_KEPT, default 50)."""
    return max(int(getattr(settings, "FLAG_EVIDENCE_KEPT", DEFAULT_EVIDENCE_KEPT)), 1)


@dataclass
class Outcome:
    """What one evaluation changed."""

    opened: list[Flag] = field(default_factory=list)
    updated: list[Flag] = field(default_factory=list)
    escalated: list[Flag] = field(default_factory=list)
    reminded: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.updated or self.escalated or self.reminded)


def clinic_thresholds(clinic: Clinic) -> Thresholds:
    """The reference defaults with the clinic's overrides: no query when the clinic was loaded
    with its thresholds (`select_related("thresholds")`), else one."""
    if Clinic.thresholds.is_cached(clinic):
        found = getattr(clinic, "thresholds", None)
        overrides = found.values if found is not None else None
    else:
        overrides = (
            ClinicThresholds.objects.filter(clinic_id=clinic.pk)
            .values_list("values", flat=True)
            .first()
        )
    return Thresholds.from_overrides(overrides or {})


def thresholds_for(patient: Patient) -> Thresholds:
    """The reference defaults with the patient's clinic's overrides.

    No query when the patient was loaded with `select_related("clinic__thresholds")`; else
    one (which also loads the clinic when it was not loaded yet).
    """
    if not Patient.clinic.is_cached(patient):
        patient.clinic = Clinic.objects.select_related("thresholds").get(pk=patient.clinic_id)
    return clinic_thresholds(patient.clinic)


def evidence_days(finding: Finding, as_of: date) -> list[date]:
    days = []
    for item in finding.evidence:
        try:
            days.append(date.fromisoformat(str(item.get("date"))))
        except ValueError:
            continue
    return days or [as_of]


def _key(item: dict) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def merge_evidence(old: list[dict], new: Iterable[dict], limit: int | None = None) -> list[dict]:
    """Old evidence plus what is new in `new`, without duplicates, in date order (items of
    one date in the order they arrived).

    With `limit`, only the newest `limit` items are kept; the older ones become one first row
    `{"omitted_items": n, "omitted_from": day, "omitted_until": day}` that keeps counting.
    Rules repeat the older days of their window on every run, so an item dated before
    `omitted_until`, or one that would be dropped again at once, is taken as already counted.
    """
    omitted = next((item for item in old if OMITTED in item), None)
    kept = [item for item in old if OMITTED not in item]
    cutoff = str(omitted.get("omitted_until") or "") if omitted else ""
    seen = {_key(item) for item in kept}
    added = []
    for item in new:
        if _key(item) not in seen and str(item.get("date", "")) >= cutoff:
            seen.add(_key(item))
            added.append(item)
    if not added:
        return list(old)
    items = sorted(kept + added, key=lambda item: str(item.get("date", "")))
    if limit is None or len(items) <= limit:
        return [omitted, *items] if omitted else items
    dropped, items = items[: len(items) - limit], items[len(items) - limit :]
    if not any(item in items for item in added):
        return list(old)  # all that came in is older than what is kept: counted before
    dates = [str(item["date"]) for item in dropped if item.get("date")]
    if omitted:
        dates += [
            str(omitted[key]) for key in ("omitted_from", "omitted_until") if omitted.get(key)
        ]
    summary = {
        OMITTED: (omitted[OMITTED] if omitted else 0) + len(dropped),
        "omitted_from": min(dates, default=None),
        "omitted_until": max(dates, default=None),
    }
    return [summary, *items]


def _evidence_limit(rule_id: str) -> int | None:
    return None if rule_id in UNCAPPED_RULES else evidence_kept()


def record_findings(
    patient: Patient,
    findings: Iterable[Finding],
    as_of: date,
    *,
    fresh_days: frozenset[date] = frozenset(),
    notify: bool = True,
) -> Outcome:
    """Store `findings` as flags of `patient` (call inside the transaction of the save).

    `fresh_days` are the days whose data was saved just now: evidence on such a day counts as
    newer than a resolution made earlier the same day. With `notify=False` (imports of the
    past, the demo) flags are raised quietly: no e-mail goes out.
    """
    findings = list(findings)
    outcome = Outcome()
    now = timezone.now()
    active = {
        flag.rule_id: flag
        for flag in Flag.objects.select_for_update().filter(
            patient=patient, status__in=ACTIVE_STATUSES
        )
    }
    resolved_until = dict(
        Flag.objects.filter(patient=patient, status=FlagStatus.RESOLVED)
        .values_list("rule_id")
        .annotate(last=Max("resolved_at"))
    )
    new_flags: list[Flag] = []
    for finding in findings:
        days = evidence_days(finding, as_of)
        flag = active.get(finding.rule_id)
        if flag is not None:
            _add_evidence(flag, finding, days, now, outcome)
            continue
        resolved_at = resolved_until.get(finding.rule_id)
        if resolved_at is not None and not _newer(
            days, patient.local_date(resolved_at), fresh_days
        ):
            continue
        flag = Flag(
            patient=patient,
            rule_id=finding.rule_id,
            rule_version=finding.rule_version,
            level=finding.level.value,
            level_rank=finding.level.rank,
            patient_message=finding.patient_message,
            clinician_explanation=finding.clinician_explanation,
            reference=finding.reference,
            evidence=merge_evidence([], finding.evidence, _evidence_limit(finding.rule_id)),
            first_evidence_day=min(days),
            last_evidence_day=max(days),
            opened_at=now,
            updated_at=now,
            raised_quietly=not notify,
        )
        active[finding.rule_id] = flag
        new_flags.append(flag)
    outcome.opened = Flag.objects.bulk_create(new_flags)
    changed = outcome.updated + outcome.escalated
    if changed:
        Flag.objects.bulk_update(changed, CHANGED_FIELDS)
    if outcome.opened or outcome.escalated:  # the caseload's open flags by level
        refresh_flag_counts([patient.pk])
    if notify and (outcome.opened or outcome.escalated):
        queue_for_flags(patient, outcome.opened, escalated=outcome.escalated)
    return outcome


CHANGED_FIELDS = [
    "evidence",
    "first_evidence_day",
    "last_evidence_day",
    "patient_message",
    "clinician_explanation",
    "rule_version",
    "updated_at",
    "level",
    "level_rank",
    "status",
]


def _newer(days: list[date], resolved_day: date, fresh_days: frozenset[date]) -> bool:
    """True when the newest evidence comes after the resolution (§4 lifecycle).

    A multi-day rule (RF-HEMATOMA's 3-day mean, RF-FEVER's 24 hours, P1's weeks) still
    reaches back to days before the resolution when it fires again: what decides is that
    something new happened since, not that all of the window is new.
    """
    newest = max(days)
    return newest > resolved_day or (newest == resolved_day and newest in fresh_days)


def _add_evidence(flag: Flag, finding: Finding, days, now, outcome: Outcome) -> None:
    merged = merge_evidence(flag.evidence, finding.evidence, _evidence_limit(flag.rule_id))
    escalates = finding.level.rank < flag.level_rank
    if merged == flag.evidence and not escalates:
        return
    flag.evidence = merged
    flag.first_evidence_day = min(flag.first_evidence_day, *days)
    flag.last_evidence_day = max(flag.last_evidence_day, *days)
    flag.patient_message = finding.patient_message
    flag.clinician_explanation = finding.clinician_explanation
    flag.rule_version = finding.rule_version
    flag.updated_at = now
    if escalates:
        flag.level = finding.level.value
        flag.level_rank = finding.level.rank
        if flag.status == FlagStatus.ACKNOWLEDGED:
            # A more severe finding needs fresh eyes.
            flag.status = FlagStatus.OPEN
        outcome.escalated.append(flag)
    else:
        outcome.updated.append(flag)


def evaluate_patient(
    patient: Patient,
    as_of: date,
    *,
    timeline: Timeline | None = None,
    fresh_days: frozenset[date] = frozenset(),
    notify: bool = True,
    include_time_rules: bool = False,
    saved_day: date | None = None,
) -> tuple[list[Finding], Outcome]:
    """Run the rules for `patient` on `as_of` and store what they find.

    The rules run are those that can fire on `as_of`; with `saved_day` (a check-in of that
    day was just saved) only those whose window on `as_of` contains it, the others finding
    what they found before the save (`tracker.rules.rules_to_run`). Without `timeline`, only
    the days and questionnaires those rules read are loaded (`rule_timeline`); a timeline
    passed in (the whole history, or one from `timelines_to_evaluate`) is used as it is.

    On a save, P12 (silence) is left out: the patient has just checked in. The daily run
    (`include_time_rules=True`) includes it, and a patient hears from us (a reminder) before
    any staff flag is raised for silence, unless the silence is already
    SILENCE_FLAG_AT_ONCE_DAYS or more past its threshold: then the flag is raised at once.
    """

    thresholds = thresholds_for(patient)
    rules = _rules_for(patient, as_of, thresholds, include_time_rules, saved_day)
    if timeline is None:
        needed = days_needed_for(rules, patient.surgery_date, as_of, thresholds)
        timeline = rule_timeline(patient, needed)
    findings = evaluate_rules(rules, timeline, as_of, thresholds)
    outcome = Outcome()
    silence = [f for f in findings if f.rule_id == SILENCE_RULE]
    findings = [f for f in findings if f.rule_id != SILENCE_RULE]
    if silence and not _reminded_first(patient, silence[0], as_of, notify, outcome):
        findings += silence
    # A positive PHQ-2 alone only offers the PHQ-9 to the patient (§4 P8): not a flag.
    to_store = [f for f in findings if not offer_only(f.evidence)]
    # Its own transaction when called alone; inside a caller's (a save, the nightly run) no
    # savepoint: every caller lets a failure here end its whole transaction.
    with transaction.atomic(savepoint=False):
        stored = record_findings(patient, to_store, as_of, fresh_days=fresh_days, notify=notify)
    stored.reminded = outcome.reminded
    return findings, stored


def _rules_for(patient, as_of, thresholds, include_time_rules, saved_day=None):
    rules = rules_to_run(patient.surgery_date, as_of, thresholds, saved_day=saved_day)
    if include_time_rules:
        return rules
    return tuple(rule for rule in rules if rule_info(rule).rule_id != SILENCE_RULE)


def timelines_to_evaluate(
    patients: Iterable[Patient], as_of: date | None = None, batch_size: int = 200
) -> Iterator[tuple[Patient, date, Timeline]]:
    """(patient, day, timeline) for the nightly run: each patient's day is `as_of` or their
    own today, and the timeline holds only what every rule (P12 included) reads on that day,
    in a constant number of queries per batch. Pass it to
    `evaluate_patient(patient, day, timeline=timeline, include_time_rules=True)`.

    Load the patients with `select_related("clinic__thresholds")`, or each costs a query for
    the clinic's thresholds.
    """

    days: dict[int, date] = {}

    def needs() -> Iterator[tuple[Patient, DaysNeeded]]:
        for patient in patients:
            day = days[patient.pk] = as_of or patient.local_date()
            thresholds = thresholds_for(patient)
            rules = _rules_for(patient, day, thresholds, include_time_rules=True)
            yield patient, days_needed_for(rules, patient.surgery_date, day, thresholds)

    for patient, timeline in rule_timelines(needs(), batch_size=batch_size):
        yield patient, days.pop(patient.pk), timeline


def days_past_threshold(finding: Finding) -> int:
    """How many days a P12 silence is past its threshold (0 on the first day it fires)."""
    entry = finding.evidence[0] if finding.evidence else {}
    return int(entry.get("missed_days", 0)) - int(entry.get("threshold_days", 0))


def _reminded_first(patient, finding: Finding, as_of: date, notify: bool, outcome) -> bool:
    """P12: the first time a silence is noticed, remind the patient and hold the flag back.

    Returns True while the flag should wait: the reminder went out today (or just now). A
    silence SILENCE_FLAG_AT_ONCE_DAYS or more past its threshold never waits: the patient is
    reminded (once per silence) and the flag is raised the same night.
    """
    since = evidence_days(finding, as_of)[0]
    reminder = (
        PatientReminder.objects.filter(patient=patient, reason=SILENCE_RULE, day__gt=since)
        .order_by("day")
        .first()
    )
    at_once = days_past_threshold(finding) >= SILENCE_FLAG_AT_ONCE_DAYS
    if reminder is None:
        if notify:
            PatientReminder.objects.create(patient=patient, day=as_of, reason=SILENCE_RULE)
            send_silence_reminder(patient)
            outcome.reminded = True
            return not at_once
        return False
    return reminder.day >= as_of and not at_once
