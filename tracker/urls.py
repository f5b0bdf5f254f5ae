from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from tracker.converters import IsoDateConverter
from tracker.views import accounts, care, clinic, health, patient, questionnaires

register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("", accounts.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # Accounts
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path(
        "accounts/logout/",
        auth_views.LogoutView.as_view(),
        name="logout",
    ),
    path("accounts/invitation/<str:token>/", accounts.accept_invitation, name="accept-invitation"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="tracker/accounts/password_reset.html",
            email_template_name="tracker/accounts/password_reset_email.txt",
            subject_template_name="tracker/accounts/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="tracker/accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="tracker/accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="tracker/accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # Patients
    path("me/", patient.patient_home, name="patient-home"),
    path("me/check-in/", patient.checkin, name="checkin"),
    path("me/check-in/validate/", patient.validate_field, name="checkin-validate"),
    path("me/check-in/<isodate:day>/", patient.checkin, name="checkin-day"),
    path("me/history/", patient.history, name="history"),
    path("me/history/<isodate:day>/", patient.history_day, name="history-day"),
    path("me/questionnaires/<slug:code>/", questionnaires.questionnaire, name="questionnaire"),
    # Care team
    path("care/", care.caseload, name="caseload"),
    path("care/enrol/", care.enrol, name="enrol"),
    path("care/patients/<uuid:patient_id>/", care.patient_summary, name="patient-summary"),
    path(
        "care/patients/<uuid:patient_id>/care-team/",
        care.edit_care_team,
        name="edit-care-team",
    ),
    # Clinic admin
    path("clinic/", clinic.clinic_home, name="clinic-home"),
    path("clinic/staff/new/", clinic.add_staff, name="add-staff"),
    path("clinic/settings/", clinic.clinic_settings, name="clinic-settings"),
]
