"""Importing a paper or spreadsheet diary (format in the README).

Every row is validated by the check-in form itself; nothing is saved unless every row is valid,
and then rows are recorded in date order through `record_checkin`, as if entered on their day.

Temperatures (RF-FEVER): the `temperature_readings` column holds the day's readings, each
`VALUE@TIME` (`38.1@08:30`: a clock time on the row's date in the patient's time zone, or an
ISO-8601 date and time with its offset) or `VALUE` alone when the time is not known, separated
by ";". The older `temperature_c` column (one temperature, time not known) is still read; a
value it shares with a reading of the same row is not counted twice. The side of new numbness
(RF-NUMB-NEW) is written in the `answers` cell as `new_numbness:left`, `:right` or `:both`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils import timezone

from tracker.checkins.forms import CheckInForm
from tracker.checkins.recording import TIME_NOT_KNOWN, record_checkin
from tracker.checkins.safety_first import ACT_NOW_LEVELS, record_safety_answers
from tracker.models import Patient, Source
from tracker.models.checkins import SCALAR_ANSWER_FIELDS, Side, reading
from tracker.timeline.vocabulary import (
    SAFETY_ANSWER_CODES,
    SIDED_SYMPTOMS,
    SYMPTOM_CODES,
    SYMPTOM_SIDES,
)

# Answers with a column of their own (the side of new numbness rides in the `answers` cell).
_SCALAR_COLUMNS = tuple(f for f in SCALAR_ANSWER_FIELDS if f != "new_numbness_side")
# The check-in's answers, with the symptom and safety maps as one `answers` cell of codes;
# newer columns go last, so files written before them keep their column order.
COLUMNS = (
    "date",
    *_SCALAR_COLUMNS[:3],
    "answers",
    *_SCALAR_COLUMNS[3:],
    "temperature_readings",
)
# Columns that are check-in form fields as they are.
FORM_FIELDS = _SCALAR_COLUMNS
# The answer code that takes a side in the `answers` cell (RF-NUMB-NEW).
SIDED_ANSWERS = {"new_numbness": "new_numbness_side"}


class DiaryError(Exception):
    """The file cannot be imported; `problems` lists (line number, reason)."""

    def __init__(
        self,
        problems: list[tuple[int, str]],
        recent: list[tuple[int, date, CheckInForm, list[dict]]] | None = None,
    ):
        self.problems = problems
        # The rows of recent days, valid or not: (line, day, form, valid temperature
        # readings), for their safety answers.
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
        elif code in SIDED_ANSWERS:
            data[f"safety_{code}"] = "yes"
            if side not in Side.values:
                problems.append(f"“{raw}”: the side of {code} is left, right or both")
            else:
                data[SIDED_ANSWERS[code]] = side
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


_TEMPERATURE = CheckInForm.base_fields["temperature_c"]
_CLOCK = CheckInForm.base_fields["temperature_time"]


def parse_readings(
    cell: str, day: date, zone: zoneinfo.ZoneInfo, now: datetime
) -> tuple[list[dict], list[str]]:
    """The readings of a `temperature_readings` cell (stored form), and the problems found.

    Each is checked as the check-in form checks a temperature; a time must fall on `day`
    in `zone` and not be later than `now`."""
    found: list[dict] = []
    problems: list[str] = []
    for raw in (part.strip() for part in cell.split(";")):
        if not raw:
            continue
        value_text, _, time_text = (p.strip() for p in raw.partition("@"))
        try:
            value = _TEMPERATURE.clean(value_text)
            at = _reading_time(time_text, day, zone) if time_text else None
        except forms.ValidationError as error:
            problems.append(f"temperature “{raw}”: {' '.join(error.messages)}")
            continue
        if value is None:
            problems.append(f"temperature “{raw}”: a reading needs a temperature")
        elif at is not None and at.astimezone(zone).date() != day:
            problems.append(f"temperature “{raw}”: its time is not on {day}")
        elif at is not None and at > now:
            problems.append(f"temperature “{raw}”: its time is later than now")
        else:
            found.append(reading(at, value))
    return found, problems


def _reading_time(text: str, day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        clock: time = _CLOCK.clean(text)
        return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    if moment.utcoffset() is None:
        raise forms.ValidationError("a date and time needs its offset, such as +00:00")
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def validate_rows(text: str, today: date, zone: zoneinfo.ZoneInfo | None = None) -> list[DiaryRow]:
    """Parse and validate every row. Raises DiaryError listing every bad row.

    `zone`: the patient's time zone, for the times of temperature readings (UTC if None)."""
    zone = zone or zoneinfo.ZoneInfo("UTC")
    now = timezone.now()
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
    recent: list[tuple[int, date, CheckInForm, list[dict]]] = []
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
        readings, reading_problems = parse_readings(
            cells.get("temperature_readings", ""), day, zone, now
        )
        valid = form.is_valid()
        if readings and data.get("safety_feverish") != "yes":
            reading_problems.append("temperature readings need “feverish” in the answers cell")
        single = form.cleaned_data.get("temperature_c") if valid else None
        if single is not None and all(single != Decimal(r["temperature_c"]) for r in readings):
            readings.append(reading(None, single))
        if day >= today - timedelta(days=RECENT_DAYS):
            recent.append((line, day, form, readings))
        answer_problems += reading_problems
        if answer_problems or not valid:
            reasons = list(answer_problems)
            for field, errors in form.errors.items():
                label = field if field != "__all__" else "row"
                reasons.extend(f"{label}: {error}" for error in errors)
            problems.append((line, "; ".join(reasons)))
            continue
        answers = dict(form.cleaned_data["answers"], temperature_readings=readings)
        rows.append(DiaryRow(line, day, answers))
    if problems:
        raise DiaryError(problems, recent)
    return sorted(rows, key=lambda row: row.day)


def _with_single(form: CheckInForm, readings: list[dict]) -> list[dict]:
    """A refused row's valid readings and its valid `temperature_c` (time not known), only
    with a "feverish" answer, as the form would take them."""
    cleaned = getattr(form, "cleaned_data", {})
    if cleaned.get("safety_feverish") != "yes":
        return []
    single = None if "temperature_c" in form.errors else cleaned.get("temperature_c")
    if single is not None and all(single != Decimal(r["temperature_c"]) for r in readings):
        return [*readings, reading(None, single)]
    return readings


def import_diary(patient: Patient, text: str) -> list[DiaryRow]:
    """Validate the whole file, then record every row in one transaction (all or nothing).

    Rows of today and yesterday are news: their flags are e-mailed to the care team like a
    check-in's, and each row's emergency or urgent findings are kept on it (`findings`) for
    the caller to show at once. Older rows raise their flags quietly.
    """
    today = patient.local_date()
    try:
        rows = validate_rows(text, today, patient.zone)
    except DiaryError as error:
        # Nothing of the file is imported, except a row of today or yesterday with an
        # emergency or urgent answer: its valid answers are kept and reach the care team,
        # whatever else is wrong in it or in the rest of the file (§0.1).
        for line, day, form, readings in error.recent:
            kept = record_safety_answers(
                patient,
                day,
                form,
                by=None,
                submission_id=None,
                source=Source.IMPORT,
                readings=_with_single(form, readings),
                time_default=TIME_NOT_KNOWN,
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
