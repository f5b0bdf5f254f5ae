"""Pages for the care team: the caseload, a patient's summary, enrolment."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tracker.auth.access import get_patient, record_list_access
from tracker.auth.forms import ALREADY_HERE, CareTeamForm, EnrolPatientForm
from tracker.auth.roles import care_staff_required, enrolling_staff_required
from tracker.care.caseload import SORT_OPTIONS, caseload_page, valid_sort
from tracker.care.enrolment import AlreadyEnrolled, enrol_patient, set_care_team
from tracker.models import Role
from tracker.views.trends import care_trends_context, render_with_fragment


@care_staff_required
@require_GET
def caseload(request):
    sort = valid_sort(request.GET.get("sort"))
    page = caseload_page(request.user, sort, request.GET.get("page"))
    record_list_access(request, [row.patient for row in page.object_list], "caseload")
    return render(
        request,
        "tracker/care/caseload.html",
        {"page": page, "sort": sort, "sort_options": SORT_OPTIONS},
    )


@care_staff_required
@require_GET
def patient_summary(request, patient_id):
    patient = get_patient(request, "summary", patient_id)
    context = care_trends_context(request, patient)
    context.update(patient=patient, team=patient.care_team.order_by("full_name"))
    return render_with_fragment(request, "tracker/care/patient.html", context)


@enrolling_staff_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    clinic = request.user.clinic
    today = clinic.local_date()
    form = EnrolPatientForm(clinic, today, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrol_patient(clinic, form.cleaned_data, request.user)
        except AlreadyEnrolled:
            form.add_error("email", ALREADY_HERE)  # two enrolments of one address at once
        else:
            # The same answer whether or not the address has an account in another clinic:
            # staff must not learn that a stranger is a spine patient elsewhere.
            messages.success(
                request,
                _("%(name)s is enrolled. An invitation was sent to %(email)s.")
                % {"name": form.cleaned_data["full_name"], "email": form.cleaned_data["email"]},
            )
            return redirect("clinic-home" if request.user.role == Role.ADMIN else "caseload")
    return render(request, "tracker/care/enrol.html", {"form": form})


@enrolling_staff_required
@require_http_methods(["GET", "POST"])
def edit_care_team(request, patient_id):
    patient = get_patient(request, "care team", patient_id, for_admin=True)
    form = CareTeamForm(
        patient.clinic,
        request.POST or None,
        initial={"care_team": list(patient.care_team.all())},
    )
    if request.method == "POST" and form.is_valid():
        set_care_team(patient, form.cleaned_data["care_team"])
        messages.success(request, _("The care team is updated."))
        return redirect("clinic-home" if request.user.role == Role.ADMIN else "caseload")
    return render(request, "tracker/care/care_team.html", {"form": form, "patient": patient})
