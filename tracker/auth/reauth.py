"""Asking for the password again before a sensitive action (downloading one's data,
deleting one's account, changing account details).

`password_confirmed_recently` sends a user who has not typed their password in the last
`REAUTH_VALID_SECONDS` to `/me/confirm-password/?next=<this page>`; confirming stores the
time in the session. A POST without a recent confirmation is not applied: the user confirms
and comes back to the page (by GET) to submit again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "laminar_password_confirmed_at"
REAUTH_VALID_SECONDS = 5 * 60


def confirmed_recently(request) -> bool:
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int | float) and 0 <= time.time() - at <= REAUTH_VALID_SECONDS


def mark_confirmed(request) -> None:
    request.session[SESSION_KEY] = time.time()


def confirm_url(next_path: str) -> str:
    return f"{reverse('confirm-password')}?{urlencode({'next': next_path})}"


def password_confirmed_recently(view: Callable) -> Callable:
    """Signed-in users who typed their password in the last 5 minutes; others confirm first."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not confirmed_recently(request):
            return redirect(confirm_url(request.path))
        return view(request, *args, **kwargs)

    return wrapped


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        # authenticate() (not check_password) so that lockouts of repeated failures apply.
        found = authenticate(self.request, username=user.email, password=password)
        if found is None or found.pk != user.pk:
            raise forms.ValidationError(_("That is not your password."))
        return password
