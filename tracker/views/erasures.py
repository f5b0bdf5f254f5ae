"""The clinic admin confirms (or cancels) a patient's request to delete their account."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tracker.auth.access import get_patient
from tracker.auth.reauth import password_confirmed_recently
from tracker.auth.roles import clinic_admin_required
from tracker.care.erasure import cancel, erase
from tracker.models import ErasureRequest, ErasureStatus


def clinic_requests(user):
    return ErasureRequest.objects.filter(clinic_id=user.clinic_id).select_related(
        "patient__user", "decided_by"
    )


@clinic_admin_required
@require_GET
def erasure_list(request):
    requests = clinic_requests(request.user)
    return render(
        request,
        "tracker/clinic/erasures.html",
        {
            "pending": requests.filter(status=ErasureStatus.REQUESTED),
            "decided": requests.exclude(status=ErasureStatus.REQUESTED)[:50],
        },
    )


@clinic_admin_required
@password_confirmed_recently
@require_http_methods(["GET", "POST"])
def erasure_decide(request, erasure_id):
    erasure = clinic_requests(request.user).filter(public_id=erasure_id).first()
    if erasure is None or erasure.status != ErasureStatus.REQUESTED or erasure.patient is None:
        raise Http404
    patient = get_patient(request, "erasure", erasure.patient.public_id, for_admin=True)
    if request.method == "POST":
        if request.POST.get("decision") == "erase":
            erase(erasure, request.user)
            messages.success(request, _("The account and its data are deleted."))
        elif request.POST.get("decision") == "cancel":
            cancel(erasure, request.user)
            messages.success(request, _("The request is cancelled."))
        return redirect("clinic-erasures")
    return render(
        request, "tracker/clinic/erasure_decide.html", {"erasure": erasure, "patient": patient}
    )
