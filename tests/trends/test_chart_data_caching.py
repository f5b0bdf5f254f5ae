"""Chart data is cacheable: an ETag and Last-Modified from the patient's last change, 304 when
nothing the chart shows has changed, built from one query for the chart's series."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import parse_http_date

from tests.factories import make_flag
from tests.programme_data import programme_item_of
from tests.report_data import checkin_days, peg_scores
from tests.trends.test_trends_pages import add_days, data_url
from tracker.charts import figures
from tracker.charts.patient_charts import CHARTS, build_chart
from tracker.flags.engine import thresholds_for
from tracker.models import AccessLog, CheckIn, ExerciseLog, Flag, QuestionnaireResponse
from tracker.models.chart_data import chart_timeline
from tracker.models.timelines import patient_timeline
from tracker.views.trends import flag_markers, period_for

OWN = "/me/trends/data/{}.json?range=all"


def get(client, url, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def test_unchanged_data_answers_304_with_no_body(patient_client, patient):
    add_days(patient, 60)
    first, _ = get(patient_client, OWN.format("leg-pain"))
    assert first.status_code == 200
    assert first["ETag"].startswith('"')
    assert parse_http_date(first["Last-Modified"]) <= timezone.now().timestamp()
    again, _ = get(patient_client, OWN.format("leg-pain"), first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "private, no-cache"


def test_a_304_reads_only_the_last_change_and_a_200_one_query_more(patient_client, patient):
    add_days(patient, 365)
    for series in CHARTS:
        url = OWN.format(series)
        full, built = get(patient_client, url)
        assert full.status_code == 200
        cached, checked = get(patient_client, url, full["ETag"])
        assert cached.status_code == 304
        # The same requests: session, user, patient, then the last-change query; the chart
        # itself is one query for its series.
        assert built == checked + 1, series


def test_a_new_checkin_changes_the_etag_and_the_data(patient_client, patient):
    add_days(patient, 20, leg_pain=4)
    first, _ = get(patient_client, OWN.format("leg-pain"))
    today = CheckIn.objects.get(patient=patient, day=patient.local_date())
    today.leg_pain = 9
    today.updated_at = timezone.now() + timedelta(seconds=1)
    today.save(update_fields=["leg_pain", "updated_at"])
    changed, _ = get(patient_client, OWN.format("leg-pain"), first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert changed.json()["datasets"][0]["data"][-1] == 9


def test_a_deleted_checkin_changes_the_etag(patient_client, patient):
    add_days(patient, 20)
    first, _ = get(patient_client, OWN.format("walking"))
    CheckIn.objects.filter(patient=patient, day=patient.local_date() - timedelta(days=3)).delete()
    assert get(patient_client, OWN.format("walking"), first["ETag"])[0].status_code == 200


def test_a_questionnaire_answer_changes_the_etag(patient_client, patient):
    add_days(patient, 20)
    first, _ = get(patient_client, OWN.format("peg"))
    QuestionnaireResponse.objects.filter(patient=patient).update(
        total=2, updated_at=timezone.now() + timedelta(seconds=1)
    )
    changed, _ = get(patient_client, OWN.format("peg"), first["ETag"])
    assert changed.status_code == 200
    assert set(changed.json()["datasets"][0]["data"]) == {2.0}


def test_exercise_sessions_change_the_etag(patient_client, patient):
    add_days(patient, 14)
    item = programme_item_of(patient)
    checkin = CheckIn.objects.get(patient=patient, day=patient.local_date())
    log = ExerciseLog.objects.create(
        checkin=checkin, item=item, sessions_done=1, sessions_prescribed=2
    )
    first, _ = get(patient_client, OWN.format("adherence"))
    assert first.json()["datasets"][0]["data"][-1] == 50
    log.sessions_done = 2
    log.updated_at = timezone.now() + timedelta(seconds=1)
    log.save(update_fields=["sessions_done", "updated_at"])
    changed, _ = get(patient_client, OWN.format("adherence"), first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["datasets"][0]["data"][-1] == 100


def test_a_new_day_changes_the_etag(patient_client, patient):
    add_days(patient, 20)
    first, _ = get(patient_client, OWN.format("back-pain"))
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert get(patient_client, OWN.format("back-pain"), first["ETag"])[0].status_code == 200


def test_a_changed_baseline_changes_the_etag(patient_client, patient):
    add_days(patient, 20)
    first, _ = get(patient_client, OWN.format("leg-pain"))
    patient.baseline_leg_pain = 5
    patient.save(update_fields=["baseline_leg_pain"])
    assert get(patient_client, OWN.format("leg-pain"), first["ETag"])[0].status_code == 200


def test_each_chart_and_range_has_its_own_etag(patient_client, patient):
    add_days(patient, 40)
    etags = {
        get(patient_client, f"/me/trends/data/{series}.json?range={key}")[0]["ETag"]
        for series in ("leg-pain", "back-pain")
        for key in ("30", "all")
    }
    assert len(etags) == 4


def test_a_flag_changes_the_care_teams_etag(client, patient, surgeon):
    add_days(patient, 20)
    client.force_login(surgeon)
    first, _ = get(client, data_url(patient) + "?range=all")
    flag = make_flag(patient, "P1-REBOUND", "review", days_ago=2)
    changed, _ = get(client, data_url(patient) + "?range=all", first["ETag"])
    assert changed.status_code == 200
    assert any(flag.rule_id in text for text in changed.json()["datasets"][-1]["texts"])
    Flag.objects.filter(pk=flag.pk).update(
        status="resolved", updated_at=timezone.now() + timedelta(seconds=1)
    )
    assert get(client, data_url(patient) + "?range=all", changed["ETag"])[0].status_code == 200


def test_the_care_teams_304_is_still_in_the_access_log(client, patient, surgeon):
    add_days(patient, 20)
    client.force_login(surgeon)
    first, _ = get(client, data_url(patient))
    looks = AccessLog.objects.filter(patient=patient, actor=surgeon).count()
    again, _ = get(client, data_url(patient), first["ETag"])
    assert again.status_code == 304
    assert AccessLog.objects.filter(patient=patient, actor=surgeon).count() == looks + 1
    # Staff computers keep nothing.
    assert "no-store" in again["Cache-Control"]


def test_an_outsider_with_the_etag_gets_404_not_304(client, patient, surgeon, outsider_staff):
    add_days(patient, 20)
    client.force_login(surgeon)
    etag = get(client, data_url(patient))[0]["ETag"]
    client.force_login(outsider_staff)
    assert get(client, data_url(patient), etag)[0].status_code == 404


def test_another_patient_on_the_same_browser_gets_their_own_data(client, patient, other_patient):
    add_days(patient, 20)
    add_days(other_patient, 20)
    client.force_login(patient.user)
    etag = get(client, OWN.format("leg-pain"))[0]["ETag"]
    client.force_login(other_patient.user)
    assert get(client, OWN.format("leg-pain"), etag)[0].status_code == 200


# One query per series draws the same chart as the whole timeline ----------------------------


@pytest.mark.parametrize("care_team", [False, True])
def test_each_chart_from_its_own_query_equals_the_chart_from_the_whole_timeline(patient, care_team):
    checkin_days(patient, 120)
    peg_scores(patient, 2, 30, 60, 90)
    item = programme_item_of(patient)
    for n, checkin in enumerate(CheckIn.objects.filter(patient=patient)[:40]):
        ExerciseLog.objects.create(
            checkin=checkin, item=item, sessions_done=n % 4, sessions_prescribed=2
        )
    QuestionnaireResponse.objects.create(
        patient=patient, instrument="phq2", day=patient.surgery_date + timedelta(days=10), total=3
    )
    make_flag(patient, "P1-REBOUND", "review", days_ago=5)
    whole = patient_timeline(patient)
    period = period_for(patient, "all")
    markers = flag_markers(list(patient.flags.all())) if care_team else []
    options = {
        "flags": markers,
        "care_team": care_team,
        "change_table": thresholds_for(patient).meaningful_change,
    }
    for name in CHARTS:
        expected = build_chart(name, whole, period, **options)
        assert expected.has_data, name
        with CaptureQueriesContext(connection) as queries:
            narrow = chart_timeline(patient, name)
        assert len(queries) == 1, name
        found = build_chart(name, narrow, period, **options)
        assert figures.chartjs_data(found) == figures.chartjs_data(expected), name
        assert found.summary == expected.summary, name
