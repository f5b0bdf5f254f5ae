from django.utils.translation import gettext_lazy as _

from tracker.models import Role

NAV_LINKS = {
    Role.PATIENT: [("patient-home", _("Today")), ("history", _("History"))],
    Role.PHYSIO: [("caseload", _("Patients"))],
    Role.CLINICIAN: [("caseload", _("Patients")), ("enrol", _("Enrol a patient"))],
    Role.ADMIN: [("clinic-home", _("Clinic")), ("enrol", _("Enrol a patient"))],
}


def navigation(request):
    """The navigation links for the signed-in user's role, and their clinic."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    return {"nav_links": NAV_LINKS.get(user.role, []), "clinic": user.clinic}
