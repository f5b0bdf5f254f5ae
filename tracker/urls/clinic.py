"""Clinic-wide pages (/clinic/): the admin's staff, settings, thresholds, exports and erasures,
and the clinicians' outcomes."""

from django.urls import path

from tracker.views import clinic, erasures, exports, outcomes, two_factor

urlpatterns = [
    path("clinic/", clinic.clinic_home, name="clinic-home"),
    path("clinic/staff/new/", clinic.add_staff, name="add-staff"),
    path(
        "clinic/staff/<uuid:user_id>/second-factor/",
        two_factor.setup_link,
        name="second-factor-link",
    ),
    path("clinic/settings/", clinic.clinic_settings, name="clinic-settings"),
    path("clinic/thresholds/", clinic.thresholds, name="clinic-thresholds"),
    path("clinic/notifications/", clinic.failed_notifications, name="clinic-notifications"),
    path("clinic/exports/cohort.csv", exports.cohort_csv, name="cohort-csv"),
    path("clinic/outcomes/", outcomes.outcomes, name="clinic-outcomes"),
    path("clinic/outcomes.pdf", outcomes.outcomes_pdf, name="clinic-outcomes-pdf"),
    path(
        "clinic/outcomes/improvement.csv",
        outcomes.improvement_csv,
        name="clinic-outcomes-improvement-csv",
    ),
    path("clinic/outcomes/funnel.csv", outcomes.funnel_csv, name="clinic-outcomes-funnel-csv"),
    path(
        "clinic/outcomes/completeness.csv",
        outcomes.completeness_csv,
        name="clinic-outcomes-completeness-csv",
    ),
    path(
        "clinic/outcomes/questionnaires.csv",
        outcomes.questionnaires_csv,
        name="clinic-outcomes-questionnaires-csv",
    ),
    path("clinic/outcomes/alarms.csv", outcomes.alarms_csv, name="clinic-outcomes-alarms-csv"),
    path("clinic/erasures/", erasures.erasure_list, name="clinic-erasures"),
    path("clinic/erasures/<uuid:erasure_id>/", erasures.erasure_decide, name="erasure-decide"),
]
