"""A small builder for timelines in tests: days are numbered from surgery (day 0)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from tracker.timeline import DayRecord, Finding, QuestionnaireScore, Timeline

SURGERY = date(2026, 3, 2)


def day(n: int) -> date:
    """The date of post-operative day n."""
    return SURGERY + timedelta(days=n)


def iso(n: int) -> str:
    return day(n).isoformat()


def rec(
    n: int,
    *,
    answers: str | Iterable[str] = (),
    symptoms: dict[str, str] | str | None = None,
    **fields: Any,
) -> DayRecord:
    """A check-in on day n. `answers` and `symptoms` may be space-separated codes."""
    if isinstance(answers, str):
        answers = answers.split()
    if isinstance(symptoms, str):
        symptoms = dict.fromkeys(symptoms.split(), "")
    return DayRecord(
        day=day(n), safety_answers=frozenset(answers), symptoms=symptoms or {}, **fields
    )


def series(first: int, skip: Iterable[int] = (), **columns: Any) -> list[DayRecord]:
    """Consecutive check-ins from day `first`: column lists give each day's value in turn,
    a scalar column is the same every day; days in `skip` have no check-in."""
    lengths = [len(v) for v in columns.values() if isinstance(v, list)]
    count = max(lengths) if lengths else 1
    skipped = set(skip)
    records = []
    for i in range(count):
        if first + i in skipped:
            continue
        values = {
            name: (value[i] if i < len(value) else None) if isinstance(value, list) else value
            for name, value in columns.items()
        }
        records.append(rec(first + i, **values))
    return records


def timeline(
    *parts: DayRecord | Iterable[DayRecord],
    questionnaires: Iterable[QuestionnaireScore] = (),
    **baselines: float | None,
) -> Timeline:
    """A timeline of the given records (later records replace earlier ones of the same day)."""
    by_day: dict[date, DayRecord] = {}
    for part in parts:
        for record in [part] if isinstance(part, DayRecord) else part:
            by_day[record.day] = record
    return Timeline(
        surgery_date=SURGERY,
        days=tuple(by_day[d] for d in sorted(by_day)),
        questionnaires=tuple(sorted(questionnaires, key=lambda q: q.day)),
        **baselines,
    )


def score(instrument: str, n: int, total: float, **items: int) -> QuestionnaireScore:
    """A questionnaire score on day n; items as item_9=1 -> {"phq-q9": 1} (PHQ linkIds)."""
    return QuestionnaireScore(
        instrument=instrument,
        day=day(n),
        total=total,
        items={f"phq-q{name.removeprefix('item_')}": value for name, value in items.items()},
    )


def by_rule(findings: Iterable[Finding], rule_id: str) -> list[Finding]:
    return [finding for finding in findings if finding.rule_id == rule_id]


def the_finding(findings: Iterable[Finding], rule_id: str | None = None) -> Finding:
    """The single finding (of `rule_id`), failing clearly when there is none or several."""
    found = list(findings) if rule_id is None else by_rule(findings, rule_id)
    assert len(found) == 1, f"expected one {rule_id or ''} finding, got {found}"
    return found[0]


def evidence_dates(finding: Finding) -> list[str]:
    return [item["date"] for item in finding.evidence]
