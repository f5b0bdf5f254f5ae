"""Weekly and milestone questionnaires (clinical-reference §1.3)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tracker.auth.access import get_patient
from tracker.auth.roles import patient_required
from tracker.checkins.questionnaire_forms import QuestionnaireForm
from tracker.checkins.questionnaire_responses import (
    due_for,
    record_response,
    record_safety_items,
)
from tracker.questionnaires import scoring
from tracker.views.safety import safety_screen


def definition_or_404(code: str) -> scoring.Definition:
    try:
        return scoring.get_definition(code)
    except (KeyError, LookupError) as error:
        raise Http404 from error


@patient_required
@require_http_methods(["GET", "POST"])
def questionnaire(request, code: str):
    patient = get_patient(request, f"questionnaire:{code}")
    definition = definition_or_404(code)
    today = patient.local_date()
    form = QuestionnaireForm(definition, request.POST if request.method == "POST" else None)
    if request.method == "POST" and not form.is_valid():
        cleaned = getattr(form, "cleaned_data", {})
        answered = {k: v for k, v in cleaned.items() if k not in form.errors}
        kept = record_safety_items(patient, code, today, answered, by=request.user)
        if kept is not None:
            # Crisis numbers at once; the rest of the questionnaire is shown again below.
            return safety_screen(
                request,
                patient,
                kept.findings,
                saved=kept.response,
                crisis=True,
                questionnaire_to_fix={"definition": definition, "form": form},
            )
    if request.method == "POST" and form.is_valid():
        result = record_response(patient, code, today, form.answers(), by=request.user)
        crisis = bool(result.score and result.score.item9_positive)
        return safety_screen(
            request,
            patient,
            result.findings,
            saved=result.response,
            crisis=crisis,
            next_questionnaires=due_for(patient, today),
        )
    return render(
        request,
        "tracker/patient/questionnaire.html",
        {"patient": patient, "definition": definition, "form": form},
    )
