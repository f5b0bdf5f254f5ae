"""CSV exports: one patient's diary (the import format) and the clinic's cohort (streamed).

A patient's export has exactly the columns `import_checkins` reads
(`tracker.checkins.diary_import.COLUMNS`, documented in the README), so it imports back into another
instance. The cohort export streams rows from one chunked query, so a clinic of 1,000
patients × 365 days never sits in memory.
"""

from __future__ import annotations

import csv
import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import date

from django.db.models import QuerySet
from django.utils.crypto import salted_hmac

from tracker.checkins.diary_import import COLUMNS
from tracker.models import CheckIn, Clinic, Patient
from tracker.models.checkins import (
    ANSWER_FIELDS,
    SCALAR_ANSWER_FIELDS,
    YES_NO_ANSWER_FIELDS,
    reading_time,
)

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000
PSEUDONYM_SALT = "laminar.cohort-export.pseudonym"

# The check-in fields a row is built from, in the order of `CHECKIN_VALUES`.
CHECKIN_VALUES = ("day", *ANSWER_FIELDS)
PATIENT_VALUES = (
    "patient__public_id",
    "patient__user__full_name",
    "patient__user__email",
    "patient__date_of_birth",
    "patient__surgery_date",
    "patient__levels",
)
COHORT_COLUMNS = ("patient", "email", "date_of_birth", "surgery_date", "levels", "day_number")
# Pseudonymised: a stable code instead of name and e-mail, the year of birth only, and no
# free-text note (a note can name people).
PSEUDONYMOUS_COLUMNS = ("patient_code", "birth_year", "levels", "day_number")
PSEUDONYMOUS_DIARY_COLUMNS = tuple(c for c in COLUMNS if c != "note")


def neutralise(value: object) -> str:
    """The cell as text; one a spreadsheet would run as a formula gets a leading apostrophe.

    Our numbers are never negative (every numeric field is ≥ 0), so no number is changed.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def answers_cell(symptoms: dict, safety: dict, new_numbness_side: str = "") -> str:
    """The import's `answers` cell: symptoms (sided as code:side) then "yes" safety answers,
    new numbness with its side (`new_numbness:both`) where one was given."""
    codes = [f"{code}:{side}" if side else code for code, side in sorted((symptoms or {}).items())]
    sides = {"new_numbness": new_numbness_side or ""}
    codes += sorted(
        f"{code}:{sides[code]}" if sides.get(code) else code
        for code, yes in (safety or {}).items()
        if yes
    )
    return ";".join(codes)


def readings_cell(readings: list | None, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """The import's `temperature_readings` cell: `38.1@08:30` (clock time in `zone`), or with
    no zone the full UTC time (`38.1@2026-11-27T08:30:00+00:00`); `38.1` when not known."""
    cells = []
    for entry in readings or []:
        at = reading_time(entry)
        if at is None:
            cells.append(entry["temperature_c"])
        elif zone is not None:
            cells.append(f"{entry['temperature_c']}@{at.astimezone(zone):%H:%M}")
        else:
            cells.append(f"{entry['temperature_c']}@{at.isoformat()}")
    return ";".join(cells)


def diary_row(values: dict, zone: zoneinfo.ZoneInfo | None = None) -> dict[str, object]:
    """One check-in (a dict of CHECKIN_VALUES) as a row of the import format; reading times
    as clock times in `zone` (the patient's), else in full (see `readings_cell`)."""
    row: dict[str, object] = {name: values[name] for name in SCALAR_ANSWER_FIELDS}
    row["date"] = values["day"].isoformat()
    row["leg_side"] = values["leg_side"] or ""
    row["answers"] = answers_cell(
        values["symptoms"], values["safety"], values.get("new_numbness_side") or ""
    )
    row["temperature_readings"] = readings_cell(values.get("temperature_readings"), zone)
    for name in YES_NO_ANSWER_FIELDS:
        row[name] = {True: "yes", False: "no"}.get(values[name], "")
    return row


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The header and rows as CSV lines, every cell neutralised."""
    writer = csv.writer(_Echo())
    yield writer.writerow(list(header))
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def patient_checkins(
    patient: Patient, start: date | None = None, end: date | None = None
) -> QuerySet:
    rows = CheckIn.objects.filter(patient=patient)
    if start is not None:
        rows = rows.filter(day__gte=start)
    if end is not None:
        rows = rows.filter(day__lte=end)
    return rows.order_by("day").values(*CHECKIN_VALUES)


def patient_diary_lines(
    patient: Patient, start: date | None = None, end: date | None = None
) -> Iterator[str]:
    """One patient's check-ins in the import format, one row a day, oldest first."""
    rows = (
        [diary_row(values, patient.zone)[column] for column in COLUMNS]
        for values in patient_checkins(patient, start, end).iterator(chunk_size=CHUNK_SIZE)
    )
    return csv_lines(COLUMNS, rows)


def pseudonym(public_id) -> str:
    """A stable code for a patient: an HMAC of the public id keyed by SECRET_KEY."""
    return "P-" + salted_hmac(PSEUDONYM_SALT, str(public_id), algorithm="sha256").hexdigest()[:16]


def cohort_checkins(clinic: Clinic) -> QuerySet:
    return (
        CheckIn.objects.filter(patient__clinic=clinic)
        .order_by("patient_id", "day")
        .values_list(*PATIENT_VALUES, *CHECKIN_VALUES)
    )


def cohort_lines(clinic: Clinic, *, pseudonymise: bool = False) -> Iterator[str]:
    """Every check-in of the clinic's patients, one row per patient-day, streamed in chunks."""
    header = (
        (*PSEUDONYMOUS_COLUMNS, *PSEUDONYMOUS_DIARY_COLUMNS)
        if pseudonymise
        else (*COHORT_COLUMNS, *COLUMNS)
    )
    return csv_lines(header, _cohort_rows(clinic, pseudonymise))


def _cohort_rows(clinic: Clinic, pseudonymise: bool) -> Iterator[list[object]]:
    width = len(PATIENT_VALUES)
    codes: dict[object, str] = {}
    for values in cohort_checkins(clinic).iterator(chunk_size=CHUNK_SIZE):
        public_id, name, email, born, surgery, levels = values[:width]
        checkin = dict(zip(CHECKIN_VALUES, values[width:], strict=True))
        diary = diary_row(checkin)
        day_number = (checkin["day"] - surgery).days
        if pseudonymise:
            if public_id not in codes:
                codes = {public_id: pseudonym(public_id)}  # rows come patient by patient
            yield [
                codes[public_id],
                born.year,
                levels,
                day_number,
                *(diary[c] for c in PSEUDONYMOUS_DIARY_COLUMNS),
            ]
        else:
            yield [name, email, born.isoformat(), surgery.isoformat(), levels, day_number] + [
                diary[c] for c in COLUMNS
            ]
