"""Staff's second factor: a TOTP device per member of staff (django-otp).

A member of staff without a confirmed device sets one up (the secret shown as text and as an
otpauth:// link for an authenticator app) and confirms it with a first code; after that, every
sign-in asks for a code. A session that has passed is marked by django_otp.login.

Setting up is bound to one session, and the password alone does not open it:

- only a session that may set up sees a secret: the one that accepted the invitation, the
  very first sign-in of an account, or one that opened a set-up link from the clinic admin
  (after `reset_second_factor`, or when the first set-up was left unfinished);
- the secret shown belongs to that session (its pending device), so another session with the
  same password never sees it.

A set-up link reserves the user's next device: an unconfirmed device whose key holds the
SHA-256 of the link's token (the token itself is never stored). Opening the link, signed in
as that user and within SETUP_LINK_VALID_HOURS, replaces that key with a fresh secret and
binds the device to the session, so the link works once.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode
from datetime import timedelta

import django_otp
from django import forms
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from tracker.models import User

DEVICE_NAME = "authenticator app"
LINK_DEVICE_NAME = "reserved by a set-up link"
SETUP_LINK_VALID_HOURS = 24
# Session keys: the user this session may set up a device for, and its pending device.
MAY_SET_UP_KEY = "laminar_second_factor_may_set_up"
PENDING_KEY = "laminar_second_factor_pending"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def allow_setup(request, user: User) -> None:
    """This session proved more than the password (see the module note): it may set up."""
    request.session[MAY_SET_UP_KEY] = user.pk


def may_set_up(request) -> bool:
    return request.session.get(MAY_SET_UP_KEY) == request.user.pk


def pending_device(request) -> TOTPDevice:
    """This session's unconfirmed device, made on first use; other sessions' pending devices
    of the same user go, so at most one secret is waiting at a time."""
    user = request.user
    device = TOTPDevice.objects.filter(
        pk=request.session.get(PENDING_KEY), user=user, confirmed=False, name=DEVICE_NAME
    ).first()
    if device is None:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        request.session[PENDING_KEY] = device.pk
    return device


def confirm_device(request, device: TOTPDevice) -> bool:
    """Make this session's pending device the user's one device and pass the second factor.

    False when another device was confirmed meanwhile: the first one set up stays.
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=device.user_id).first()
        if TOTPDevice.objects.filter(user_id=device.user_id, confirmed=True).exists():
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()
    request.session.pop(MAY_SET_UP_KEY, None)
    request.session.pop(PENDING_KEY, None)
    pass_second_factor(request, device)
    return True


def _link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_setup_link(user: User) -> str:
    """A single-use link for `user` to set up a new device; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        TOTPDevice.objects.create(
            user=user, name=LINK_DEVICE_NAME, key=_link_hash(token), confirmed=False
        )
    return f"{settings.SITE_URL}{reverse('two-factor-setup')}?link={token}"


def open_setup_link(request, token: str) -> bool:
    """Spend the link for the signed-in user and bind its device to this session."""
    oldest = timezone.now() - timedelta(hours=SETUP_LINK_VALID_HOURS)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(
                user=request.user,
                confirmed=False,
                name=LINK_DEVICE_NAME,
                key=_link_hash(token),
                created_at__gte=oldest,
            )
            .first()
        )
        if device is None:
            return False
        device.key = default_key()  # the real secret, from now on in this session only
        device.name = DEVICE_NAME
        device.save(update_fields=["key", "name"])
    allow_setup(request, request.user)
    request.session[PENDING_KEY] = device.pk
    return True


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
