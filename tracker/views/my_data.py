"""The patient's own data: download it all, see who viewed it, ask for the account to be
deleted; and the password confirmation that guards such actions (tracker.auth.reauth)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tracker.auth.access import get_patient
from tracker.auth.next_url import safe_next
from tracker.auth.reauth import ConfirmPasswordForm, mark_confirmed, password_confirmed_recently
from tracker.auth.roles import patient_required
from tracker.care.erasure import pending_request, request_erasure
from tracker.exports.patient_data import access_rows, data_zip, zip_name

ACCESS_LOG_PAGE = 50


@patient_required
@require_GET
def my_data(request):
    patient = get_patient(request, "my data")
    return render(
        request,
        "tracker/patient/my_data.html",
        {"patient": patient, "pending": pending_request(patient)},
    )


@patient_required
@password_confirmed_recently
@require_GET
def download_my_data(request):
    patient = get_patient(request, "my data: download")
    response = HttpResponse(data_zip(patient), content_type="application/zip")
    name = zip_name(patient, patient.local_date())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@patient_required
@password_confirmed_recently
@require_http_methods(["GET", "POST"])
def erase_my_account(request):
    patient = get_patient(request, "my data: erase")
    if request.method == "POST":
        request_erasure(patient)
        messages.success(
            request,
            _(
                "Your request is sent. Your clinic will confirm it, and then your account and "
                "your data will be deleted."
            ),
        )
        return redirect("my-data")
    return render(
        request,
        "tracker/patient/erase.html",
        {"patient": patient, "pending": pending_request(patient)},
    )


@patient_required
@require_GET
def my_access_log(request):
    patient = get_patient(request, "access log")
    rows = access_rows(patient).only("at", "actor_label", "action")
    page = Paginator(rows, ACCESS_LOG_PAGE).get_page(request.GET.get("page"))
    return render(request, "tracker/patient/access_log.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def confirm_password(request):
    form = ConfirmPasswordForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        mark_confirmed(request)
        return redirect(safe_next(request))
    return render(
        request,
        "tracker/accounts/confirm_password.html",
        {"form": form, "next": safe_next(request, "")},
    )
