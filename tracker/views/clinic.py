"""The clinic admin's pages: staff and their set-up links, enrolments, clinic settings."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.auth.access import patients_administered_by
from tracker.auth.forms import ClinicForm, StaffForm
from tracker.auth.roles import clinic_admin_required
from tracker.care.enrolment import invite_staff
from tracker.flags.forms import ThresholdsForm
from tracker.messaging.notifications import failed_for_clinic
from tracker.models import (
    STAFF_ROLES,
    ClinicThresholds,
    JobRun,
    PushSubscription,
    ThresholdChange,
    User,
)
from tracker.outcomes.upkeep import rewrite_clinic_outcome_rows

NIGHTLY_RUNS_SHOWN = 7


@clinic_admin_required
@require_GET
def clinic_home(request):
    """Staff (with whether their authenticator app is set up), enrolments, the last nightly
    checks (and reminder and digest runs), deliveries that failed, and the exports the clinic
    admin may download: the pseudonymised cohort only."""
    clinic = request.user.clinic
    has_app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    staff = (
        User.objects.filter(clinic=clinic, role__in=STAFF_ROLES)
        .annotate(has_app=Exists(has_app))
        .order_by("role", "full_name")
    )
    enrolments = (
        patients_administered_by(request.user)
        .select_related("user", "surgeon")
        .order_by("-enrolled_at")
    )
    return render(
        request,
        "tracker/clinic/home.html",
        {
            "clinic": clinic,
            "staff": staff,
            "enrolments": enrolments,
            "runs": JobRun.objects.filter(job=JobRun.EVALUATE_FLAGS)[:NIGHTLY_RUNS_SHOWN],
            "last_reminders": JobRun.objects.filter(job=JobRun.SEND_REMINDERS).first(),
            "last_digest": JobRun.objects.filter(job=JobRun.DIGEST).first(),
            "failed_emails": failed_for_clinic(clinic.pk).count(),
            "failed_push": PushSubscription.objects.filter(patient__clinic=clinic)
            .exclude(last_error="")
            .count(),
        },
    )


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def add_staff(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, _link = invite_staff(request.user.clinic, form.cleaned_data, request.user)
        messages.success(request, _("%(name)s is invited.") % {"name": user.full_name})
        return redirect("clinic-home")
    return render(request, "tracker/clinic/add_staff.html", {"form": form})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request):
    form = ClinicForm(request.POST or None, instance=request.user.clinic)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The clinic's settings are saved."))
        return redirect("clinic-home")
    return render(request, "tracker/clinic/settings.html", {"form": form})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def thresholds(request):
    """The clinic's [D] thresholds (clinical-reference §4); emergency ones only tighter."""
    clinic = request.user.clinic
    current = ClinicThresholds.objects.filter(clinic=clinic).first()
    values = dict(current.values) if current else {}
    form = ThresholdsForm(values, request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = save_thresholds(clinic, values, form.cleaned_data["overrides"], request.user)
        messages.success(
            request,
            _("%(n)s threshold(s) changed.") % {"n": changed} if changed else _("Nothing changed."),
        )
        return redirect("clinic-thresholds")
    history = ThresholdChange.objects.filter(clinic=clinic).select_related("changed_by")[:50]
    return render(request, "tracker/clinic/thresholds.html", {"form": form, "history": history})


@transaction.atomic
def save_thresholds(clinic, old: dict, new: dict, by) -> int:
    ClinicThresholds.objects.update_or_create(clinic=clinic, defaults={"values": new})
    changes = [
        ThresholdChange(
            clinic=clinic,
            name=name,
            old_value=old.get(name),
            new_value=new.get(name),
            changed_by=by,
        )
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    ]
    ThresholdChange.objects.bulk_create(changes)
    if changes:
        # The outcome rows' windows follow the thresholds: rewritten once the change is kept.
        transaction.on_commit(lambda: rewrite_clinic_outcome_rows.enqueue(clinic.pk))
    return len(changes)


@clinic_admin_required
@require_GET
def failed_notifications(request):
    """E-mails to the clinic's staff that failed: retried automatically, shown here."""
    rows = failed_for_clinic(request.user.clinic_id)[:100]
    return render(request, "tracker/clinic/notifications.html", {"rows": rows})
