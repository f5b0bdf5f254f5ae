"""CSV exports: one patient's diary (the import format) and the clinic's cohort (streamed).

A patient's export has exactly the columns `import_checkins` reads
(`tracker.checkins.diary_import.COLUMNS`, documented in the README), so it imports back into another
instance. The cohort is every check-in of many patients, identified for clinicians (their care
team's patients) and pseudonymised for the clinic admin; it streams from chunked queries, so a
clinic of 1,000 patients × 365 days never sits in memory.
"""

from __future__ import annotations

import csv
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import batched

from django.conf import settings
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac

from tracker.checkins.diary_import import COLUMNS
from tracker.models import CheckIn, Patient
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
    "patient__user__full_name",
    "patient__user__email",
    "patient__date_of_birth",
    "patient__surgery_date",
    "patient__levels",
)
COHORT_COLUMNS = ("patient", "email", "date_of_birth", "surgery_date", "levels", "day_number")
# The pseudonymised cohort (the clinic admin's) cannot be tied back to a patient from its own
# columns: a keyed code for the patient, the age at surgery in five-year bands, the vertebrae
# operated on, days counted from surgery instead of calendar dates, and no free text (a note
# can name people).
PSEUDONYMISED_DIARY = tuple(c for c in COLUMNS if c not in ("date", "note"))
PSEUDONYMISED_COLUMNS = (
    "patient_code",
    "age_at_surgery",
    "levels",
    "day_number",
    *PSEUDONYMISED_DIARY,
)
OLDEST_BAND = 90  # ages from here on are one band: few patients, each easier to single out
# The pseudonymised cohort reads check-ins for this many patients per query.
PATIENTS_PER_QUERY = 50


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
    """A patient's stable code in the pseudonymised cohort: "P-" and an HMAC of the public id.

    The key is SECRET_KEY (PSEUDONYM_SALT only keeps this use of it apart from Django's
    others), so without the server's secret nobody, the clinic admin included, can compute a
    known patient's code or turn a code back into a patient. The same key gives the same code
    in every export; a new SECRET_KEY gives every patient a new one.
    """
    digest = salted_hmac(
        PSEUDONYM_SALT, str(public_id), secret=settings.SECRET_KEY, algorithm="sha256"
    )
    return "P-" + digest.hexdigest()[:16]


def age_band(born: date, on: date) -> str:
    """Age on `on` in five-year bands ("60-64"); 90 and over is one band ("90+")."""
    age = max(on.year - born.year - ((on.month, on.day) < (born.month, born.day)), 0)
    if age >= OLDEST_BAND:
        return f"{OLDEST_BAND}+"
    low = age - age % 5
    return f"{low}-{low + 4}"


# A vertebra as written by staff: "L4", "l 5", "S1"; "L4/5" names L4 and L5.
VERTEBRA = re.compile(r"(?<![A-Za-z0-9])([TLS])\s?(\d{1,2})(?:\s?/\s?(\d{1,2}))?(?!\d)", re.I)
VERTEBRAE = (
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 7)),
    *(f"S{n}" for n in range(1, 6)),
)


def coded_levels(levels: str) -> str:
    """The vertebrae a free-text "levels" field names, top to bottom ("L4-L5"), and nothing
    else of what was typed (a name or a remark written there does not reach the cohort)."""
    named = set()
    for letter, first, second in VERTEBRA.findall(levels or ""):
        letter = letter.upper()
        named.update(f"{letter}{int(n)}" for n in (first, second) if n)
    return "-".join(v for v in VERTEBRAE if v in named)


# A calendar date, alone or starting a date and time ("2026-03-02", "2026-03-02T08:30+00:00").
CALENDAR_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")


def undated(cell: object) -> object:
    """A diary cell without calendar dates: a dated time ("37.9@2026-03-02T08:30+00:00", a
    temperature reading) keeps its value only; a clock time ("37.9@08:30") stays."""
    if not isinstance(cell, str) or not CALENDAR_DATE.search(cell):
        return cell
    parts = [part.split("@")[0] if CALENDAR_DATE.search(part) else part for part in cell.split(";")]
    return CALENDAR_DATE.sub("", ";".join(parts))


def cohort_checkins(patients: QuerySet[Patient]) -> QuerySet:
    """The check-ins of `patients` with who they are, patient by patient, oldest day first."""
    return (
        CheckIn.objects.filter(patient__in=patients)
        .order_by("patient_id", "day")
        .values_list(*PATIENT_VALUES, *CHECKIN_VALUES)
    )


def cohort_lines(patients: QuerySet[Patient]) -> Iterator[str]:
    """Every check-in of `patients`, identified, one row per patient-day, streamed in chunks.

    For clinicians: `patients` must come from tracker.auth.access (their care team's).
    """
    return csv_lines((*COHORT_COLUMNS, *COLUMNS), _cohort_rows(patients))


def _cohort_rows(patients: QuerySet[Patient]) -> Iterator[list[object]]:
    width = len(PATIENT_VALUES)
    for values in cohort_checkins(patients).iterator(chunk_size=CHUNK_SIZE):
        name, email, born, surgery, levels = values[:width]
        checkin = dict(zip(CHECKIN_VALUES, values[width:], strict=True))
        diary = diary_row(checkin)
        day_number = (checkin["day"] - surgery).days
        yield [name, email, born.isoformat(), surgery.isoformat(), levels, day_number] + [
            diary[c] for c in COLUMNS
        ]


def pseudonymised_cohort_lines(patients: QuerySet[Patient]) -> Iterator[str]:
    """The cohort with nothing that names a patient or dates an event (PSEUDONYMISED_COLUMNS).

    Patients come in the order of their codes, not of enrolment or public id (both of which
    the clinic admin can see), so the order of the rows identifies no one either.
    """
    return csv_lines(PSEUDONYMISED_COLUMNS, _pseudonymised_rows(patients))


def _pseudonymised_rows(patients: QuerySet[Patient]) -> Iterator[list[object]]:
    people = sorted(
        (pseudonym(public_id), pk, age_band(born, surgery), coded_levels(levels), surgery)
        for pk, public_id, born, surgery, levels in patients.values_list(
            "pk", "public_id", "date_of_birth", "surgery_date", "levels"
        ).iterator(chunk_size=CHUNK_SIZE)
    )
    for batch in batched(people, PATIENTS_PER_QUERY):
        days: dict[int, list[tuple]] = defaultdict(list)
        checkins = (
            CheckIn.objects.filter(patient_id__in=[person[1] for person in batch])
            .order_by("patient_id", "day")
            .values_list("patient_id", *CHECKIN_VALUES)
        )
        for patient_id, *values in checkins.iterator(chunk_size=CHUNK_SIZE):
            days[patient_id].append(values)
        for code, pk, band, levels, surgery in batch:
            for values in days.pop(pk, ()):
                checkin = dict(zip(CHECKIN_VALUES, values, strict=True))
                diary = diary_row(checkin)
                day_number = (checkin["day"] - surgery).days
                answers = (undated(diary[c]) for c in PSEUDONYMISED_DIARY)
                yield [code, band, levels, day_number, *answers]
