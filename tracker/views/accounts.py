"""Signing in and out, invitations, and the role-based landing page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tracker.auth.forms import EmailAuthenticationForm, SetPasswordFromInvitationForm
from tracker.care.enrolment import accept_invitation as spend_invitation
from tracker.models import Invitation, Role


class SignInView(LoginView):
    form_class = EmailAuthenticationForm
    template_name = "tracker/accounts/login.html"
    redirect_authenticated_user = True


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    match request.user.role:
        case Role.PATIENT:
            return redirect("patient-home")
        case Role.ADMIN:
            return redirect("clinic-home")
        case _:
            return redirect("caseload")


def accept_invitation(request, token: str):
    invitation = Invitation.find_usable(token)
    if invitation is None:
        return render(request, "tracker/accounts/invitation_invalid.html", status=404)
    form = SetPasswordFromInvitationForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = spend_invitation(invitation, form.cleaned_data["password1"])
        except ValueError:
            return render(request, "tracker/accounts/invitation_invalid.html", status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Laminar. Your password is set."))
        return redirect("home")
    return render(
        request,
        "tracker/accounts/accept_invitation.html",
        {"form": form, "invitee": invitation.user},
    )
