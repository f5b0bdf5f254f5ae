"""The navigation of each role and the count of pressing flags on every staff page."""

from django.utils.translation import gettext_lazy as _

from tracker.auth.roles import needs_second_factor, second_factor_passed
from tracker.flags.inbox import pressing_flag_count
from tracker.models import Role

NAV_LINKS = {
    Role.PATIENT: [
        ("patient-home", _("Today")),
        ("history", _("History")),
        ("my-exercises", _("Exercises")),
        ("trends", _("Trends")),
        ("learn", _("Learn")),
        ("my-data", _("My data")),
    ],
    Role.PHYSIO: [
        ("triage-inbox", _("Inbox")),
        ("caseload", _("Patients")),
        ("exercise-library", _("Exercises")),
    ],
    Role.CLINICIAN: [
        ("triage-inbox", _("Inbox")),
        ("caseload", _("Patients")),
        ("enrol", _("Enrol a patient")),
        ("clinic-outcomes", _("Outcomes")),
    ],
    Role.ADMIN: [
        ("clinic-home", _("Clinic")),
        ("enrol", _("Enrol a patient")),
        ("clinic-thresholds", _("Thresholds")),
        ("clinic-notifications", _("E-mail problems")),
        ("clinic-erasures", _("Deletion requests")),
    ],
}


def navigation(request):
    """The navigation links for the signed-in user's role, and their clinic."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    if needs_second_factor(user) and not second_factor_passed(user):
        return {"nav_links": []}  # nothing about patients before the second factor
    context = {"nav_links": NAV_LINKS.get(user.role, []), "clinic": user.clinic}
    if user.is_care_staff:
        context["pressing_flags"] = pressing_flag_count(user)
    return context
