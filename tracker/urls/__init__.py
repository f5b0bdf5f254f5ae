from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from tracker.urls.converters import IsoDateConverter
from tracker.views import (
    accounts,
    app,
    care,
    clinic,
    erasures,
    exports,
    health,
    learn,
    my_data,
    offline,
    paper_scores,
    patient,
    programmes,
    questionnaires,
    questions,
    reminders,
    trends,
    triage,
    two_factor,
)

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
    path("accounts/two-factor/", two_factor.verify, name="two-factor-verify"),
    path("accounts/two-factor/set-up/", two_factor.setup, name="two-factor-setup"),
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
    path("me/check-in/offline/", offline.offline_checkin, name="checkin-offline"),
    path("me/reminders/", reminders.reminder_settings, name="reminders"),
    path("me/reminders/push/", reminders.push_subscription, name="reminders-push"),
    # Installable app: manifest and service worker (scope "/")
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="service-worker"),
    path("me/check-in/<isodate:day>/", patient.checkin, name="checkin-day"),
    path("me/history/", patient.history, name="history"),
    path("me/ask/", questions.ask_care_team, name="ask"),
    path("me/history/<isodate:day>/", patient.history_day, name="history-day"),
    path("me/trends/", trends.trends_page, name="trends"),
    path("me/trends/data/<slug:series>.json", trends.patient_chart_data, name="trends-data"),
    path("learn/", learn.learn, name="learn"),
    path("learn/<slug:slug>/", learn.learn_article, name="learn-article"),
    path("me/questionnaires/<slug:code>/", questionnaires.questionnaire, name="questionnaire"),
    # Care team
    path("care/", care.caseload, name="caseload"),
    path("care/enrol/", care.enrol, name="enrol"),
    path("care/patients/<uuid:patient_id>/", care.patient_summary, name="patient-summary"),
    path(
        "care/patients/<uuid:patient_id>/trends/data/<slug:series>.json",
        trends.care_chart_data,
        name="care-trends-data",
    ),
    path(
        "care/patients/<uuid:patient_id>/care-team/",
        care.edit_care_team,
        name="edit-care-team",
    ),
    # Exercise programmes (clinical-reference §6)
    path("me/exercises/", programmes.my_exercises, name="my-exercises"),
    path("care/exercises/", programmes.exercise_library, name="exercise-library"),
    path("care/exercises/new/", programmes.exercise_add, name="exercise-add"),
    path("care/exercises/<uuid:exercise_id>/edit/", programmes.exercise_edit, name="exercise-edit"),
    path("care/patients/<uuid:patient_id>/programme/", programmes.programme, name="programme"),
    path(
        "care/patients/<uuid:patient_id>/programme/add/",
        programmes.programme_add,
        name="programme-add",
    ),
    path(
        "care/patients/<uuid:patient_id>/programme/<uuid:item_id>/",
        programmes.programme_item,
        name="programme-item",
    ),
    path(
        "care/patients/<uuid:patient_id>/restrictions/",
        programmes.restrictions,
        name="restrictions",
    ),
    path(
        "care/patients/<uuid:patient_id>/paper-score/",
        paper_scores.paper_score,
        name="paper-score",
    ),
    # Flags
    path("care/inbox/", triage.inbox, name="triage-inbox"),
    path("care/flags/<uuid:flag_id>/", triage.flag_detail, name="flag-detail"),
    path("care/flags/<uuid:flag_id>/acknowledge/", triage.acknowledge, name="flag-acknowledge"),
    path("care/flags/<uuid:flag_id>/resolve/", triage.resolve, name="flag-resolve"),
    path("clinic/thresholds/", clinic.thresholds, name="clinic-thresholds"),
    path("clinic/notifications/", clinic.failed_notifications, name="clinic-notifications"),
    # Reports and exports; the patient's own data (tracker.exports)
    path(
        "care/patients/<uuid:patient_id>/report.pdf", exports.report_pdf, name="patient-report-pdf"
    ),
    path("care/patients/<uuid:patient_id>/fhir.json", exports.fhir_bundle, name="patient-fhir"),
    path(
        "care/patients/<uuid:patient_id>/checkins.csv",
        exports.checkins_csv,
        name="patient-checkins-csv",
    ),
    path("clinic/exports/cohort.csv", exports.cohort_csv, name="cohort-csv"),
    path("clinic/erasures/", erasures.erasure_list, name="clinic-erasures"),
    path("clinic/erasures/<uuid:erasure_id>/", erasures.erasure_decide, name="erasure-decide"),
    path("me/data/", my_data.my_data, name="my-data"),
    path("me/data/download/", my_data.download_my_data, name="my-data-download"),
    path("me/data/delete/", my_data.erase_my_account, name="my-data-erase"),
    path("me/access-log/", my_data.my_access_log, name="my-access-log"),
    path("me/confirm-password/", my_data.confirm_password, name="confirm-password"),
    # Clinic admin
    path("clinic/", clinic.clinic_home, name="clinic-home"),
    path("clinic/staff/new/", clinic.add_staff, name="add-staff"),
    path("clinic/settings/", clinic.clinic_settings, name="clinic-settings"),
]
