"""The response to anything a patient submits: safety first (clinical-reference §0.1, §3).

An emergency answer gets the emergency screen in the very response to the submission, before
any other message; an urgent one gets "call your surgical team today". Neither needs
JavaScript: with htmx the same content is swapped into the page, without it a full page.
"""

from __future__ import annotations

from django.shortcuts import render
from django_htmx.http import reswap, retarget

from tracker.timeline import Finding, Level

SCREENS = {
    Level.EMERGENCY: "tracker/patient/emergency.html",
    Level.URGENT: "tracker/patient/urgent.html",
}


def most_severe(findings: list[Finding]) -> Level | None:
    return min((f.level for f in findings), key=lambda level: level.rank, default=None)


def screen(
    patient,
    findings: list[Finding],
    *,
    saved=None,
    crisis=False,
    next_questionnaires=(),
    fix_form=None,
    questionnaire_to_fix=None,
    kept_on_phone=False,
    **extra,
) -> tuple[str, dict]:
    """The template and context of the response to a submission, for a page or for the phone.

    Below an emergency or urgent screen comes what was not saved: the check-in form with its
    errors (`fix_form`), the questionnaire with its unanswered items (`questionnaire_to_fix`),
    or a word that the rest waits on the phone (`kept_on_phone`).
    """
    level = most_severe(findings)
    if crisis and level != Level.EMERGENCY:
        # PHQ-9 item 9 (RF-PHQ9-ITEM9): crisis numbers at once, never a quiet "saved".
        level = Level.URGENT
    context = {
        "patient": patient,
        "clinic": patient.clinic,
        "level": level,
        "findings": findings,
        # Only what the patient must act on is spelled out; review items are for the team.
        "patient_findings": [f for f in findings if f.level != Level.REVIEW],
        "saved": saved,
        "partly_saved": bool(fix_form or questionnaire_to_fix or kept_on_phone),
        "crisis": crisis,
        "next_questionnaires": next_questionnaires,
        "fix_form": fix_form,
        "questionnaire_to_fix": questionnaire_to_fix,
        "kept_on_phone": kept_on_phone,
        **extra,
    }
    return SCREENS.get(level, "tracker/patient/saved.html"), context


def safety_screen(request, patient, findings: list[Finding], **options):
    """The response to a submission as a page, or swapped over the whole page with htmx.
    `options` are those of `screen`."""
    template, context = screen(patient, findings, **options)
    if request.htmx:
        template += "#screen"
    response = render(request, template, context)
    if request.htmx:
        # The screen replaces the whole page body, whatever was targeted.
        response = reswap(retarget(response, "#main"), "innerHTML show:window:top")
    return response
