"""Daily check-in reminders: the time in the patient's zone, across daylight-saving changes,
once a day, never after the check-in, and never on top of the P12 silence reminder."""

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.checkin_data import checkin_post
from tests.conftest import make_patient
from tracker.checkins.recording import record_checkin
from tracker.flags.engine import evaluate_patient
from tracker.messaging.notifications import send_silence_reminder
from tracker.messaging.reminders import reminder_day, send_due_reminders
from tracker.models import PushSubscription, ReminderPreference, Source


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- When a reminder falls due (pure) --------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "at", "before", "due", "day"),
    [
        # London, ordinary winter day: 19:00 GMT = 19:00 UTC.
        (
            "Europe/London",
            time(19),
            utc(2026, 1, 14, 18, 59),
            utc(2026, 1, 14, 19),
            date(2026, 1, 14),
        ),
        # London summer: 19:00 BST = 18:00 UTC.
        ("Europe/London", time(19), utc(2026, 7, 1, 17, 59), utc(2026, 7, 1, 18), date(2026, 7, 1)),
        # New York in winter, 19:00 EST = 00:00 UTC the next calendar day in UTC.
        (
            "America/New_York",
            time(19),
            utc(2026, 1, 14, 23, 59),
            utc(2026, 1, 15, 0),
            date(2026, 1, 14),
        ),
        # Auckland is ahead of UTC: 08:00 NZDT on 14 January = 19:00 UTC on the 13th.
        (
            "Pacific/Auckland",
            time(8),
            utc(2026, 1, 13, 18, 59),
            utc(2026, 1, 13, 19),
            date(2026, 1, 14),
        ),
        # London spring switch (29 March 2026, 01:00 GMT -> 02:00 BST): 01:30 does not exist
        # and falls due at 02:30 BST = 01:30 UTC.
        (
            "Europe/London",
            time(1, 30),
            utc(2026, 3, 29, 1, 29),
            utc(2026, 3, 29, 1, 30),
            date(2026, 3, 29),
        ),
        # 19:00 on the London spring switch day is 19:00 BST = 18:00 UTC.
        (
            "Europe/London",
            time(19),
            utc(2026, 3, 29, 17, 59),
            utc(2026, 3, 29, 18),
            date(2026, 3, 29),
        ),
        # London autumn switch (25 October 2026): 19:00 GMT = 19:00 UTC.
        (
            "Europe/London",
            time(19),
            utc(2026, 10, 25, 18, 59),
            utc(2026, 10, 25, 19),
            date(2026, 10, 25),
        ),
        # New York spring switch (8 March 2026): 19:00 EDT = 23:00 UTC.
        (
            "America/New_York",
            time(19),
            utc(2026, 3, 8, 22, 59),
            utc(2026, 3, 8, 23),
            date(2026, 3, 8),
        ),
        # New York autumn switch (1 November 2026): 01:30 happens twice; the first is 05:30 UTC.
        (
            "America/New_York",
            time(1, 30),
            utc(2026, 11, 1, 5, 29),
            utc(2026, 11, 1, 5, 30),
            date(2026, 11, 1),
        ),
        # Auckland autumn switch (5 April 2026, 03:00 NZDT -> 02:00 NZST): 19:00 NZST = 07:00 UTC.
        (
            "Pacific/Auckland",
            time(19),
            utc(2026, 4, 5, 6, 59),
            utc(2026, 4, 5, 7),
            date(2026, 4, 5),
        ),
        # Auckland spring switch (27 September 2026, 02:00 -> 03:00): 19:00 NZDT = 06:00 UTC.
        (
            "Pacific/Auckland",
            time(19),
            utc(2026, 9, 27, 5, 59),
            utc(2026, 9, 27, 6),
            date(2026, 9, 27),
        ),
    ],
)
def test_a_reminder_falls_due_at_the_patients_local_time(zone, at, before, due, day):
    assert reminder_day(before, zone, at, None) is None
    assert reminder_day(due, zone, at, None) == day
    assert reminder_day(due + timedelta(hours=3), zone, at, None) == day
    # Reminded already that day: not again, however late it gets.
    assert reminder_day(due + timedelta(hours=3), zone, at, day) is None
    assert reminder_day(due, zone, at, day - timedelta(days=1)) == day


def test_the_repeated_autumn_hour_reminds_once():
    zone, at = "America/New_York", time(1, 30)
    first = utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert reminder_day(first, zone, at, None) == date(2026, 11, 1)
    second = utc(2026, 11, 1, 6, 30)  # 01:30 EST, the clock's second pass
    assert reminder_day(second, zone, at, date(2026, 11, 1)) is None


# --- Sending (database, task queue, e-mail) ---------------------------------------------------


@pytest.fixture
def three_zones(clinic):
    patients = {}
    for zone in ("Europe/London", "America/New_York", "Pacific/Auckland"):
        slug = zone.split("/")[1].lower()
        patient = make_patient(f"{slug}@clinic.test", clinic, time_zone=zone)
        ReminderPreference.objects.create(patient=patient, time_of_day=time(19))
        patients[zone] = patient
    return patients


def reminded() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_each_patient_is_reminded_at_their_own_seven_pm(three_zones, time_machine):
    # 14 January 2026, 19:00 UTC: 19:00 in London, 14:00 in New York, 08:00 next day in Auckland.
    time_machine.move_to(utc(2026, 1, 14, 19, 0), tick=False)
    send_due_reminders()
    assert reminded() == ["london@clinic.test"]
    assert "Time for your Laminar check-in" in mail.outbox[0].subject
    assert "/me/check-in/" in mail.outbox[0].body
    # 15 January 00:00 UTC: 19:00 in New York.
    time_machine.move_to(utc(2026, 1, 15, 0, 0), tick=False)
    send_due_reminders()
    assert reminded() == ["london@clinic.test", "new_york@clinic.test"]
    # 15 January 06:00 UTC: 19:00 in Auckland (the 15th there).
    time_machine.move_to(utc(2026, 1, 15, 6, 0), tick=False)
    send_due_reminders()
    assert reminded() == ["auckland@clinic.test", "london@clinic.test", "new_york@clinic.test"]
    auckland = three_zones["Pacific/Auckland"].reminder_preference
    auckland.refresh_from_db()
    assert auckland.last_sent_on == date(2026, 1, 15)


def test_two_runs_never_remind_twice_and_the_next_day_reminds_again(three_zones, time_machine):
    time_machine.move_to(utc(2026, 3, 29, 18, 0), tick=False)  # London spring switch day, 19:00 BST
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    call_command("send_reminders", stdout=out)
    assert out.getvalue() == "1 reminder(s) queued.\n0 reminder(s) queued.\n"
    assert reminded() == ["london@clinic.test"]
    time_machine.move_to(utc(2026, 3, 30, 18, 0), tick=False)
    send_due_reminders()
    assert reminded() == ["london@clinic.test", "london@clinic.test"]


def test_no_reminder_after_todays_check_in_or_while_paused(three_zones, time_machine):
    time_machine.move_to(utc(2026, 7, 1, 12, 0), tick=False)
    london, new_york = three_zones["Europe/London"], three_zones["America/New_York"]
    record_checkin(london, date(2026, 7, 1), _answers(), by=london.user, source=Source.FORM)
    ReminderPreference.objects.filter(patient=new_york).update(paused=True)
    time_machine.move_to(utc(2026, 7, 2, 4, 0), tick=False)  # after 19:00 in both
    send_due_reminders()
    assert mail.outbox == []


def test_the_daily_reminder_and_the_silence_reminder_never_both_go_on_one_day(
    three_zones, time_machine, django_capture_on_commit_callbacks
):
    london = three_zones["Europe/London"]
    time_machine.move_to(utc(2026, 1, 14, 9, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_silence_reminder(london)  # P12 first (the morning evaluate_flags run)
    time_machine.move_to(utc(2026, 1, 14, 19, 30), tick=False)
    send_due_reminders()
    assert reminded() == ["london@clinic.test"]
    assert mail.outbox[0].subject == "A quick check-in?"

    mail.outbox.clear()
    time_machine.move_to(utc(2026, 1, 15, 19, 30), tick=False)
    send_due_reminders()  # the daily reminder first this time
    with django_capture_on_commit_callbacks(execute=True):
        send_silence_reminder(london)
    assert reminded() == ["london@clinic.test"]
    assert mail.outbox[0].subject == "Time for your Laminar check-in"


def test_a_silent_patient_hears_the_reminder_before_any_p12_flag(
    clinic, time_machine, django_capture_on_commit_callbacks
):
    # 3 missed days: at the P12 threshold, not past it (2 days past flags at once).
    patient = make_patient("quiet@clinic.test", clinic, surgery_days_ago=4)
    ReminderPreference.objects.create(patient=patient, time_of_day=time(19))
    today = patient.local_date()
    time_machine.move_to(datetime.combine(today, time(20), tzinfo=UTC), tick=False)
    send_due_reminders()
    assert reminded() == ["quiet@clinic.test"]
    with django_capture_on_commit_callbacks(execute=True):
        _findings, outcome = evaluate_patient(patient, today, include_time_rules=True)
    assert not patient.flags.exists()  # P12 holds its flag back a day after reminding
    assert len(mail.outbox) == 1  # and does not e-mail a second reminder today
    assert outcome.reminded


def test_sending_takes_a_constant_number_of_queries(clinic, time_machine):
    """Patients who checked in already cost no query each, however many there are."""
    time_machine.move_to(utc(2026, 1, 14, 20, 0), tick=False)

    def run(count: int) -> int:
        for n in range(ReminderPreference.objects.count(), count):
            patient = make_patient(f"p{n}@clinic.test", clinic, time_zone="Europe/London")
            ReminderPreference.objects.create(patient=patient, time_of_day=time(19))
            record_checkin(patient, date(2026, 1, 14), _answers(), by=None, notify=False)
        with CaptureQueriesContext(connection) as queries:
            assert send_due_reminders() == 0
        return len(queries)

    assert run(1) == run(40)


def _answers() -> dict:
    from tracker.checkins.forms import CheckInForm

    form = CheckInForm(checkin_post())
    assert form.is_valid()
    return form.cleaned_data["answers"]


# --- Web Push ---------------------------------------------------------------------------------

VAPID = {
    "WEBPUSH_VAPID_PUBLIC_KEY": "BPublicKeyForTests",
    "WEBPUSH_VAPID_PRIVATE_KEY": "private-key-for-tests",
    "WEBPUSH_VAPID_SUBJECT": "mailto:clinic@example.org",
}


class FakePushService:
    def __init__(self, gone=()):
        self.sent, self.gone = [], set(gone)

    def __call__(self, info, data, **options):
        from pywebpush import WebPushException

        if info["endpoint"] in self.gone:
            response = type("Response", (), {"status_code": 410})()
            raise WebPushException("Gone", response=response)
        self.sent.append((info, data, options))


def test_push_reminders_go_to_each_subscribed_browser(
    three_zones, time_machine, settings, monkeypatch
):
    for name, value in VAPID.items():
        setattr(settings, name, value)
    london = three_zones["Europe/London"]
    ReminderPreference.objects.filter(patient=london).update(channel="push")
    PushSubscription.objects.create(
        patient=london, endpoint="https://fcm.googleapis.com/fcm/send/a", p256dh="k", auth="a"
    )
    PushSubscription.objects.create(
        patient=london, endpoint="https://fcm.googleapis.com/fcm/send/gone", p256dh="k", auth="a"
    )
    service = FakePushService(gone={"https://fcm.googleapis.com/fcm/send/gone"})
    monkeypatch.setattr("pywebpush.webpush", service)

    time_machine.move_to(utc(2026, 1, 14, 19, 0), tick=False)
    send_due_reminders()

    assert [info["endpoint"] for info, _data, _options in service.sent] == [
        "https://fcm.googleapis.com/fcm/send/a"
    ]
    info, data, options = service.sent[0]
    assert info["keys"] == {"p256dh": "k", "auth": "a"}
    assert '"url": "/me/check-in/"' in data
    assert options["vapid_claims"] == {"sub": "mailto:clinic@example.org"}
    assert mail.outbox == []  # push reached the phone: no e-mail
    assert list(london.push_subscriptions.values_list("endpoint", flat=True)) == [
        "https://fcm.googleapis.com/fcm/send/a"
    ]


def test_push_falls_back_to_email_when_no_browser_is_subscribed(
    three_zones, time_machine, settings
):
    for name, value in VAPID.items():
        setattr(settings, name, value)
    ReminderPreference.objects.filter(patient=three_zones["Europe/London"]).update(channel="push")
    time_machine.move_to(utc(2026, 1, 14, 19, 0), tick=False)
    send_due_reminders()
    assert reminded() == ["london@clinic.test"]
