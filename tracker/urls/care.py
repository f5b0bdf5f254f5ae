"""Pages for the care team (/care/): caseload, a patient's record, programmes, flags."""

from django.urls import path

from tracker.views import care, exports, paper_scores, programmes, trends, triage

PATIENT = "care/patients/<uuid:patient_id>/"

urlpatterns = [
    path("care/", care.caseload, name="caseload"),
    path("care/enrol/", care.enrol, name="enrol"),
    path(PATIENT, care.patient_summary, name="patient-summary"),
    path(
        PATIENT + "trends/data/<slug:series>.json",
        trends.care_chart_data,
        name="care-trends-data",
    ),
    path(PATIENT + "care-team/", care.edit_care_team, name="edit-care-team"),
    # Exercise programmes (clinical-reference §6)
    path("care/exercises/", programmes.exercise_library, name="exercise-library"),
    path("care/exercises/new/", programmes.exercise_add, name="exercise-add"),
    path("care/exercises/<uuid:exercise_id>/edit/", programmes.exercise_edit, name="exercise-edit"),
    path(PATIENT + "programme/", programmes.programme, name="programme"),
    path(PATIENT + "programme/add/", programmes.programme_add, name="programme-add"),
    path(
        PATIENT + "programme/<uuid:item_id>/",
        programmes.programme_item,
        name="programme-item",
    ),
    path(PATIENT + "restrictions/", programmes.restrictions, name="restrictions"),
    path(PATIENT + "paper-score/", paper_scores.paper_score, name="paper-score"),
    # Reports and exports of one patient's record
    path(PATIENT + "report.pdf", exports.report_pdf, name="patient-report-pdf"),
    path(PATIENT + "fhir.json", exports.fhir_bundle, name="patient-fhir"),
    path(PATIENT + "checkins.csv", exports.checkins_csv, name="patient-checkins-csv"),
    # Flags
    path("care/inbox/", triage.inbox, name="triage-inbox"),
    path("care/flags/<uuid:flag_id>/", triage.flag_detail, name="flag-detail"),
    path("care/flags/<uuid:flag_id>/acknowledge/", triage.acknowledge, name="flag-acknowledge"),
    path("care/flags/<uuid:flag_id>/resolve/", triage.resolve, name="flag-resolve"),
]
