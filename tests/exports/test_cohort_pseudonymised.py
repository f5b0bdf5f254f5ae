"""The clinic admin's pseudonymised cohort: nothing in it names a patient or dates an event,
the codes are stable but keyed by the server's secret, and the rows come in code order."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_patient
from tests.report_data import checkin_days
from tracker.exports import csv_export
from tracker.exports.csv_export import age_band, coded_levels, pseudonym
from tracker.models import AccessLog, CheckIn, Patient

URL = "/clinic/exports/cohort.csv?pseudonymise=1"
NOTE = "Gwen from next door drove me to Dr Hughes"
# Any calendar date a spreadsheet or a person would read as one.
CALENDAR_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"
    r"|\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)",
    re.IGNORECASE,
)


def download(client) -> tuple[list[str], list[list[str]]]:
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "pseudonymised" in response["Content-Disposition"]
    header, *rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))
    return header, rows


@pytest.fixture
def cohort(clinic, patient, other_patient):
    """Two patients with three weeks of check-ins, every one with a note naming people."""
    Patient.objects.filter(pk=other_patient.pk).update(
        date_of_birth=date(1931, 2, 3), levels="L5/S1 (revision, Mr Jones)"
    )
    for someone in (patient, other_patient):
        checkin_days(someone, 19)
    CheckIn.objects.update(note=NOTE)
    return [patient, Patient.objects.get(pk=other_patient.pk)]


def test_no_cell_names_a_patient_or_dates_anything(client, clinic_admin, cohort):
    client.force_login(clinic_admin)
    header, rows = download(client)
    assert len(rows) == CheckIn.objects.count() > 30
    forbidden = [NOTE, "Gwen", "Hughes", "Jones", "revision"]
    years = set()
    for patient in cohort:
        born = patient.date_of_birth
        forbidden += [
            patient.user.full_name,
            patient.user.email,
            str(patient.public_id),
            born.isoformat(),
            born.strftime("%d/%m/%Y"),
        ]
        years |= {str(born.year), str(patient.surgery_date.year)}
    for row in [header, *rows]:
        for cell in row:
            assert not CALENDAR_DATE.search(cell), cell
            assert not [text for text in forbidden if text.lower() in cell.lower()], cell
            assert cell not in years, cell
    for column in ("note", "date", "email", "patient", "date_of_birth", "surgery_date"):
        assert column not in header


def test_ages_are_five_year_bands_at_surgery_and_days_count_from_surgery(
    client, clinic_admin, cohort
):
    client.force_login(clinic_admin)
    header, rows = download(client)
    by_code = {}
    for row in rows:
        values = dict(zip(header, row, strict=True))
        by_code.setdefault(values["patient_code"], []).append(values)
    pat, olive = cohort
    pat_rows, olive_rows = by_code[pseudonym(pat.public_id)], by_code[pseudonym(olive.public_id)]
    # Pat was born 17 May 1960; Olive in 1931, so 90 or over at surgery: one open band.
    expected = age_band(pat.date_of_birth, pat.surgery_date)
    assert re.fullmatch(r"\d{2}-\d{2}", expected)
    assert {r["age_at_surgery"] for r in pat_rows} == {expected}
    assert {r["age_at_surgery"] for r in olive_rows} == {"90+"}
    assert {r["levels"] for r in pat_rows} == {"L4-L5"}
    assert {r["levels"] for r in olive_rows} == {"L5-S1"}
    days = [
        (checkin.day - pat.surgery_date).days
        for checkin in CheckIn.objects.filter(patient=pat).order_by("day")
    ]
    assert [int(r["day_number"]) for r in pat_rows] == days
    # The answers are still there.
    first = CheckIn.objects.filter(patient=pat).order_by("day").first()
    assert pat_rows[0]["leg_pain"] == str(first.leg_pain)


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        (date(1960, 5, 17), date(2025, 5, 16), "60-64"),  # a day before the 65th birthday
        (date(1960, 5, 17), date(2025, 5, 17), "65-69"),  # on it
        (date(1936, 1, 1), date(2025, 12, 31), "85-89"),
        (date(1935, 12, 31), date(2025, 12, 31), "90+"),
        (date(2007, 3, 1), date(2025, 3, 1), "15-19"),
    ],
)
def test_age_bands(born, on, band):
    assert age_band(born, on) == band


@pytest.mark.parametrize(
    ("typed", "coded"),
    [
        ("L4–L5", "L4-L5"),
        ("l3-l5", "L3-L5"),
        ("L4/5 and L5/S1", "L4-L5-S1"),
        ("L5–S1 (revision for Mrs Smith, 12/03)", "L5-S1"),
        ("T12-L1", "T12-L1"),
        ("see notes", ""),
        ("L45", ""),
    ],
)
def test_levels_keep_only_the_vertebrae_named(typed, coded):
    assert coded_levels(typed) == coded


def test_codes_are_stable_and_need_the_servers_secret(client, clinic_admin, cohort, settings):
    client.force_login(clinic_admin)
    first, second = download(client), download(client)
    assert first == second
    codes = {row[0] for row in first[1]}
    assert codes == {pseudonym(p.public_id) for p in cohort}
    assert all(re.fullmatch(r"P-[0-9a-f]{16}", code) for code in codes)
    # Another server secret, other codes: the code is not computable from the code base alone.
    settings.SECRET_KEY = "another-servers-secret-" + "y" * 40
    assert {pseudonym(p.public_id) for p in cohort}.isdisjoint(codes)


def test_rows_come_in_code_order_not_in_enrolment_order(client, clinic, clinic_admin):
    patients = [make_patient(f"p{n}@clinic.test", clinic, full_name=f"P {n}") for n in range(8)]
    for someone in patients:
        checkin_days(someone, 2)
    client.force_login(clinic_admin)
    _header, rows = download(client)
    codes = list(dict.fromkeys(row[0] for row in rows))
    assert codes == sorted(pseudonym(p.public_id) for p in patients)


def test_every_patient_in_the_file_is_in_their_access_log(client, clinic_admin, cohort):
    client.force_login(clinic_admin)
    download(client)
    action = "export:cohort-csv (pseudonymised)"
    logged = AccessLog.objects.filter(action=action, actor=clinic_admin)
    assert sorted(logged.values_list("patient_ref", flat=True)) == sorted(
        p.public_id for p in cohort
    )


def test_it_streams_with_one_query_per_fifty_patients(client, clinic, clinic_admin, monkeypatch):
    monkeypatch.setattr(csv_export, "PATIENTS_PER_QUERY", 3)
    monkeypatch.setattr(csv_export, "CHUNK_SIZE", 5)
    for number in range(7):
        checkin_days(make_patient(f"c{number}@clinic.test", clinic), 4)
    client.force_login(clinic_admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
        read_before = [q for q in queries.captured_queries if "tracker_checkin" in q["sql"]]
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]
    checkin_queries = [q for q in queries.captured_queries if "tracker_checkin" in q["sql"]]
    assert read_before == []  # nothing is read before the response is sent: it streams
    assert len(rows) == CheckIn.objects.count()
    assert len(checkin_queries) == 3  # 7 patients, 3 a query


@pytest.mark.parametrize(
    ("cell", "kept"),
    [
        ("38.1@2026-03-02T08:30:00+00:00;37.2@09:15", "38.1;37.2@09:15"),
        ("37.9@2026-03-02", "37.9"),
        ("37.9@08:30;38.0", "37.9@08:30;38.0"),
        ("back_pain;fever", "back_pain;fever"),
        (7, 7),
    ],
)
def test_diary_cells_lose_calendar_dates_but_keep_clock_times(cell, kept):
    assert csv_export.undated(cell) == kept
