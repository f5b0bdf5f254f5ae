"""Every e-mail is a template pair sent through tracker.messaging.emails, and still carries
no clinical detail; flag notifications keep their claim, retry and give-up guarantees."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from tests.checkin_data import checkin_post
from tracker.checkins.forms import CheckInForm
from tracker.checkins.recording import record_checkin
from tracker.messaging import emails
from tracker.messaging.notifications import MAX_ATTEMPTS, deliver, send_daily_digest
from tracker.models import DeliveryStatus, Notification

TRACKER = Path(settings.BASE_DIR) / "tracker"
EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "tracker" / "emails"
ALL_EMAILS = {
    "flag_alert",
    "flag_digest",
    "checkin_reminder",
    "silence_reminder",
    "invitation",
    "question_reply",
    "enrolment_attempt",
}
SAMPLE = {
    "name": "Róisín O'Brien & Co",
    "link": "https://laminar.example/x/",
    "clinic": "A & E Clinic",
    "days": 7,
    "count": 3,
    "phone": "020 7946 0000",
}


def test_each_email_is_a_subject_and_body_template():
    names = {path.name.rsplit("_", 1)[0] for path in EMAIL_TEMPLATES.glob("*.txt")}
    assert names == ALL_EMAILS
    for name in ALL_EMAILS:
        assert (EMAIL_TEMPLATES / f"{name}_subject.txt").is_file()
        assert (EMAIL_TEMPLATES / f"{name}_body.txt").is_file()
    assert set(emails.COMPOSERS) <= ALL_EMAILS


@pytest.mark.parametrize("name", sorted(ALL_EMAILS))
def test_templates_render_plain_text_on_one_subject_line(name):
    subject, body = emails.render(name, SAMPLE)
    assert subject and "\n" not in subject and "{" not in subject
    assert body.strip() and "{{" not in body and "{%" not in body
    assert "&amp;" not in body and "&#x27;" not in body  # plain text, not HTML-escaped
    if "name" in re.findall(r"{{ (\w+) }}", (EMAIL_TEMPLATES / f"{name}_body.txt").read_text()):
        assert "Róisín O'Brien & Co" in body


def test_nothing_but_the_emails_module_sends_mail():
    senders = []
    for path in TRACKER.rglob("*.py"):
        if path == TRACKER / "messaging" / "emails.py" or "migrations" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"django\.core\.mail\b|\bsend_mail\(|\bsend_email\.|EmailMessage\(", text):
            senders.append(str(path.relative_to(TRACKER)))
    assert senders == []


def test_no_email_text_is_built_in_python():
    """The old %-formatted bodies are gone: e-mail wording lives in the templates."""
    for module in ("messaging/notifications.py", "messaging/reminders.py", "care/questions.py"):
        text = (TRACKER / module).read_text()
        assert "Hello %(name)s" not in text and "%(link)s" not in text, module
    assert "%(link)s" not in (TRACKER / "care" / "enrolment.py").read_text()


def answers(**overrides):
    form = CheckInForm(checkin_post(**overrides))
    assert form.is_valid(), form.errors
    return form.cleaned_data["answers"]


def urgent_notification(patient) -> int:
    """An immediate notification, pending (its on-commit delivery never runs in a test)."""
    record_checkin(
        patient, patient.local_date(), answers(safety_chest_pain_breathless="yes"), by=None
    )
    return Notification.objects.order_by("pk").first().pk


def test_flag_alert_is_the_template_and_holds_no_clinical_detail(patient, surgeon, physio):
    pk = urgent_notification(patient)
    assert deliver(pk) == "sent"
    message = mail.outbox[-1]
    assert (message.subject, message.body) == emails.render(
        "flag_alert", {"link": settings.SITE_URL + "/care/inbox/"}
    )
    assert "Pat Example" not in message.body and "chest" not in message.body.lower()


def test_a_failing_mail_server_is_retried_then_given_up_after_five(patient, surgeon, physio):
    pk = urgent_notification(patient)
    with mock.patch("tracker.messaging.emails.send_mail", side_effect=OSError("SMTP down")):
        for minutes in range(0, 200, 40):
            with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
                deliver(pk)
    notification = Notification.objects.get(pk=pk)
    assert notification.attempts == MAX_ATTEMPTS
    assert notification.status == DeliveryStatus.GAVE_UP
    assert "SMTP down" in notification.last_error


def test_the_digest_is_claimed_once_and_counts_waiting_flags(patient, surgeon, physio):
    record_checkin(patient, patient.local_date(), answers(safety_fall="yes"), by=None)
    assert send_daily_digest() == 2
    assert send_daily_digest() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([surgeon.email, physio.email])
    assert mail.outbox[0].subject == "Laminar: flags to review"
    assert "1 flag(s)" in mail.outbox[0].body and "Pat Example" not in mail.outbox[0].body


def test_queueing_an_unknown_email_fails_at_once():
    with pytest.raises(KeyError):
        emails.queue("no_such_email", 1)
