"""The patient's own pages (/me/), and the Learn articles they read."""

from django.urls import path

from tracker.urls import converters  # noqa: F401 (registers "isodate")
from tracker.views import (
    learn,
    my_data,
    offline,
    patient,
    programmes,
    questionnaires,
    questions,
    reminders,
    trends,
)

urlpatterns = [
    path("me/", patient.patient_home, name="patient-home"),
    path("me/check-in/", patient.checkin, name="checkin"),
    path("me/check-in/validate/", patient.validate_field, name="checkin-validate"),
    path("me/check-in/offline/", offline.offline_checkin, name="checkin-offline"),
    path("me/check-in/<isodate:day>/", patient.checkin, name="checkin-day"),
    path("me/history/", patient.history, name="history"),
    path("me/history/<isodate:day>/", patient.history_day, name="history-day"),
    path("me/ask/", questions.ask_care_team, name="ask"),
    path("me/reminders/", reminders.reminder_settings, name="reminders"),
    path("me/reminders/push/", reminders.push_subscription, name="reminders-push"),
    path("me/trends/", trends.trends_page, name="trends"),
    # A series is a chart's slug ("leg-pain"), not an id.
    path("me/trends/data/<slug:series>.json", trends.patient_chart_data, name="trends-data"),
    path("me/questionnaires/<slug:code>/", questionnaires.questionnaire, name="questionnaire"),
    path("me/exercises/", programmes.my_exercises, name="my-exercises"),
    path("me/data/", my_data.my_data, name="my-data"),
    path("me/data/download/", my_data.download_my_data, name="my-data-download"),
    path("me/data/delete/", my_data.erase_my_account, name="my-data-erase"),
    path("me/access-log/", my_data.my_access_log, name="my-access-log"),
    # Any signed-in user (staff too) confirms their password here before a sensitive action.
    path("me/confirm-password/", my_data.confirm_password, name="confirm-password"),
    path("learn/", learn.learn, name="learn"),
    path("learn/<slug:slug>/", learn.learn_article, name="learn-article"),
]
