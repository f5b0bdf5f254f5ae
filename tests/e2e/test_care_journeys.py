"""Journeys through features that land one by one: each runs as soon as its URL exists."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.checkin_data import checkin_post
from tests.e2e.browser import needs_url, new_phone, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)


def check_in_through_the_app(client, patient, **answers) -> None:
    client.force_login(patient.user)
    assert client.post("/me/check-in/", checkin_post(**answers)).status_code == 200
    client.logout()


@pytest.fixture
def exercise_library(transactional_db):
    """The library a migration installs; an earlier browser test's flush may have emptied it."""
    from tracker.models import Exercise
    from tracker.programmes.library import install_library

    if not Exercise.objects.exists():
        install_library(Exercise)


@needs_url("programme", "The physiotherapist's programme page (issue 4)")
def test_physio_adds_an_exercise_and_the_patient_sees_it_next_day(
    page, phone, live_server, exercise_library, patient, physio, browser_errors
):
    sign_in_as(phone, live_server, physio)
    page.goto(reverse("programme", args=[patient.public_id]))
    page.get_by_role("link", name="Add an exercise from the library").tap()
    first = page.get_by_role("main").get_by_role("listitem").first.get_by_role("link")
    exercise = first.inner_text().strip()
    first.tap()
    page.get_by_role("button", name="Add to the programme").tap()
    expect(page.get_by_role("table").get_by_role("link", name=exercise)).to_be_visible()

    with time_machine.travel(timezone.now() + timedelta(days=1), tick=True):
        patient_page = new_phone(phone.browser, live_server).new_page()
        sign_in_as(patient_page.context, live_server, patient.user)
        patient_page.goto(reverse("my-exercises"))
        changes = patient_page.get_by_role("region", name="What changed")
        expect(changes).to_contain_text(f"Added {exercise}")
        expect(changes).to_contain_text("Phil Physio")
        patient_page.context.close()
    assert browser_errors == []


@needs_url("triage-inbox", "The triage inbox (issue 5)")
def test_surgeon_finds_the_new_flag_first_acknowledges_and_resolves_it(
    page, phone, live_server, client, patient, other_patient, surgeon, browser_errors
):
    check_in_through_the_app(client, other_patient, safety_fall="yes")
    check_in_through_the_app(client, patient, safety_bladder_change="yes")
    sign_in_as(phone, live_server, surgeon)
    page.goto(reverse("triage-inbox"))

    top = page.locator("#flag-list article").first
    expect(top).to_contain_text("Pat Example")
    expect(top).to_contain_text("RF-CES")
    top.get_by_role("button", name="Acknowledge").tap()
    top = page.locator("#flag-list article").first
    expect(top).to_contain_text("acknowledged by")
    top.locator("summary").tap()  # the details open in place
    top.get_by_label("Resolution note").fill(
        "Called the patient; seen in the emergency department."
    )
    top.get_by_role("button", name="Resolve").tap()
    expect(page.locator("#flag-list article").first).to_contain_text("Resolved by")
    flag = patient.flags.get(rule_id__startswith="RF-CES")
    assert flag.status == "resolved"
    assert flag.resolution_note.startswith("Called the patient")
    assert browser_errors == []


@needs_url("patient-report-pdf", "The PDF report for the clinic visit (issue 7)")
def test_surgeon_downloads_the_pdf_report(page, phone, live_server, client, patient, surgeon):
    from tests.exports.test_reports_pdf import unpacked

    check_in_through_the_app(client, patient)
    sign_in_as(phone, live_server, surgeon)
    page.goto(reverse("patient-summary", args=[patient.public_id]))
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("PDF report")).first.tap()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"%PDF")
    assert b"/Title (Recovery report: Pat Example)" in unpacked(content)
    assert download.value.suggested_filename.endswith(".pdf")


@needs_url("trends", "The patient's trends page (issue 6)")
def test_patient_sees_their_trend_chart_drawn(page, phone, live_server, client, patient):
    for offset in range(5, 0, -1):
        client.force_login(patient.user)
        day = patient.local_date() - timedelta(days=offset)
        client.post(reverse("checkin-day", args=[day]), checkin_post(back_pain=str(offset)))
    client.logout()
    sign_in_as(phone, live_server, patient.user)
    page.goto(reverse("trends"))
    # Drawn by the server first; a tap redraws it with plotly, which draws each trace as an
    # SVG group once its script has run.
    page.locator("[data-explore]").first.tap()
    expect(page.locator(".js-plotly-plot .scatterlayer .trace").first).to_be_attached()
    assert page.locator(".js-plotly-plot").count() >= 1
