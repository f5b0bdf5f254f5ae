"""Ask the care team (patients)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tracker.auth.access import get_patient
from tracker.auth.rate_limits import rate_limited
from tracker.auth.roles import patient_required
from tracker.care.questions import QUESTION_MAX_LENGTH, ask, replies_for, waiting_for


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": QUESTION_MAX_LENGTH}),
        error_messages={
            "required": gettext_lazy("Write your question first."),
            "max_length": gettext_lazy("Keep your question under 1000 characters."),
        },
    )


@patient_required
@require_http_methods(["GET", "POST"])
@rate_limited("ask")
def ask_care_team(request):
    patient = get_patient(request, "ask")
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ask(patient, form.cleaned_data["question"].strip())
        messages.success(
            request,
            _("Your question was sent. Your care team will reply here and tell you by e-mail."),
        )
        return redirect("ask")
    return render(
        request,
        "tracker/patient/ask.html",
        {
            "patient": patient,
            "form": form,
            "waiting": waiting_for(patient),
            "replies": replies_for(patient),
        },
    )
