"""The clinic's alarm response: time from an emergency or urgent flag to its acknowledgement,
checked against figures worked out by hand, on the page and in the CSV."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import make_flag, make_user
from tracker.models import FlagLevel, FlagStatus, Role
from tracker.outcomes.alarms import alarm_response, duration_text
from tracker.outcomes.statistics import percentile

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=LONDON)


def alarm(patient, level, opened, minutes_to_ack=None, rule_id=None, **fields):
    """A flag opened at `opened` and acknowledged `minutes_to_ack` later (None: still open).
    Give each active flag of one patient its own rule: only one may be active per rule."""
    acknowledged = (
        opened + timedelta(minutes=minutes_to_ack) if minutes_to_ack is not None else None
    )
    return make_flag(
        patient,
        rule_id or ("RF-CES-BLADDER" if level == FlagLevel.EMERGENCY else "RF-FEVER"),
        level,
        opened_at=opened,
        acknowledged_at=acknowledged,
        status=FlagStatus.ACKNOWLEDGED if acknowledged else FlagStatus.OPEN,
        **fields,
    )


def test_percentile_interpolates_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([10, 20, 30, 40], 0.5) == 25  # halfway between 20 and 30
    assert percentile([10, 20, 30, 40], 0.9) == pytest.approx(37)  # 30 + 0.7 × 10


def test_duration_words():
    assert duration_text(None) == "–"
    assert duration_text(44.6) == "45 min"
    assert duration_text(125) == "2 h 05 min"
    assert duration_text(3 * 1440 + 4 * 60) == "3 d 4 h"


@pytest.mark.django_db
def test_no_alarms_gives_empty_rows(clinic):
    result = alarm_response(clinic, date(2026, 1, 1), date(2026, 6, 30), now=NOW)
    assert [(row.level, row.alarms, row.median_minutes) for row in result.overall] == [
        ("emergency", 0, None),
        ("urgent", 0, None),
    ]
    assert result.by_month == []
    assert result.longest_waiting is None


@pytest.mark.django_db
def test_figures_by_level_and_month_match_a_hand_count(clinic, patient, other_patient):
    june = datetime(2026, 6, 10, 9, 0, tzinfo=LONDON)
    may = datetime(2026, 5, 20, 22, 0, tzinfo=LONDON)
    # Emergencies: acknowledged after 10, 20 and 60 minutes; median 20, 90th centile 52.
    alarm(patient, FlagLevel.EMERGENCY, june, 10)
    alarm(other_patient, FlagLevel.EMERGENCY, june + timedelta(days=1), 20)
    alarm(patient, FlagLevel.EMERGENCY, may, 60, "RF-CES-SADDLE")
    # Urgent: one answered after 2 hours, one still open since 29 June 12:00 (24 h by NOW).
    alarm(patient, FlagLevel.URGENT, may + timedelta(hours=1), 120)
    waiting = alarm(other_patient, FlagLevel.URGENT, NOW - timedelta(hours=24))
    # Not alarms: a review flag, a quietly raised import, one before the period.
    alarm(patient, FlagLevel.REVIEW, june, 5000, "P7-SUSTAINED-HIGH")
    alarm(patient, FlagLevel.EMERGENCY, june, 900, "RF-CES-BOWEL", raised_quietly=True)
    alarm(patient, FlagLevel.EMERGENCY, datetime(2025, 12, 31, 23, 0, tzinfo=LONDON), 9, "RF-CHEST")

    result = alarm_response(clinic, date(2026, 1, 1), date(2026, 6, 30), now=NOW)

    emergency, urgent = result.overall
    assert (emergency.alarms, emergency.acknowledged, emergency.waiting) == (3, 3, 0)
    assert emergency.median_minutes == 20
    assert emergency.p90_minutes == pytest.approx(52)  # 20 + 0.8 × (60 − 20)
    assert (urgent.alarms, urgent.acknowledged, urgent.waiting) == (2, 1, 1)
    assert urgent.median_minutes == 120
    assert urgent.longest_waiting_minutes == 24 * 60
    assert [(row.month, row.level, row.alarms) for row in result.by_month] == [
        (date(2026, 5, 1), "emergency", 1),
        (date(2026, 5, 1), "urgent", 1),
        (date(2026, 6, 1), "emergency", 2),
        (date(2026, 6, 1), "urgent", 1),
    ]
    assert result.longest_waiting == waiting


@pytest.mark.django_db
def test_an_alarm_is_counted_in_the_clinics_month_not_utcs(clinic, patient):
    # 00:30 on 1 June in London is still 31 May in UTC.
    alarm(patient, FlagLevel.URGENT, datetime(2026, 6, 1, 0, 30, tzinfo=LONDON), 30)
    result = alarm_response(clinic, date(2026, 6, 1), date(2026, 6, 30), now=NOW)
    assert [(row.month, row.alarms) for row in result.by_month] == [(date(2026, 6, 1), 1)]


@pytest.mark.django_db
def test_clinicians_see_the_page_and_download_the_same_figures(client, surgeon, patient):
    opened = datetime.now(LONDON) - timedelta(days=3)
    alarm(patient, FlagLevel.EMERGENCY, opened, 15)
    client.force_login(surgeon)
    page = client.get("/clinic/outcomes/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "How fast alarms are answered" in text
    assert "15 min" in text
    response = client.get("/clinic/outcomes/alarms.csv")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    first = rows[0]
    assert (first["level"], first["month"], first["alarms"]) == ("emergency", "all", "1")
    assert first["median_minutes_to_acknowledge"] == "15.0"
    assert {row["month"] for row in rows[2:]} == {opened.strftime("%Y-%m")}


@pytest.mark.django_db
def test_a_bad_period_is_explained_next_to_the_field(client, surgeon):
    client.force_login(surgeon)
    response = client.get("/clinic/outcomes/?start=2026-06-30&end=2026-01-01")
    assert response.status_code == 200
    assert "The start must be on or before the end." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PHYSIO, Role.ADMIN, Role.PATIENT])
def test_only_clinicians_see_outcomes(client, clinic, role):
    user = make_user(f"{role}@example.org", role, clinic)
    client.force_login(user)
    assert client.get("/clinic/outcomes/").status_code in (403, 404)
    assert client.get("/clinic/outcomes/alarms.csv").status_code in (403, 404)


@pytest.mark.django_db
def test_wrong_method_is_refused(client, surgeon):
    client.force_login(surgeon)
    assert client.post("/clinic/outcomes/").status_code == 405
