"""Staff's second factor: a TOTP device per member of staff (django-otp).

A member of staff without a confirmed device sets one up (the secret shown as text and as an
otpauth:// link for an authenticator app) and confirms it with a first code; after that, every
sign-in asks for a code. A session that has passed is marked by django_otp.login.
"""

from __future__ import annotations

from base64 import b32encode

import django_otp
from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import User

DEVICE_NAME = "authenticator app"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up (one per user), made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The shared secret as an authenticator app asks for it: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def pass_second_factor(request, device: TOTPDevice) -> None:
    """Mark this session as verified; the session key changes, as at any privilege change."""
    request.session.cycle_key()
    django_otp.login(request, device)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, device: TOTPDevice, *args, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        allowed, _details = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                _("Too many wrong codes. Wait a minute, then try the newest code.")
            )
        if not code.isdigit() or not self.device.verify_token(code):
            raise forms.ValidationError(_("That code is not right. Try the newest code."))
        return code
