"""Signing in and out, invitations, password resets, and the role-based landing page."""

from axes.utils import reset as reset_sign_in_failures
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracker.auth.forms import EmailAuthenticationForm, SetPasswordFromInvitationForm
from tracker.auth.rate_limits import rate_limited
from tracker.auth.roles import needs_second_factor
from tracker.auth.second_factor import allow_setup
from tracker.care.enrolment import accept_invitation as spend_invitation
from tracker.models import Invitation, Role


class SignInView(LoginView):
    http_method_names = ["get", "post", "head", "options"]
    form_class = EmailAuthenticationForm
    template_name = "tracker/accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        first_sign_in = user.last_login is None
        response = super().form_valid(form)
        if first_sign_in and needs_second_factor(user):
            # Nobody has used this account yet, so nobody else can have set up its app.
            allow_setup(self.request, user)
        return response


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


@require_http_methods(["GET", "POST"])
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
        if needs_second_factor(user):
            # The invitation was a one-time link from the clinic: it opens the app's set-up.
            allow_setup(request, user)
        messages.success(request, _("Welcome to Laminar. Your password is set."))
        return redirect("home")
    return render(
        request,
        "tracker/accounts/accept_invitation.html",
        {"form": form, "invitee": invitation.user},
    )


# Each request may send an e-mail: limited per address typed in and per client address.
password_reset = rate_limited("password-reset", typed_field="email")(
    auth_views.PasswordResetView.as_view(
        http_method_names=["get", "post", "head", "options"],
        template_name="tracker/accounts/password_reset.html",
        email_template_name="tracker/accounts/password_reset_email.txt",
        subject_template_name="tracker/accounts/password_reset_subject.txt",
    )
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "tracker/accounts/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        # The paused-sign-in page offers a new password as the way back in: keep that true.
        reset_sign_in_failures(username=form.user.email)
        return response
