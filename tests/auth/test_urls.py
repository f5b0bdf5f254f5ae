"""The URLs are grouped by audience with include(); every name and path stays as it was, and
ids in paths are UUIDs."""

from __future__ import annotations

import importlib

import pytest
from django.urls import URLPattern, URLResolver, converters, get_resolver

import tracker.urls
from tracker.urls.converters import IsoDateConverter

# name -> route, as the URLs were before they were grouped (and the set-up link page since).
ROUTES = {
    "home": "",
    "healthz": "healthz",
    "healthz-ready": "healthz/ready",
    "manifest": "manifest.webmanifest",
    "service-worker": "sw.js",
    "login": "accounts/login/",
    "logout": "accounts/logout/",
    "accept-invitation": "accounts/invitation/<str:token>/",
    "two-factor-verify": "accounts/two-factor/",
    "two-factor-setup": "accounts/two-factor/set-up/",
    "password_reset": "accounts/password-reset/",
    "password_reset_done": "accounts/password-reset/sent/",
    "password_reset_confirm": "accounts/reset/<uidb64>/<token>/",
    "password_reset_complete": "accounts/reset/done/",
    "patient-home": "me/",
    "checkin": "me/check-in/",
    "checkin-validate": "me/check-in/validate/",
    "checkin-offline": "me/check-in/offline/",
    "checkin-day": "me/check-in/<isodate:day>/",
    "history": "me/history/",
    "history-day": "me/history/<isodate:day>/",
    "ask": "me/ask/",
    "reminders": "me/reminders/",
    "reminders-push": "me/reminders/push/",
    "trends": "me/trends/",
    "trends-data": "me/trends/data/<slug:series>.json",
    "questionnaire": "me/questionnaires/<slug:code>/",
    "my-exercises": "me/exercises/",
    "my-data": "me/data/",
    "my-data-download": "me/data/download/",
    "my-data-erase": "me/data/delete/",
    "my-access-log": "me/access-log/",
    "confirm-password": "me/confirm-password/",
    "learn": "learn/",
    "learn-article": "learn/<slug:slug>/",
    "caseload": "care/",
    "enrol": "care/enrol/",
    "patient-summary": "care/patients/<uuid:patient_id>/",
    "care-trends-data": "care/patients/<uuid:patient_id>/trends/data/<slug:series>.json",
    "edit-care-team": "care/patients/<uuid:patient_id>/care-team/",
    "exercise-library": "care/exercises/",
    "exercise-add": "care/exercises/new/",
    "exercise-edit": "care/exercises/<uuid:exercise_id>/edit/",
    "programme": "care/patients/<uuid:patient_id>/programme/",
    "programme-add": "care/patients/<uuid:patient_id>/programme/add/",
    "programme-item": "care/patients/<uuid:patient_id>/programme/<uuid:item_id>/",
    "restrictions": "care/patients/<uuid:patient_id>/restrictions/",
    "paper-score": "care/patients/<uuid:patient_id>/paper-score/",
    "patient-report-pdf": "care/patients/<uuid:patient_id>/report.pdf",
    "patient-fhir": "care/patients/<uuid:patient_id>/fhir.json",
    "patient-checkins-csv": "care/patients/<uuid:patient_id>/checkins.csv",
    "triage-inbox": "care/inbox/",
    "flag-detail": "care/flags/<uuid:flag_id>/",
    "flag-acknowledge": "care/flags/<uuid:flag_id>/acknowledge/",
    "flag-resolve": "care/flags/<uuid:flag_id>/resolve/",
    "clinic-home": "clinic/",
    "add-staff": "clinic/staff/new/",
    "second-factor-link": "clinic/staff/<uuid:user_id>/second-factor/",
    "clinic-settings": "clinic/settings/",
    "clinic-thresholds": "clinic/thresholds/",
    "clinic-notifications": "clinic/notifications/",
    "cohort-csv": "clinic/exports/cohort.csv",
    "clinic-erasures": "clinic/erasures/",
    "erasure-decide": "clinic/erasures/<uuid:erasure_id>/",
    "clinic-outcomes": "clinic/outcomes/",
    "clinic-outcomes-pdf": "clinic/outcomes.pdf",
    "clinic-outcomes-improvement-csv": "clinic/outcomes/improvement.csv",
    "clinic-outcomes-funnel-csv": "clinic/outcomes/funnel.csv",
    "clinic-outcomes-completeness-csv": "clinic/outcomes/completeness.csv",
    "clinic-outcomes-questionnaires-csv": "clinic/outcomes/questionnaires.csv",
    "clinic-outcomes-alarms-csv": "clinic/outcomes/alarms.csv",
}
GROUPS = {
    "app": {"home", "healthz", "healthz-ready", "manifest", "service-worker"},
    "accounts": {name for name, route in ROUTES.items() if route.startswith("accounts/")},
    "patient": {name for name, route in ROUTES.items() if route.startswith(("me/", "learn/"))},
    "care": {name for name, route in ROUTES.items() if route.startswith("care/")},
    "clinic": {name for name, route in ROUTES.items() if route.startswith("clinic/")},
}
# Path parameters that are not ids: a random token, Django's base64 user id in its password
# reset link, and slugs that name content.
NOT_IDS = {"token", "uidb64", "series", "slug", "code", "day"}


def tracker_patterns(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from tracker_patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def test_every_name_keeps_its_path():
    found = {pattern.name: route for route, pattern in tracker_patterns() if pattern.name}
    found.pop("bench-baseline", None)
    assert found == ROUTES


def test_the_root_only_includes_the_groups():
    assert all(isinstance(entry, URLResolver) for entry in tracker.urls.urlpatterns)
    included = {entry.urlconf_module.__name__ for entry in tracker.urls.urlpatterns}
    assert included == {f"tracker.urls.{group}" for group in GROUPS}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_each_group_holds_its_audience(group):
    module = importlib.import_module(f"tracker.urls.{group}")
    names = {entry.name for entry in module.urlpatterns if isinstance(entry, URLPattern)}
    assert names == GROUPS[group]


def test_ids_are_uuids_and_days_iso_dates():
    for route, pattern in tracker_patterns():
        for name, converter in pattern.pattern.converters.items():
            if name in NOT_IDS:
                continue
            assert name.endswith("_id"), (route, name)
            assert isinstance(converter, converters.UUIDConverter), (route, name)
        day = pattern.pattern.converters.get("day")
        assert day is None or isinstance(day, IsoDateConverter), route
