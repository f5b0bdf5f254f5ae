"""View decorators that admit a role. Patient data itself is guarded by tracker.auth.access."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from tracker.models import Role


def role_required(*roles: Role) -> Callable:
    """Signed-in users of `roles` only; others get 404, as for a page that does not exist."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


patient_required = role_required(Role.PATIENT)
care_staff_required = role_required(Role.PHYSIO, Role.CLINICIAN)
enrolling_staff_required = role_required(Role.CLINICIAN, Role.ADMIN)
clinic_admin_required = role_required(Role.ADMIN)


def needs_second_factor(user) -> bool:
    """Staff (every role but patient) must pass TOTP before any page with patient data."""
    return user.is_authenticated and user.role != Role.PATIENT


def second_factor_passed(user) -> bool:
    """True once this session was verified with one of the user's confirmed TOTP devices.

    `is_verified` is installed by django_otp.middleware.OTPMiddleware; without it, no.
    """
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
