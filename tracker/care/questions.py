"""Ask the care team: a patient's question reaches the triage inbox as a `review` item.

A question is a flag of its own kind (`ASK-QUESTION`), so it shares the inbox, the lifecycle
(open → acknowledged → resolved), the daily digest e-mail, the exports and the access log.
The care team replies by resolving it with a note; the patient reads the reply on their home
page and gets an e-mail notice without clinical content. Not for emergencies, and it says so.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from tracker.flags.engine import record_findings
from tracker.messaging import emails
from tracker.models import Flag, FlagStatus, Patient
from tracker.models.flags import ASK_RULE
from tracker.timeline import Finding, Level

QUESTION_MAX_LENGTH = 1000
REPLIES_SHOWN = 5


def ask(patient: Patient, question: str) -> Flag:
    """Send `question` to the care team (joins an unanswered one rather than duplicating it)."""
    day = patient.local_date()
    finding = Finding(
        rule_id=ASK_RULE,
        rule_version=1,
        level=Level.REVIEW,
        patient_message=_("Your question was sent to your care team."),
        clinician_explanation=_("The patient asked the care team a question (see evidence)."),
        evidence=({"date": day.isoformat(), "question": question},),
        reference="Patient question (not a clinical-reference rule)",
    )
    with transaction.atomic():
        record_findings(patient, [finding], day, fresh_days=frozenset({day}))
    return Flag.objects.get(patient=patient, rule_id=ASK_RULE, status__in=["open", "acknowledged"])


def replies_for(patient: Patient):
    """The latest answered questions, newest first (one query)."""
    return (
        patient.flags.filter(rule_id=ASK_RULE, status=FlagStatus.RESOLVED)
        .select_related("resolved_by")
        .order_by("-resolved_at")[:REPLIES_SHOWN]
    )


def waiting_for(patient: Patient) -> Flag | None:
    return patient.flags.filter(rule_id=ASK_RULE, status__in=["open", "acknowledged"]).first()


def notify_reply(flag: Flag) -> None:
    """E-mail the patient that a reply is waiting; the reply itself stays in the app."""
    if flag.rule_id == ASK_RULE:
        emails.queue("question_reply", flag.pk)


def reply_letter(flag_id: int) -> emails.Letter | None:
    """In the worker: the `question_reply` notice (nobody, if the question is gone)."""
    flag = (
        Flag.objects.filter(pk=flag_id, rule_id=ASK_RULE, patient__user__is_active=True)
        .select_related("patient__user")
        .first()
    )
    if flag is None:
        return None
    user = flag.patient.user
    context = {"name": user.full_name, "link": settings.SITE_URL + reverse("patient-home")}
    return emails.Letter(user.email, context)
