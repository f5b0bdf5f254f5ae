"""The second factor for staff: set up an authenticator app, then a code at each sign-in."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from tracker.auth.roles import needs_second_factor
from tracker.auth.second_factor import (
    CodeForm,
    confirmed_device,
    pass_second_factor,
    pending_device,
    secret_text,
)


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # A path only: redirect() would take any other word for a view name to reverse.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "/"


@login_required
def verify(request):
    if not needs_second_factor(request.user):
        raise Http404
    device = confirmed_device(request.user)
    if device is None:
        return redirect("two-factor-setup")
    form = CodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        pass_second_factor(request, device)
        return redirect(_next_url(request))
    return render(
        request,
        "tracker/accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@login_required
def setup(request):
    """Only while no device is confirmed: a stolen password alone must not replace it."""
    if not needs_second_factor(request.user):
        raise Http404
    if confirmed_device(request.user) is not None:
        return render(request, "tracker/accounts/two_factor_done.html")
    device = pending_device(request.user)
    form = CodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        pass_second_factor(request, device)
        return redirect(_next_url(request))
    context = {
        "form": form,
        "secret": secret_text(device),
        "otpauth_url": device.config_url,
        "next": _next_url(request),
    }
    return render(request, "tracker/accounts/two_factor_setup.html", context)
