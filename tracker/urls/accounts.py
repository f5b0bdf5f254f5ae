"""Signing in and out, invitations, the staff second factor and password resets."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tracker.views import accounts, two_factor

urlpatterns = [
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The token is an opaque random string, not an id.
    path("accounts/invitation/<str:token>/", accounts.accept_invitation, name="accept-invitation"),
    path("accounts/two-factor/", two_factor.verify, name="two-factor-verify"),
    path("accounts/two-factor/set-up/", two_factor.setup, name="two-factor-setup"),
    path("accounts/password-reset/", accounts.password_reset, name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="tracker/accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="tracker/accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
