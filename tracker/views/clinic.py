"""The clinic admin's pages: staff, enrolments, clinic settings."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracker.access import patients_administered_by
from tracker.enrolment import invite_staff
from tracker.forms_accounts import ClinicForm, StaffForm
from tracker.models import STAFF_ROLES, User
from tracker.roles import clinic_admin_required


@clinic_admin_required
def clinic_home(request):
    clinic = request.user.clinic
    staff = User.objects.filter(clinic=clinic, role__in=STAFF_ROLES).order_by("role", "full_name")
    enrolments = (
        patients_administered_by(request.user)
        .select_related("user", "surgeon")
        .order_by("-enrolled_at")
    )
    return render(
        request,
        "tracker/clinic/home.html",
        {"clinic": clinic, "staff": staff, "enrolments": enrolments},
    )


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def add_staff(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, _link = invite_staff(request.user.clinic, form.cleaned_data, request.user)
        messages.success(request, _("%(name)s is invited.") % {"name": user.full_name})
        return redirect("clinic-home")
    return render(request, "tracker/clinic/add_staff.html", {"form": form})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request):
    form = ClinicForm(request.POST or None, instance=request.user.clinic)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The clinic's settings are saved."))
        return redirect("clinic-home")
    return render(request, "tracker/clinic/settings.html", {"form": form})
