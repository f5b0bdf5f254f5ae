"""Importing a paper or spreadsheet diary (format in the README).

Every row is validated by the check-in form itself; nothing is saved unless every row is valid,
and then rows are recorded in date order through `record_checkin`, as if entered on their day.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from tracker.checkins.forms import CheckInForm
from tracker.checkins.recording import record_checkin
from tracker.checkins.safety_first import ACT_NOW_LEVELS, record_safety_answers
from tracker.models import Patient, Source
from tracker.models.checkins import SCALAR_ANSWER_FIELDS
from tracker.timeline.vocabulary import (
    SAFETY_ANSWER_CODES,
    SIDED_SYMPTOMS,
    SYMPTOM_CODES,
    SYMPTOM_SIDES,
)

# The check-in's answers, with the symptom and safety maps as one `answers` cell of codes.
COLUMNS = ("date", *SCALAR_ANSWER_FIELDS[:3], "answers", *SCALAR_ANSWER_FIELDS[3:])
# Columns that are check-in form fields as they are.
FORM_FIELDS = tuple(c for c in COLUMNS if c not in ("date", "answers"))


class DiaryError(Exception):
    """The file cannot be imported; `problems` lists (line number, reason)."""

    def __init__(
        self,
        problems: list[tuple[int, str]],
        recent: list[tuple[int, date, CheckInForm]] | None = None,
    ):
        self.problems = problems
        # The rows of recent days, valid or not: (line, day, form), for their safety answers.
        self.recent = recent or []
        # What was kept of them: (line, day, emergency and urgent findings).
        self.kept: list[tuple[int, date, list]] = []
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in problems))


@dataclass
class DiaryRow:
    line: int
    day: date
    answers: dict
    # The emergency and urgent findings recording the row raised (filled by `import_diary`).
    findings: list = field(default_factory=list)


# Rows this many days before today or later are news for the care team (today and yesterday).
RECENT_DAYS = 1


def parse_answers(cell: str) -> tuple[dict[str, str], list[str]]:
    """Form data for the `answers` cell, and the problems found in it."""
    data: dict[str, str] = {}
    problems: list[str] = []
    for raw in (part.strip() for part in cell.split(";")):
        if not raw:
            continue
        code, _, side = raw.partition(":")
        if code in SAFETY_ANSWER_CODES and not side:
            data[f"safety_{code}"] = "yes"
        elif code in SYMPTOM_CODES:
            data[f"symptom_{code}"] = "on"
            if side:
                if code not in SIDED_SYMPTOMS or side not in SYMPTOM_SIDES:
                    problems.append(
                        f"“{raw}”: a side is left, right or both, on a symptom that has one"
                    )
                else:
                    data[f"symptom_{code}_side"] = side
        else:
            problems.append(f"“{raw}” is not a known symptom or safety answer code")
    return data, problems


def validate_rows(text: str, today: date) -> list[DiaryRow]:
    """Parse and validate every row. Raises DiaryError listing every bad row."""
    reader = csv.DictReader(io.StringIO(text))
    if "date" not in (reader.fieldnames or []):
        raise DiaryError([(1, "missing column(s): date")])
    problems: list[tuple[int, str]] = []
    unknown = [c for c in (reader.fieldnames or []) if c not in COLUMNS]
    if unknown:
        # The file is refused, but its rows are still read for their safety answers.
        problems.append((1, "unknown column(s): " + ", ".join(unknown)))
    rows: list[DiaryRow] = []
    # Every row of today or yesterday, valid or not: if the file is refused, their act-now
    # answers still reach the care team.
    recent: list[tuple[int, date, CheckInForm]] = []
    seen: dict[date, int] = {}
    for record in reader:
        line = reader.line_num
        if None in record:
            problems.append((line, "more cells than columns"))
            continue
        cells = {k: (v or "").strip() for k, v in record.items()}
        try:
            day = date.fromisoformat(cells["date"])
        except ValueError:
            problems.append((line, f"date “{cells['date']}” is not a date in the form YYYY-MM-DD"))
            continue
        if day > today:
            problems.append((line, f"{day} is in the future"))
            continue
        if day in seen:
            problems.append((line, f"{day} appears twice (also on line {seen[day]})"))
            continue
        seen[day] = line
        data = {name: cells.get(name, "") for name in FORM_FIELDS}
        answer_data, answer_problems = parse_answers(cells.get("answers", ""))
        data.update(answer_data)
        for code in SAFETY_ANSWER_CODES:
            data.setdefault(f"safety_{code}", "no" if "answers" in cells else "")
        form = CheckInForm(data, require_core=False)
        if day >= today - timedelta(days=RECENT_DAYS):
            recent.append((line, day, form))
        if answer_problems or not form.is_valid():
            reasons = list(answer_problems)
            for field, errors in form.errors.items():
                label = field if field != "__all__" else "row"
                reasons.extend(f"{label}: {error}" for error in errors)
            problems.append((line, "; ".join(reasons)))
            continue
        rows.append(DiaryRow(line, day, form.cleaned_data["answers"]))
    if problems:
        raise DiaryError(problems, recent)
    return sorted(rows, key=lambda row: row.day)


def import_diary(patient: Patient, text: str) -> list[DiaryRow]:
    """Validate the whole file, then record every row in one transaction (all or nothing).

    Rows of today and yesterday are news: their flags are e-mailed to the care team like a
    check-in's, and each row's emergency or urgent findings are kept on it (`findings`) for
    the caller to show at once. Older rows raise their flags quietly.
    """
    today = patient.local_date()
    try:
        rows = validate_rows(text, today)
    except DiaryError as error:
        # Nothing of the file is imported, except a row of today or yesterday with an
        # emergency or urgent answer: its valid answers are kept and reach the care team,
        # whatever else is wrong in it or in the rest of the file (§0.1).
        for line, day, form in error.recent:
            kept = record_safety_answers(
                patient, day, form, by=None, submission_id=None, source=Source.IMPORT
            )
            if kept is not None:
                error.kept.append((line, day, kept.findings))
        raise
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        for row in rows:
            result = record_checkin(
                patient,
                row.day,
                row.answers,
                by=None,
                submission_id=uuid.uuid5(
                    uuid.NAMESPACE_URL, f"import:{patient.public_id}:{digest}:{row.day}"
                ),
                source=Source.IMPORT,
                notify=row.day >= today - timedelta(days=RECENT_DAYS),
            )
            row.findings = [f for f in result.findings if f.level in ACT_NOW_LEVELS]
    return rows
