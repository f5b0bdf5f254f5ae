"""The second factor for staff: set up an authenticator app, then a code at each sign-in;
the clinic admin's set-up link after a reset (tracker.auth.second_factor)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from tracker.auth.next_url import safe_next
from tracker.auth.roles import clinic_admin_required, needs_second_factor
from tracker.auth.second_factor import (
    SETUP_LINK_VALID_HOURS,
    CodeForm,
    confirm_device,
    confirmed_device,
    issue_setup_link,
    may_set_up,
    open_setup_link,
    pass_second_factor,
    pending_device,
    secret_text,
)
from tracker.models import STAFF_ROLES, User


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    if not needs_second_factor(request.user):
        raise Http404
    device = confirmed_device(request.user)
    if device is None:
        return redirect("two-factor-setup")
    form = CodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        pass_second_factor(request, device)
        return redirect(safe_next(request))
    return render(
        request,
        "tracker/accounts/two_factor_verify.html",
        {"form": form, "next": safe_next(request, "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Only while no device is confirmed, and only in a session that may set one up."""
    if not needs_second_factor(request.user):
        raise Http404
    if confirmed_device(request.user) is not None:
        return render(request, "tracker/accounts/two_factor_done.html")
    if "link" in request.GET:
        if not open_setup_link(request, request.GET["link"]):
            return render(request, "tracker/accounts/two_factor_link_invalid.html", status=404)
        # The token leaves the address bar (and the browser's history entry) at once.
        return redirect("two-factor-setup")
    if not may_set_up(request):
        return render(request, "tracker/accounts/two_factor_link_needed.html", status=403)
    device = pending_device(request)
    form = CodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not confirm_device(request, device):
            return render(request, "tracker/accounts/two_factor_done.html")
        return redirect(safe_next(request))
    context = {
        "form": form,
        "secret": secret_text(device),
        "otpauth_url": device.config_url,
        "next": safe_next(request, ""),
    }
    return render(request, "tracker/accounts/two_factor_setup.html", context)


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def setup_link(request, user_id):
    """The clinic admin makes a one-time set-up link for a member of their staff."""
    member = get_object_or_404(
        User.objects.exclude(pk=request.user.pk),
        public_id=user_id,
        clinic_id=request.user.clinic_id,
        role__in=STAFF_ROLES,
        is_active=True,
    )
    context = {"member": member, "hours": SETUP_LINK_VALID_HOURS}
    if request.method == "POST":
        context["link"] = issue_setup_link(member)
    else:
        context["has_app"] = confirmed_device(member) is not None
    return render(request, "tracker/clinic/second_factor_link.html", context)
