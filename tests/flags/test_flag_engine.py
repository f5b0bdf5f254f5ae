"""The flag engine: findings become flags in the check-in's own transaction, one active flag
per rule, evidence added, lifecycle, and no e-mail for the past."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.checkin_data import checkin_post
from tracker.checkins.forms import CheckInForm
from tracker.checkins.recording import record_checkin
from tracker.flags import engine
from tracker.models import CheckIn, CheckInRevision, Flag, FlagStatus, Notification


def answers(**overrides):
    form = CheckInForm(checkin_post(**overrides))
    assert form.is_valid(), form.errors
    return form.cleaned_data["answers"]


def test_emergency_answer_opens_a_flag_and_emails_the_care_team(
    patient_client, patient, surgeon, physio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        patient_client.post("/me/check-in/", checkin_post(safety_bladder_change="yes"))
    flag = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER")
    assert flag.level == "emergency" and flag.status == FlagStatus.OPEN
    assert flag.evidence[0]["date"] == patient.local_date().isoformat()
    assert "[E]" in flag.clinician_explanation
    assert sorted(m.to[0] for m in mail.outbox) == sorted([surgeon.email, physio.email])
    body = mail.outbox[0].body
    assert "Pat Example" not in body and "bladder" not in body.lower()
    assert "/care/inbox/" in body


def test_same_answer_again_adds_no_duplicate(patient_client, patient):
    patient_client.post("/me/check-in/", checkin_post(safety_bladder_change="yes"))
    patient_client.post("/me/check-in/", checkin_post(safety_bladder_change="yes", back_pain="5"))
    flag = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER")
    assert len(flag.evidence) == 1
    assert Notification.objects.filter(flag=flag).count() == 2  # one per care-team member


def test_new_evidence_on_another_day_joins_the_open_flag(patient):
    today = patient.local_date()
    record_checkin(patient, today - timedelta(days=1), answers(safety_fall="yes"), by=None)
    record_checkin(patient, today, answers(safety_fall="yes"), by=None)
    flag = Flag.objects.get(patient=patient, rule_id="RF-FALL")
    assert [e["date"] for e in flag.evidence] == [
        (today - timedelta(days=1)).isoformat(),
        today.isoformat(),
    ]
    assert flag.last_evidence_day == today


def test_acknowledge_once_even_when_two_people_click(patient, surgeon, physio):
    record_checkin(patient, patient.local_date(), answers(safety_fall="yes"), by=None)
    flag = Flag.objects.get(rule_id="RF-FALL")
    assert flag.acknowledge(surgeon) is True
    assert flag.acknowledge(physio) is False
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACKNOWLEDGED and flag.acknowledged_by == surgeon


def test_after_resolution_old_evidence_does_not_reopen(patient, surgeon):
    day = patient.local_date() - timedelta(days=2)
    record_checkin(patient, day, answers(safety_fall="yes"), by=None)
    flag = Flag.objects.get(rule_id="RF-FALL")
    assert flag.resolve(surgeon, "Seen in clinic, no injury.")
    engine.evaluate_patient(patient, day)
    assert Flag.objects.filter(rule_id="RF-FALL").count() == 1
    flag.refresh_from_db()
    assert (
        flag.status == FlagStatus.RESOLVED and flag.resolution_note == "Seen in clinic, no injury."
    )
    assert flag.acknowledged_by == surgeon  # resolving also acknowledges


def test_after_resolution_newer_evidence_opens_a_new_flag(patient, surgeon):
    today = patient.local_date()
    record_checkin(patient, today - timedelta(days=1), answers(safety_fall="yes"), by=None)
    Flag.objects.get(rule_id="RF-FALL").resolve(surgeon, "Checked.")
    record_checkin(patient, today, answers(safety_fall="yes"), by=None)
    statuses = list(
        Flag.objects.filter(rule_id="RF-FALL").order_by("id").values_list("status", flat=True)
    )
    assert statuses == [FlagStatus.RESOLVED, FlagStatus.OPEN]


def test_same_day_answer_saved_after_resolution_reopens(patient, surgeon):
    today = patient.local_date()
    record_checkin(patient, today, answers(safety_bladder_change="yes"), by=None)
    Flag.objects.get(rule_id="RF-CES-BLADDER").resolve(surgeon, "Phoned, false alarm.")
    record_checkin(patient, today, answers(safety_bladder_change="yes", note="It is back"), by=None)
    assert Flag.objects.filter(rule_id="RF-CES-BLADDER", status=FlagStatus.OPEN).exists()


def test_escalation_raises_the_level_and_reopens(patient, surgeon):
    today = patient.local_date()
    record_checkin(patient, today, answers(leg_pain="6", leg_side="both"), by=None)
    flag = Flag.objects.get(rule_id="RF-BILATERAL")
    assert flag.level == "urgent"
    flag.acknowledge(surgeon)
    record_checkin(
        patient,
        today,
        answers(leg_pain="6", leg_side="both", safety_saddle_numbness="yes"),
        by=None,
    )
    flag.refresh_from_db()
    assert flag.level == "emergency" and flag.status == FlagStatus.OPEN


def test_a_failure_before_the_flags_leaves_nothing_behind(patient):
    with (
        mock.patch("tracker.flags.engine.record_findings", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        record_checkin(
            patient, patient.local_date(), answers(safety_bladder_change="yes"), by=patient.user
        )
    assert not CheckIn.objects.exists()
    assert not CheckInRevision.objects.exists()
    assert not Flag.objects.exists()


def test_imported_past_raises_flags_quietly(tmp_path, patient, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    day = (patient.local_date() - timedelta(days=3)).isoformat()
    path = tmp_path / "diary.csv"
    path.write_text(f"date,back_pain,leg_pain,leg_side,answers\n{day},4,2,left,bladder_change\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_checkins", str(path), "--patient", patient.user.email)
    flag = Flag.objects.get(rule_id="RF-CES-BLADDER")
    assert flag.raised_quietly
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_review_flags_wait_for_the_digest(
    patient, surgeon, physio, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        record_checkin(patient, patient.local_date(), answers(safety_fall="yes"), by=None)  # soon
    assert mail.outbox == []
    assert Notification.objects.filter(kind="digest", status="pending").count() == 2
    call_command("send_notifications", "--digest")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([surgeon.email, physio.email])
    assert "1 flag(s)" in mail.outbox[0].body
    call_command("send_notifications", "--digest")
    assert len(mail.outbox) == 2


def test_failed_send_is_retried_with_backoff_and_never_sent_twice(patient, surgeon, physio):
    with mock.patch("tracker.messaging.emails.send_mail", side_effect=OSError("SMTP down")):
        record_checkin(
            patient, patient.local_date(), answers(safety_chest_pain_breathless="yes"), by=None
        )
        from tracker.messaging.notifications import send_due_immediate

        send_due_immediate()
    failed = Notification.objects.filter(status="failed")
    assert failed.count() == 2 and failed.first().attempts == 1
    assert "SMTP down" in failed.first().last_error
    # Not due yet: nothing is sent.
    assert send_due_immediate()["sent"] == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert send_due_immediate()["sent"] == 2
        assert send_due_immediate()["sent"] == 0
    assert len(mail.outbox) == 2


def test_one_notification_is_delivered_once_by_competing_workers(patient):
    from tracker.messaging.notifications import deliver

    record_checkin(
        patient, patient.local_date(), answers(safety_chest_pain_breathless="yes"), by=None
    )
    pk = Notification.objects.first().pk
    results = [deliver(pk), deliver(pk)]
    assert results == ["sent", "skipped"]
    assert len(mail.outbox) == 1


def test_gives_up_after_five_attempts(patient):
    from tracker.messaging.notifications import deliver

    record_checkin(
        patient, patient.local_date(), answers(safety_chest_pain_breathless="yes"), by=None
    )
    pk = Notification.objects.first().pk
    with mock.patch("tracker.messaging.emails.send_mail", side_effect=OSError("no")):
        for minutes in range(0, 200, 40):
            with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
                deliver(pk)
    assert Notification.objects.get(pk=pk).status == "gave_up"


# Evidence of an open flag is capped -----------------------------------------------------------


def items(*days):
    return [{"date": f"2026-01-{n:02d}", "value": n} for n in days]


def test_merge_keeps_the_newest_items_and_counts_the_older_ones():
    merged = engine.merge_evidence(items(1, 2, 3), items(4, 5), limit=3)
    assert merged == [
        {"omitted_items": 2, "omitted_from": "2026-01-01", "omitted_until": "2026-01-02"},
        *items(3, 4, 5),
    ]
    # The rule repeats its window: nothing new, nothing changes (no count creeping up).
    assert engine.merge_evidence(merged, items(1, 2, 3, 4, 5), limit=3) == merged
    older_than_kept = [{"date": "2026-01-02", "value": 99}]
    assert engine.merge_evidence(merged, older_than_kept, limit=3) == merged
    again = engine.merge_evidence(merged, items(3, 4, 5, 6), limit=3)
    assert again == [
        {"omitted_items": 3, "omitted_from": "2026-01-01", "omitted_until": "2026-01-03"},
        *items(4, 5, 6),
    ]
    assert engine.merge_evidence(items(1, 2), items(3), limit=3) == items(1, 2, 3)  # at the cap


def test_a_flag_fired_every_night_keeps_a_bounded_evidence(patient, settings):
    settings.FLAG_EVIDENCE_KEPT = 3
    first = patient.local_date() - timedelta(days=9)
    record_checkin(patient, first, answers(), by=None)
    for n in range(4, 10):  # P12 each night, with one more missed day each time
        engine.evaluate_patient(patient, first + timedelta(days=n), include_time_rules=True)
    flag = Flag.objects.get(patient=patient, rule_id="P12-SILENCE")
    assert len(flag.evidence) == 4  # the count and the 3 newest
    assert flag.evidence[0]["omitted_items"] >= 1
    assert [e["missed_days"] for e in flag.evidence[1:]] == [6, 7, 8]
    assert flag.last_evidence_day == first  # P12 dates its evidence by the last check-in


def test_questions_from_the_patient_are_never_dropped(patient, settings):
    from tracker.care.questions import ask

    settings.FLAG_EVIDENCE_KEPT = 2
    for text in ("Can I drive?", "Can I swim?", "Can I lift my grandson?"):
        flag = ask(patient, text)
    assert [e["question"] for e in flag.evidence] == [
        "Can I drive?",
        "Can I swim?",
        "Can I lift my grandson?",
    ]
