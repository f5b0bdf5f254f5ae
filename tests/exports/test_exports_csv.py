"""CSV exports: a patient's diary that imports back, and the clinic's streamed cohort."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests.conftest import make_patient
from tests.report_data import checkin_days
from tracker.checkins.diary_import import COLUMNS, import_diary
from tracker.exports.csv_export import neutralise, patient_diary_lines, pseudonym
from tracker.models import AccessLog, CheckIn
from tracker.models.checkins import ANSWER_FIELDS

# Every answer (safety answers are compared as the set of "yes" codes).
COMPARED = ("day", *(name for name in ANSWER_FIELDS if name != "safety"))


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def answered(patient) -> list[dict]:
    found = []
    for checkin in CheckIn.objects.filter(patient=patient).order_by("day"):
        values = {name: getattr(checkin, name) for name in COMPARED}
        values["safety_yes"] = sorted(checkin.safety_yes)
        found.append(values)
    return found


def test_patient_csv_has_exactly_the_import_columns(client, patient, surgeon):
    checkin_days(patient, 5)
    client.force_login(surgeon)
    response = client.get(f"/care/patients/{patient.public_id}/checkins.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    text = body(response)
    assert text.splitlines()[0].split(",") == list(COLUMNS)
    assert len(rows_of(text)) == CheckIn.objects.filter(patient=patient).count()
    assert AccessLog.objects.filter(patient_ref=patient.public_id, action="export:csv").count() == 1


def diary_text(patient, days: int) -> str:
    """A varied diary, recorded through the import (the check-in form's validation)."""
    lines = [",".join(COLUMNS)]
    for number in range(days, 0, -1):
        day = patient.local_date() - timedelta(days=number)
        answers = ["radiating_pain:left"] if number % 3 else ["numbness_tingling:both", "fall"]
        temperature = ""
        if number == 4:
            answers.append("feverish")
            temperature = "38.1"
        note = '"Walked to the shop, ""slowly"", then rested"' if number == 2 else ""
        cells = [
            day.isoformat(),
            str(number % 11),
            "" if number == 5 else str((number + 3) % 11),
            "" if number == 5 else ("left" if number % 2 else "both"),
            ";".join(answers),
            temperature,
            str(10 * number),
            str(number % 3),
            "yes" if number % 2 else "no",
            "" if number % 3 else "yes",
            "",
            note,
        ]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def test_an_export_imports_back_into_another_instance(clinic, other_clinic, patient):
    import_diary(patient, diary_text(patient, 15))
    text = "".join(patient_diary_lines(patient))
    # Another instance: a new patient elsewhere, the same surgery date.
    copy = make_patient(
        "copy@elsewhere.test", other_clinic, surgery_days_ago=patient.days_since_surgery()
    )
    import_diary(copy, text)
    assert answered(copy) == answered(patient)
    assert len(answered(copy)) == 15
    assert any(day["temperature_c"] is not None for day in answered(copy))
    assert any(day["note"] for day in answered(copy))
    # Painkiller answers travel too (they were dropped before the one field list).
    assert {day["took_other_painkillers"] for day in answered(copy)} == {True, False}


@pytest.mark.parametrize(
    "cell, shown",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Walked 20 minutes", "Walked 20 minutes"),
        (7, "7"),
        (None, ""),
    ],
)
def test_formula_cells_are_neutralised(cell, shown):
    assert neutralise(cell) == shown


def test_a_formula_note_is_exported_as_text(client, patient, surgeon):
    checkin_days(patient, 3)
    CheckIn.objects.filter(patient=patient).update(note="=cmd|' /C calc'!A0")
    client.force_login(surgeon)
    rows = rows_of(body(client.get(f"/care/patients/{patient.public_id}/checkins.csv")))
    assert {row["note"] for row in rows} == {"'=cmd|' /C calc'!A0"}


def test_no_number_we_export_is_negative(patient):
    checkin_days(patient, 19)
    for row in rows_of("".join(patient_diary_lines(patient))):
        for column in ("back_pain", "leg_pain", "walking_minutes", "opioid_doses"):
            assert not row[column].startswith("'")


def cohort_url(pseudonymise=False):
    return "/clinic/exports/cohort.csv" + ("?pseudonymise=1" if pseudonymise else "")


@pytest.fixture
def cohort(clinic, patient, other_patient):
    checkin_days(patient, 10)
    checkin_days(other_patient, 10)
    return [patient, other_patient]


def test_pseudonymised_cohort_has_stable_codes_and_no_names(client, clinic_admin, cohort):
    client.force_login(clinic_admin)
    first = body(client.get(cohort_url(pseudonymise=True)))
    second = body(client.get(cohort_url(pseudonymise=True)))
    assert first == second  # the same codes each time
    for secret in ("Pat Example", "Olive Other", "@clinic.test", "1960-05-17"):
        assert secret not in first
    rows = rows_of(first)
    assert "note" not in rows[0] and "email" not in rows[0]
    codes = {row["patient_code"] for row in rows}
    assert codes == {pseudonym(p.public_id) for p in cohort}
    assert all(code.startswith("P-") and len(code) == 18 for code in codes)
    assert AccessLog.objects.filter(action="export:cohort-csv (pseudonymised)").count() == 4


def test_export_report_command_writes_csv(patient, tmp_path):
    from django.core.management import call_command

    checkin_days(patient, 6)
    out = tmp_path / "diary.csv"
    call_command(
        "export_report", "--patient", patient.user.email, "--format", "csv", "--output", str(out)
    )
    rows = rows_of(out.read_text())
    assert len(rows) == CheckIn.objects.filter(patient=patient).count()
