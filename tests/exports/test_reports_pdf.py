"""The PDF report for the clinic visit: what the clinician sees on paper, and who made it."""

from __future__ import annotations

import re
import time
import zlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_flag, make_patient
from tests.report_data import checkin_days, peg_scores
from tracker.charts.figures import Period
from tracker.exports.content import build_report
from tracker.exports.pdf import report_html
from tracker.models import AccessLog, CheckIn

A4_POINTS = (595, 842)
LETTER_POINTS = (612, 792)


def unpacked(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated."""
    chunks = [pdf]
    # WeasyPrint writes "stream", a newline, the data, a newline, "endstream".
    for found in re.finditer(rb"stream\n(.*?)\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(found.group(1)))
        except zlib.error:
            continue
    return b"\n".join(chunks)


def media_box(pdf: bytes) -> tuple[int, int]:
    found = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", unpacked(pdf))
    assert found, "no page size in the PDF"
    return round(float(found.group(1))), round(float(found.group(2)))


def rendered_text(html: str) -> str:
    """The text WeasyPrint lays out on the pages (no pdftotext on these machines)."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    words = []
    for page in document.pages:
        for box in page._page_box.descendants():
            text = getattr(box, "text", None)
            if isinstance(text, str):
                words.append(text)
    return " ".join(words)


@pytest.fixture
def year_patient(clinic, surgeon, physio):
    patient = make_patient(
        "year@clinic.test",
        clinic,
        surgery_days_ago=366,
        team=(surgeon, physio),
        surgeon=surgeon,
        full_name="Yara Yearlong",
        baseline_back_pain=7,
        baseline_leg_pain=8,
    )
    checkin_days(patient, 366)
    peg_scores(patient, 3, 30, 90, 180, 300)
    make_flag(patient, days_ago=40, evidence={"temperature_c": "38.4"})
    CheckIn.objects.filter(patient=patient, day=patient.local_date() - timedelta(days=40)).update(
        note="Felt hot and shivery all evening."
    )
    return patient


def report_url(patient, **query):
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/care/patients/{patient.public_id}/report.pdf?{params}"


def test_care_team_downloads_a_pdf_naming_the_patient_and_the_export_is_logged(
    client, year_patient, surgeon
):
    client.force_login(surgeon)
    response = client.get(report_url(year_patient))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert media_box(response.content) == A4_POINTS
    assert b"/Title (Recovery report: Yara Yearlong)" in unpacked(response.content)
    log = AccessLog.objects.get(patient_ref=year_patient.public_id, action="export:pdf")
    assert log.actor == surgeon


def test_letter_paper(client, year_patient, physio):
    client.force_login(physio)
    response = client.get(report_url(year_patient, paper="letter"))
    assert media_box(response.content) == LETTER_POINTS


def test_bad_period_is_refused(client, year_patient, surgeon):
    client.force_login(surgeon)
    response = client.get(report_url(year_patient, **{"from": "2026-02-30"}))
    assert response.status_code == 400
    today = year_patient.local_date()
    response = client.get(
        report_url(year_patient, **{"from": today, "to": today - timedelta(days=1)})
    )
    assert response.status_code == 400
    assert b"on or before" in response.content


def test_the_report_says_what_the_clinician_needs(year_patient, surgeon):
    today = year_patient.local_date()
    report = build_report(
        year_patient,
        Period(year_patient.surgery_date, today),
        generated_by="Sam Surgeon (Surgeon)",
        generated_at=timezone.now(),
    )
    text = rendered_text(report_html(report))
    assert "Yara Yearlong" in text
    assert "L4–L5" in text
    assert "Generated" in text and "Sam Surgeon (Surgeon)" in text
    assert "Page 1 of" in text
    assert "Meaningful change reached" in text
    assert "RF-FEVER" in text and "38.4" in text  # the flag with its evidence
    assert "Felt hot and shivery all evening." in text
    measures = {row.label: row for row in report.measures}
    # The seeded recovery halves the pain: a meaningful improvement (§2) on back and leg pain.
    assert measures["Back pain"].meaningful is True
    assert measures["Leg pain"].meaningful is True
    # PEG from 7 to 4 is 43 % lower: meaningful by the 30 % analogy (§2 [D]).
    assert measures["PEG"].meaningful is True
    assert measures["PHQ-9"].meaningful is None  # never answered: cannot tell
    titles = [item.chart.title for item in report.charts]
    assert titles[:2] == ["Back pain", "Leg pain"]
    assert all(item.svg.startswith("<svg") for item in report.charts)


def test_not_reached_says_no(clinic, surgeon):
    patient = make_patient(
        "flat@clinic.test", clinic, surgery_days_ago=30, team=(surgeon,), baseline_back_pain=5
    )
    peg_scores(patient, 3, 20, pain=(6, 5))  # 17 % lower: not meaningful
    report = build_report(
        patient,
        Period(patient.surgery_date, patient.local_date()),
        generated_by="x",
        generated_at=timezone.now(),
    )
    peg = next(row for row in report.measures if row.label == "PEG")
    assert peg.meaningful is False
    assert ">No<" in report_html(report)


def test_a_period_keeps_only_its_flags(year_patient):
    today = year_patient.local_date()
    report = build_report(
        year_patient,
        Period(today - timedelta(days=20), today),
        generated_by="x",
        generated_at=timezone.now(),
    )
    assert report.flags == ()
    assert report.notes == ()


def test_one_year_report_builds_in_under_three_seconds(year_patient, surgeon, client):
    client.force_login(surgeon)
    client.get(report_url(year_patient))  # WeasyPrint's first import is not the report's cost
    started = time.perf_counter()
    response = client.get(report_url(year_patient))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    print(f"one-year PDF report: {elapsed:.2f} s, {len(response.content) // 1024} KB")
    assert elapsed < 3


def test_report_queries_do_not_grow_with_days(clinic, surgeon, client):
    counts = []
    for index, days in enumerate((1, 365)):
        patient = make_patient(
            f"q{index}@clinic.test", clinic, surgery_days_ago=days + 1, team=(surgeon,)
        )
        checkin_days(patient, days)
        make_flag(patient)
        client.force_login(surgeon)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(report_url(patient)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_export_report_command_writes_a_pdf(year_patient, tmp_path):
    out = tmp_path / "report.pdf"
    call_command(
        "export_report",
        "--patient",
        "year@clinic.test",
        "--format",
        "pdf",
        "--output",
        str(out),
        "--paper",
        "letter",
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert media_box(out.read_bytes()) == LETTER_POINTS
    assert AccessLog.objects.filter(
        patient_ref=year_patient.public_id, action="export:pdf", actor=None
    ).exists()


def test_outsiders_get_404(client, year_patient, outsider_staff, clinic_admin):
    for person in (outsider_staff, clinic_admin, year_patient.user):
        client.force_login(person)
        assert client.get(report_url(year_patient)).status_code == 404
    assert not AccessLog.objects.filter(action="export:pdf").exists()
