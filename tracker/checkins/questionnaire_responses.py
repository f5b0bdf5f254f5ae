"""Recording questionnaire responses: the one path for the patient's form, paper totals
entered by a clinician, imports and the demo. Scores come from
tracker.questionnaires.scoring only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.checkins.recording import findings_dated
from tracker.flags.engine import evaluate_patient, thresholds_for
from tracker.models import Patient, QuestionnaireResponse, ResponseSource, User
from tracker.models.outcome_points import refresh_after_save
from tracker.questionnaires import scoring
from tracker.questionnaires.definitions import default_schedules
from tracker.timeline import Finding


@dataclass
class ResponseResult:
    response: QuestionnaireResponse
    score: scoring.Score | None
    findings: list[Finding] = field(default_factory=list)


def record_response(
    patient: Patient,
    code: str,
    day: date,
    answers: dict,
    *,
    by: User | None,
    source: str = ResponseSource.PATIENT,
    notify: bool = True,
) -> ResponseResult:
    """Score and save `answers` to questionnaire `code` for `day` (one response per day;
    answering again the same day replaces it). Raises scoring.AnswerError on invalid answers."""
    definition = scoring.get_definition(code)
    result = scoring.score(definition, answers)
    if result.total is None:
        raise scoring.AnswerError(f"{code}: not enough items answered to score it")
    response, findings = _store(
        patient,
        code,
        day,
        Decimal(str(result.total)),
        by=by,
        source=source,
        notify=notify,
        version=definition.version,
        answers=answers,
        items=result.items,
        band=result.band or "",
    )
    return ResponseResult(response, result, findings)


def record_safety_items(
    patient: Patient, code: str, day: date, answered: dict[str, int], *, by: User | None
) -> ResponseResult | None:
    """Keep the safety items of an incomplete questionnaire when one is above 0.

    Returns None (and writes nothing) when no safety item was answered above 0.
    """
    items = {
        link_id: answered[link_id]
        for link_id in scoring.SAFETY_ITEMS.get(code, ())
        if isinstance(answered.get(link_id), int) and answered[link_id] > 0
    }
    if not items:
        return None
    response, findings = _store(
        patient,
        scoring.partial_code(code),
        day,
        Decimal(sum(items.values())),
        by=by,
        version=scoring.get_definition(code).version,
        answers=items,
        items=items,
    )
    return ResponseResult(response, None, findings)


def record_paper_total(
    patient: Patient, code: str, day: date, total: Decimal, *, by: User
) -> ResponseResult:
    """A total scored on paper (e.g. a licensed ODI): the number, never the licensed items."""
    response, findings = _store(patient, code, day, total, by=by, source=ResponseSource.PAPER)
    return ResponseResult(response, None, findings)


def _store(
    patient: Patient,
    instrument: str,
    day: date,
    total: Decimal,
    *,
    by: User | None,
    source: str = ResponseSource.PATIENT,
    notify: bool = True,
    version: str = "",
    answers: dict | None = None,
    items: dict | None = None,
    band: str = "",
) -> tuple[QuestionnaireResponse, list[Finding]]:
    """Save the day's response to `instrument` and run the rules, in one transaction."""
    values = {
        "definition_version": version,
        "answers": dict(answers or {}),
        "item_scores": dict(items or {}),
        "total": total,
        "band": band,
        "source": source,
        "entered_by": by,
        "updated_at": timezone.now(),
    }
    with transaction.atomic():
        response = _save(patient, instrument, day, values)
        return response, after_response_saved(patient, response, notify=notify)


def _save(patient, code, day, values) -> QuestionnaireResponse:
    try:
        with transaction.atomic():
            return QuestionnaireResponse.objects.update_or_create(
                patient=patient, instrument=code, day=day, defaults=values
            )[0]
    except IntegrityError:
        # The same questionnaire for the same day arrived twice at once: update the first.
        return QuestionnaireResponse.objects.update_or_create(
            patient=patient, instrument=code, day=day, defaults=values
        )[0]


def after_response_saved(patient: Patient, response: QuestionnaireResponse, *, notify: bool):
    """The one place the rules run after a questionnaire is saved (inside its transaction)."""

    refresh_after_save(patient, thresholds_for(patient), default_schedules())  # clinic outcomes
    findings, outcome = evaluate_patient(
        patient, response.day, fresh_days=frozenset({response.day}), notify=notify
    )
    news = {flag.rule_id for flag in outcome.opened + outcome.escalated}
    dated = {f.rule_id for f in findings_dated(findings, response.day)}
    return [
        f
        for f in findings
        if f.rule_id in SHOWN_AFTER_A_QUESTIONNAIRE and (f.rule_id in dated or f.rule_id in news)
    ]


# The findings the patient is shown on the response to a questionnaire: the crisis numbers of
# §3 RF-PHQ9-ITEM9 and the offer of a PHQ-9 of §4 P8. Of the rules that read questionnaires
# (tracker.rules.QUESTIONNAIRE_RULES), P4 is left out on purpose: it asks the surgeon and the
# physiotherapist to review, and is no news for the patient to read on this page.
SHOWN_AFTER_A_QUESTIONNAIRE = frozenset({"RF-PHQ9-ITEM9", "P8-DEPRESSION"})


def due_for(patient: Patient, today: date) -> list[scoring.Definition]:
    """The questionnaires due today, as definitions (one query)."""
    history = [
        (code, day, float(total))
        for code, day, total in patient.questionnaire_responses.values_list(
            "instrument", "day", "total"
        )
    ]
    codes = scoring.due_questionnaires(patient.surgery_date, today, history)
    return [scoring.get_definition(code) for code in codes]
