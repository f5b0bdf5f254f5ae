"""Timed temperature readings (RF-FEVER) and the side of new numbness (RF-NUMB-NEW), on every
path a check-in takes: the web form, the offline queue, the diary import and the exports."""

import importlib
import json
import uuid
import zoneinfo
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from tests.checkin_data import checkin_post
from tracker.checkins.diary_import import DiaryError, import_diary
from tracker.checkins.forms import CheckInForm
from tracker.checkins.recording import record_checkin
from tracker.exports.csv_export import patient_diary_lines
from tracker.models import CheckIn, Flag, FlagStatus, Notification
from tracker.models.timelines import patient_timeline

LONDON = zoneinfo.ZoneInfo("Europe/London")
MIGRATION = "tracker.migrations.0007_checkin_readings_and_numbness_side"


@pytest.fixture
def midday(patient):
    """Today at 12:00 in the patient's time zone (Europe/London), the clock stopped."""
    moment = datetime.combine(patient.local_date(), time(12, 0), tzinfo=LONDON)
    with time_machine.travel(moment, tick=False):
        yield moment


def local(hour: int, minute: int = 0) -> datetime:
    today = timezone.localtime(timezone.now(), LONDON).date()
    return datetime.combine(today, time(hour, minute), tzinfo=LONDON)


def fever_post(value: str, at: str = "", **more) -> dict:
    return checkin_post(safety_feverish="yes", temperature_c=value, temperature_time=at, **more)


def readings(patient, day=None) -> list[tuple[datetime | None, Decimal]]:
    checkin = CheckIn.objects.get(patient=patient, day=day or patient.local_date())
    return [
        (datetime.fromisoformat(r["at"]) if r["at"] else None, Decimal(r["temperature_c"]))
        for r in checkin.temperature_readings
    ]


# --- The web form: a reading with its time, and a second one the same day -------------------


def test_a_second_temperature_the_same_day_is_added_and_two_raised_readings_are_a_fever(
    patient_client, patient, midday
):
    first = patient_client.post("/me/check-in/", fever_post("37.9", "08:15"))
    assert "Call your surgical team today" not in first.content.decode()
    page = patient_client.get("/me/check-in/").content.decode()
    # The earlier reading is shown, and the field is empty for a new one.
    assert "37.9 °C at 08:15" in page
    field = page[page.index('name="temperature_c"') :]
    assert 'value=""' in field[: field.index(">")]

    second = patient_client.post("/me/check-in/", fever_post("37.8", "11:40"))
    html = second.content.decode()
    assert "Call your surgical team today" in html
    assert readings(patient) == [
        (local(8, 15).astimezone(UTC), Decimal("37.9")),
        (local(11, 40).astimezone(UTC), Decimal("37.8")),
    ]
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.temperature_c == Decimal("37.9")  # the day's highest
    flag = Flag.objects.get(patient=patient, rule_id="RF-FEVER", status=FlagStatus.OPEN)
    assert [e["temperature_c"] for e in flag.evidence] == [37.9, 37.8]
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()


def test_an_empty_time_means_now_in_the_patients_time_zone(patient_client, patient, midday):
    patient_client.post("/me/check-in/", fever_post("37.6"))
    assert readings(patient) == [(midday.astimezone(UTC), Decimal("37.6"))]


def test_saving_again_without_a_new_temperature_keeps_the_readings(patient_client, patient, midday):
    patient_client.post("/me/check-in/", fever_post("37.6", "09:00"))
    patient_client.post("/me/check-in/", checkin_post(safety_feverish="yes", back_pain="6"))
    assert readings(patient) == [(local(9).astimezone(UTC), Decimal("37.6"))]
    assert CheckIn.objects.get(patient=patient).back_pain == 6


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (fever_post("44.5", "09:00"), "temperature_c", "between 34.0 and 43.0"),
        (fever_post("38.0", "9 o'clock"), "temperature_time", "such as 14:30"),
        (
            checkin_post(safety_new_numbness="no", new_numbness_side="left"),
            "new_numbness_side",
            "Answer “yes” to new numbness",
        ),
        (
            checkin_post(new_numbness_side="middle"),
            "new_numbness_side",
            "Choose left, right or both",
        ),
    ],
)
def test_bad_input_is_told_next_to_its_field_and_nothing_is_saved(
    patient_client, patient, data, field, message
):
    response = patient_client.post("/me/check-in/", data)
    html = response.content.decode()
    assert response.status_code == 200
    block = html[html.index(f'id="field-{field}"') :]
    assert message in block[: block.index("</div>\n", block.index(message)) + 1]
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_a_time_that_has_not_come_yet_is_refused_next_to_the_field(patient, midday):
    form = CheckInForm(fever_post("38.2", "15:00"), patient=patient, day=patient.local_date())
    assert not form.is_valid()
    assert form.errors["temperature_time"] == [
        "That time has not come yet. Enter the time you took your temperature."
    ]
    # The same time on an earlier day has come.
    yesterday = patient.local_date() - timedelta(days=1)
    assert CheckInForm(fever_post("38.2", "15:00"), patient=patient, day=yesterday).is_valid()


def test_a_future_time_that_reaches_recording_is_stored_as_not_known(patient, midday):
    # A form built without the patient cannot tell the time is later than now.
    form = CheckInForm(fever_post("38.2", "15:00"))
    assert form.is_valid()
    record_checkin(patient, patient.local_date(), form.cleaned_data["answers"], by=None)
    assert readings(patient) == [(None, Decimal("38.2"))]


def test_a_bad_temperature_beside_an_urgent_answer_keeps_the_answer_not_the_temperature(
    patient_client, patient, midday
):
    data = fever_post("51", "09:00", safety_calf_pain_swelling="yes")
    html = patient_client.post("/me/check-in/", data).content.decode()
    assert "Call your surgical team today" in html
    assert "is not saved yet" in html
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.safety["calf_pain_swelling"] is True
    assert checkin.temperature_readings == [] and checkin.temperature_c is None


# --- New numbness and its side ---------------------------------------------------------------


def test_new_numbness_on_both_sides_is_an_emergency_and_one_side_is_urgent(patient_client, patient):
    html = patient_client.post(
        "/me/check-in/", checkin_post(safety_new_numbness="yes", new_numbness_side="both")
    ).content.decode()
    assert "Call for help now" in html
    flag = Flag.objects.get(patient=patient, rule_id="RF-NUMB-NEW")
    assert flag.level == "emergency"
    assert flag.evidence[0]["new_numbness_side"] == "both"
    assert CheckIn.objects.get(patient=patient).new_numbness_side == "both"

    html = patient_client.post(
        "/me/check-in/", checkin_post(safety_new_numbness="yes", new_numbness_side="left")
    ).content.decode()
    assert "Call your surgical team today" in html
    assert CheckIn.objects.get(patient=patient).new_numbness_side == "left"


def test_new_numbness_without_its_side_keeps_the_answer_and_asks_for_the_side(
    patient_client, patient
):
    html = patient_client.post(
        "/me/check-in/", checkin_post(safety_new_numbness="yes")
    ).content.decode()
    assert "Call your surgical team today" in html
    assert "Tell us which side the new numbness is on" in html
    assert CheckIn.objects.get(patient=patient).safety["new_numbness"] is True
    assert Flag.objects.filter(patient=patient, rule_id="RF-NUMB-NEW", level="urgent").exists()


def test_the_follow_up_questions_are_on_the_page_without_javascript(patient_client):
    html = patient_client.get("/me/check-in/").content.decode()
    numbness = html.index('name="safety_new_numbness"')
    side = html.index('name="new_numbness_side"')
    feverish = html.index('name="safety_feverish"')
    assert numbness < side < feverish < html.index('name="temperature_time"')
    assert '<input type="time" name="temperature_time"' in html


def test_the_history_shows_each_reading_and_the_side(patient_client, patient, midday):
    patient_client.post(
        "/me/check-in/",
        fever_post("38.3", "07:05", safety_new_numbness="yes", new_numbness_side="right"),
    )
    html = patient_client.get(f"/me/history/{patient.local_date().isoformat()}/").content.decode()
    assert "38.3 °C at 07:05" in html
    assert "Right" in html


# --- The timeline the rules read -------------------------------------------------------------


def test_the_timeline_carries_the_readings_and_the_side(patient, midday):
    day = patient.local_date()
    form = CheckInForm(
        fever_post("37.9", "06:30", safety_new_numbness="yes", new_numbness_side="both"),
        patient=patient,
        day=day,
    )
    assert form.is_valid(), form.errors
    record_checkin(patient, day, form.cleaned_data["answers"], by=None)
    (record,) = patient_timeline(patient).days
    assert record.temperature_readings == ((local(6, 30).astimezone(UTC).isoformat(), 37.9),)
    assert record.new_numbness_side == "both"
    assert record.temperature_c == 37.9


def test_the_migration_makes_an_old_single_temperature_one_reading_of_unknown_time(patient):
    record_checkin(patient, patient.local_date(), {"back_pain": 2}, by=None)
    CheckIn.objects.update(temperature_c=Decimal("38.6"), temperature_readings=[])
    migration = importlib.import_module(
        "tracker.migrations.0007_checkin_readings_and_numbness_side"
    )
    migration.single_temperature_to_reading(apps, None)
    assert CheckIn.objects.get().temperature_readings == [{"at": None, "temperature_c": "38.6"}]
    (record,) = patient_timeline(patient).days
    assert record.temperature_readings == (("", 38.6),)


# --- The offline queue -----------------------------------------------------------------------


def send_offline(client, patient, changed_at=None, **overrides):
    body = {
        "client_id": str(uuid.uuid4()),
        "day": patient.local_date().isoformat(),
        "owner": str(patient.public_id),
        "fields": {k: [v] for k, v in checkin_post(**overrides).items()},
        "changed_at": changed_at or {},
    }
    return client.post("/me/check-in/offline/", json.dumps(body), content_type="application/json")


def test_offline_a_reading_without_a_time_is_dated_when_it_was_typed_on_the_phone(
    patient_client, patient, midday
):
    typed = local(9, 20)
    response = send_offline(
        patient_client,
        patient,
        changed_at={"temperature_c": typed.isoformat()},
        safety_feverish="yes",
        temperature_c="37.7",
    )
    assert response.json()["status"] == "saved"
    assert readings(patient) == [(typed.astimezone(UTC), Decimal("37.7"))]


def test_offline_readings_add_to_those_saved_online_and_make_a_fever(
    patient_client, patient, midday
):
    patient_client.post("/me/check-in/", fever_post("37.8", "07:00"))
    response = send_offline(
        patient_client,
        patient,
        safety_feverish="yes",
        temperature_c="37.9",
        temperature_time="10:30",
    )
    result = response.json()
    assert result["level"] == "urgent"
    assert [value for _, value in readings(patient)] == [Decimal("37.8"), Decimal("37.9")]


def test_offline_a_future_time_and_numbness_both_keeps_the_emergency_only(
    patient_client, patient, midday
):
    response = send_offline(
        patient_client,
        patient,
        safety_new_numbness="yes",
        new_numbness_side="both",
        safety_feverish="yes",
        temperature_c="38.5",
        temperature_time="18:00",
    )
    result = response.json()
    assert (result["status"], result["level"]) == ("safety_saved", "emergency")
    assert "has not come yet" in result["errors"]["temperature_time"][0]
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.new_numbness_side == "both" and checkin.temperature_readings == []


def test_offline_resending_the_same_check_in_with_a_temperature_is_recognised(
    patient_client, patient, midday
):
    body = {
        "client_id": str(uuid.uuid4()),
        "day": patient.local_date().isoformat(),
        "owner": str(patient.public_id),
        "fields": {k: [v] for k, v in fever_post("37.9", "08:00").items()},
        "changed_at": {},
    }
    for expected in ("saved", "already_received"):
        response = patient_client.post(
            "/me/check-in/offline/", json.dumps(body), content_type="application/json"
        )
        assert response.json()["status"] == expected
    assert len(readings(patient)) == 1


# --- The diary import and the diary export ---------------------------------------------------

HEADER = "date,back_pain,leg_pain,leg_side,answers,temperature_c,temperature_readings\n"


def test_a_diary_carries_timed_readings_and_the_side(patient, midday):
    today = patient.local_date()
    rows = import_diary(
        patient, HEADER + f"{today},3,2,left,feverish;new_numbness:both,,37.8@07:10;37.9@11:00\n"
    )
    assert {f.rule_id for f in rows[0].findings} == {"RF-NUMB-NEW", "RF-FEVER"}
    assert readings(patient) == [
        (local(7, 10).astimezone(UTC), Decimal("37.8")),
        (local(11).astimezone(UTC), Decimal("37.9")),
    ]
    assert CheckIn.objects.get(patient=patient).new_numbness_side == "both"


def test_an_old_diary_with_one_temperature_still_imports(patient, midday):
    day = patient.local_date() - timedelta(days=2)
    import_diary(
        patient,
        "date,back_pain,leg_pain,leg_side,answers,temperature_c\n"
        f"{day},3,0,none,feverish;new_numbness,38.1\n",
    )
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.temperature_readings == [{"at": None, "temperature_c": "38.1"}]
    assert checkin.safety["new_numbness"] is True and checkin.new_numbness_side == ""


@pytest.mark.parametrize(
    ("cell", "answers", "reason"),
    [
        ("38.1@13:30", "feverish", "later than now"),
        ("48.1@08:00", "feverish", "between 34.0 and 43.0"),
        ("38.1@8 h", "feverish", "such as 14:30"),
        ("38.1@08:00", "", "need “feverish”"),
    ],
)
def test_a_bad_reading_refuses_the_file_with_its_reason(patient, midday, cell, answers, reason):
    with pytest.raises(DiaryError) as refused:
        import_diary(patient, HEADER + f"{patient.local_date()},3,0,none,{answers},,{cell}\n")
    assert reason in str(refused.value)
    assert not CheckIn.objects.exists()


def test_a_refused_diary_keeps_a_fever_of_two_readings_today(patient, midday):
    today = patient.local_date()
    body = f"{today},99,0,none,feverish,,37.8@07:00;37.9@10:00\n"
    with pytest.raises(DiaryError) as refused:
        import_diary(patient, HEADER + body)
    ((_, _, findings),) = refused.value.kept
    assert [f.rule_id for f in findings] == ["RF-FEVER"]
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.back_pain is None and len(checkin.temperature_readings) == 2


def test_a_patients_diary_export_imports_back_with_its_readings(patient, other_patient, midday):
    today = patient.local_date()
    import_diary(
        patient,
        HEADER + f"{today},3,2,left,feverish;new_numbness:right,38.4,37.8@07:10;38.4@11:00\n",
    )
    text = "".join(patient_diary_lines(patient))
    assert "feverish;new_numbness:right" in text
    assert "37.8@07:10;38.4@11:00" in text
    import_diary(other_patient, text)
    copy = CheckIn.objects.get(patient=other_patient)
    original = CheckIn.objects.get(patient=patient)
    assert copy.temperature_readings == original.temperature_readings
    assert copy.new_numbness_side == "right"


def test_the_web_form_refuses_a_reading_time_that_has_not_come_yet(patient_client, patient, midday):
    response = patient_client.post("/me/check-in/", fever_post("37.9", "15:00"))
    html = response.content.decode()
    block = html[html.index('id="field-temperature_time"') :]
    assert "That time has not come yet." in block[:2000]
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_over_the_offline_limit_a_kept_reading_is_dated_when_it_was_typed(
    client, patient, midday, settings
):
    settings.RATE_LIMITS = {"checkin-offline": {"per_user": 0, "per_address": 0}}
    client.force_login(patient.user)
    typed = (midday - timedelta(hours=3)).astimezone(UTC)
    fields = fever_post("39.1", "", safety_bladder_change="yes")
    body = {
        "client_id": str(uuid.uuid4()),
        "day": patient.local_date().isoformat(),
        "owner": str(patient.user.public_id),
        "fields": {name: [value] for name, value in fields.items()},
        "changed_at": {"temperature_c": typed.isoformat()},
    }
    response = client.post("/me/check-in/offline/", json.dumps(body), "application/json")
    assert response.status_code == 429
    assert response.json()["status"] == "safety_saved"
    assert readings(patient) == [(typed, Decimal("39.1"))]
