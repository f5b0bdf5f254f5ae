"""View decorators that admit a role. Patient data itself is guarded by tracker.access."""

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
