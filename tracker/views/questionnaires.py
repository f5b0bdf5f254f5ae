"""Weekly and milestone questionnaires (clinical-reference §1.3)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tracker.auth.access import get_patient
from tracker.auth.roles import patient_required
from tracker.checkins.questionnaire_forms import QuestionnaireForm
from tracker.checkins.questionnaire_responses import due_for, record_response
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
    form = QuestionnaireForm(definition, request.POST or None)
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
