"""Staff read words, not codes: every page of each staff role, the PDF report and the e-mails
over the demo data hold no answer code and no Python list or dict text."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tracker.charts.figures import Period
from tracker.exports.content import build_report
from tracker.exports.pdf import report_html
from tracker.models import Flag, Patient, User
from tracker.timeline.vocabulary import ANSWER_LABELS
from tracker.views.navigation import NAV_LINKS

pytestmark = pytest.mark.django_db

# The codes people must never read (those with an underscore: "fall" is also a word).
CODES = re.compile(r"\b(" + "|".join(c for c in ANSWER_LABELS if "_" in c) + r")\b")
PYTHON_TEXT = re.compile(r"\[\s*'|\{\s*'|\['|\{'")


def visible_text(html: str) -> str:
    """What a person reads: no scripts, styles, tags or attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def problems(where: str, text: str) -> list[str]:
    found = [f"{where}: code {m}" for m in set(CODES.findall(text))]
    if PYTHON_TEXT.search(text):
        found.append(f"{where}: Python list or dict text")
    return found


@pytest.fixture
def demo(demo_data):
    call_command("evaluate_flags")
    assert Flag.objects.exists()


def staff_pages(user) -> list[str]:
    pages = [reverse(name) for name, _label in NAV_LINKS.get(user.role, [])]
    if user.is_care_staff:
        for patient in Patient.objects.filter(memberships__staff=user):
            pages.append(reverse("patient-summary", args=[patient.public_id]))
        for flag in Flag.objects.filter(patient__memberships__staff=user)[:10]:
            pages.append(reverse("flag-detail", args=[flag.public_id]))
        pages.append(reverse("triage-inbox") + "?status=all")
    return pages


@pytest.mark.parametrize(
    "email", ["physio@example.com", "surgeon@example.com", "admin@example.com"]
)
def test_every_staff_page_reads_in_words(client, demo, email):
    user = User.objects.get(email=email)
    client.force_login(user)
    found = []
    for url in staff_pages(user):
        response = client.get(url)
        assert response.status_code == 200, url
        found += problems(url, visible_text(response.content.decode()))
    assert found == []


def test_the_pdf_report_reads_in_words(demo):
    from django.utils import timezone

    for patient in Patient.objects.all():
        today = patient.local_date()
        report = build_report(
            patient,
            Period(patient.surgery_date, today),
            generated_by="Dr Samira Patel",
            generated_at=timezone.now(),
        )
        assert problems(str(patient), visible_text(report_html(report))) == []


def test_the_emails_read_in_words(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_notifications")
        call_command("send_notifications", "--digest")
    for message in mail.outbox:
        assert problems(message.subject, message.subject + "\n" + message.body) == []
