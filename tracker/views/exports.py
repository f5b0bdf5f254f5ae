"""Exports of a patient's record for the care team (PDF, CSV, FHIR) and of the cohort:
identified for clinicians, pseudonymised for the clinic admin. Every export writes access-log
rows ("export:<format>")."""

from __future__ import annotations

import json
from itertools import batched

from django import forms
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tracker.auth.access import (
    get_patient,
    patients_administered_by,
    patients_visible_to,
    record_list_access,
)
from tracker.auth.roles import care_staff_required, clinic_admin_required, role_required
from tracker.charts.figures import Period
from tracker.exports.content import build_report
from tracker.exports.csv_export import (
    cohort_lines,
    patient_diary_lines,
    pseudonymised_cohort_lines,
)
from tracker.exports.fhir import patient_bundle
from tracker.exports.pdf import DEFAULT_PAPER, render_pdf
from tracker.models import Role

ACCESS_LOG_BATCH = 500


class ReportOptionsForm(forms.Form):
    """?from=&to=&paper= (from and to are ISO dates; both ends included)."""

    paper = forms.ChoiceField(
        label=gettext_lazy("Paper"),
        choices=[("a4", "A4"), ("letter", "Letter")],
        required=False,
    )

    def __init__(self, patient, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        date_input = forms.DateInput(attrs={"type": "date"})
        self.fields["from"] = forms.DateField(
            label=gettext_lazy("From"), required=False, widget=date_input
        )
        self.fields["to"] = forms.DateField(
            label=gettext_lazy("To"), required=False, widget=date_input
        )

    def clean(self):
        data = super().clean()
        start = data.get("from") or self.patient.surgery_date
        end = data.get("to") or self.patient.local_date()
        if start > end:
            raise forms.ValidationError(_("“From” must be on or before “to”."))
        data["period"] = Period(start, end)
        data["paper"] = data.get("paper") or DEFAULT_PAPER
        return data


def options_or_error(request, patient):
    form = ReportOptionsForm(patient, request.GET)
    if form.is_valid():
        return form.cleaned_data, None
    messages = [f"{name}: {error}" for name, errors in form.errors.items() for error in errors]
    return None, HttpResponseBadRequest("\n".join(messages), content_type="text/plain")


def generated_by(user) -> str:
    return f"{user.full_name} ({user.role_label})"


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@care_staff_required
@require_GET
def report_pdf(request, patient_id):
    patient = get_patient(request, "export:pdf", patient_id)
    options, error = options_or_error(request, patient)
    if error is not None:
        return error
    report = build_report(
        patient,
        options["period"],
        generated_by=generated_by(request.user),
        generated_at=timezone.now(),
    )
    pdf = render_pdf(report, options["paper"])
    response = HttpResponse(pdf, content_type="application/pdf")
    return attachment(response, f"laminar-report-{options['period'].end}.pdf")


@care_staff_required
@require_GET
def fhir_bundle(request, patient_id):
    patient = get_patient(request, "export:fhir", patient_id)
    bundle = patient_bundle(patient)
    response = HttpResponse(json.dumps(bundle, indent=1), content_type="application/fhir+json")
    return attachment(response, f"laminar-{patient.public_id}.fhir.json")


@care_staff_required
@require_GET
def checkins_csv(request, patient_id):
    patient = get_patient(request, "export:csv", patient_id)
    response = StreamingHttpResponse(patient_diary_lines(patient), content_type="text/csv")
    return attachment(response, f"laminar-checkins-{patient.public_id}.csv")


def cohort_csv(request):
    """The cohort, one row per patient-day: ?pseudonymise=1 is the clinic admin's file
    (tracker.exports.csv_export.PSEUDONYMISED_COLUMNS); without it, names, dates and notes, for
    a clinician and only of the patients whose care team they are on."""
    if request.GET.get("pseudonymise") == "1":
        return pseudonymised_cohort_csv(request)
    return identified_cohort_csv(request)


@clinic_admin_required
@require_GET
def pseudonymised_cohort_csv(request):
    patients = patients_administered_by(request.user)
    log_cohort_access(request, patients, "export:cohort-csv (pseudonymised)")
    lines = pseudonymised_cohort_lines(patients)
    response = StreamingHttpResponse(lines, content_type="text/csv")
    filename = f"laminar-cohort-pseudonymised-{request.user.clinic.local_date()}.csv"
    return attachment(response, filename)


@role_required(Role.CLINICIAN, Role.ADMIN)
@require_GET
def identified_cohort_csv(request):
    if request.user.role == Role.ADMIN:
        # The admin knows the export exists (they download its pseudonymised form): say why.
        return render(request, "tracker/clinic/cohort_identified_refused.html", status=403)
    patients = patients_visible_to(request.user)
    log_cohort_access(request, patients, "export:cohort-csv")
    response = StreamingHttpResponse(cohort_lines(patients), content_type="text/csv")
    return attachment(response, f"laminar-cohort-{request.user.clinic.local_date()}.csv")


def log_cohort_access(request, patients, action: str) -> None:
    """One access-log row per patient in the file, written before any row is sent."""
    rows = patients.only("id", "public_id").order_by("id")
    for batch in batched(rows.iterator(chunk_size=ACCESS_LOG_BATCH), ACCESS_LOG_BATCH):
        record_list_access(request, batch, action)
