"""A questionnaire total scored on paper, entered by the care team (clinical-reference §1.3:
a clinic without an ODI licence in the app can still record the ODI total it scored)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tracker.auth.access import get_patient_for_method
from tracker.auth.roles import care_staff_required
from tracker.checkins.questionnaire_responses import record_paper_total

PAPER_INSTRUMENTS = [("odi", gettext_lazy("Oswestry Disability Index (ODI), % (0–100)"))]


class PaperScoreForm(forms.Form):
    instrument = forms.ChoiceField(label=gettext_lazy("Questionnaire"), choices=PAPER_INSTRUMENTS)
    day = forms.DateField(
        label=gettext_lazy("Date it was answered"), widget=forms.DateInput(attrs={"type": "date"})
    )
    total = forms.DecimalField(
        label=gettext_lazy("Total score"), min_value=0, max_value=100, decimal_places=1
    )

    def __init__(self, patient, *args, **kwargs):
        self.patient = patient
        super().__init__(*args, **kwargs)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > self.patient.local_date():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


@care_staff_required
@require_http_methods(["GET", "POST"])
def paper_score(request, patient_id):
    patient = get_patient_for_method(request, "paper score", patient_id)
    form = PaperScoreForm(patient, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record_paper_total(patient, data["instrument"], data["day"], data["total"], by=request.user)
        messages.success(request, _("The score is recorded."))
        return redirect("patient-summary", patient.public_id)
    return render(request, "tracker/care/paper_score.html", {"patient": patient, "form": form})
