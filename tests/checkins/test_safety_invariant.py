"""The promise: an emergency or urgent answer is never lost, hidden or silenced (§0.1, §3).

On every entry path (the web form plain and with htmx, the 7-day edit, the offline queue, the
diary import, the PHQ-9), an act-now answer combined with any mix of other wrong or missing
answers gives the safety screen as the response itself and first on the page, stores the
answer, opens (or re-opens) the flag with its immediate e-mail queued, and calls nothing
saved that was not.
"""

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.checkin_data import checkin_post
from tracker.checkins.recording import TIME_NOT_KNOWN, record_checkin
from tracker.models import (
    CheckIn,
    Flag,
    FlagStatus,
    Notification,
    QuestionnaireResponse,
    Source,
)

# (answer code, rule it raises, title of the screen the patient must see)
ACT_NOW = [
    ("bladder_change", "RF-CES-BLADDER", "Call for help now"),
    ("saddle_numbness", "RF-CES-SADDLE", "Call for help now"),
    ("chest_pain_breathless", "RF-CHEST", "Call for help now"),
    ("calf_pain_swelling", "RF-CALF", "Call your surgical team today"),
    # RF-NUMB-NEW: new numbness on both sides is an emergency.
    ("new_numbness", "RF-NUMB-NEW", "Call for help now"),
    # RF-FEVER: a second reading >= 37.8 °C the same day (the first is saved beforehand).
    ("feverish", "RF-FEVER", "Call your surgical team today"),
]
# What the answer brings with it, beyond "yes".
WITH_ANSWER = {
    "new_numbness": {"new_numbness_side": "both"},
    "feverish": {"temperature_c": "37.8"},
}
# Saved earlier the same day, before the submission (time not known).
EARLIER = {"feverish": {"safety": {"feverish": True}, "temperature_c": Decimal("37.9")}}
# Ways the rest of a check-in can be wrong or missing.
DEFECTS = {
    "back pain left empty": {"back_pain": None},
    "leg pain left empty": {"leg_pain": None},
    "back pain out of range": {"back_pain": "99"},
    "walking 9999 minutes": {"walking_minutes": "9999"},
    # Feeling feverish said "no" explicitly: with "a temperature out of range" (which says
    # "yes") the two would otherwise combine into a valid answer.
    "a temperature without feeling feverish": {"safety_feverish": "no", "temperature_c": "39.0"},
    "opioid doses not a number": {"opioid_doses": "lots"},
    "leg pain without a side": {"leg_pain": "6", "leg_side": ""},
    "a note far too long": {"note": "x" * 2500},
    "a temperature out of range": {"safety_feverish": "yes", "temperature_c": "45.0"},
    "a reading time that is not a time": {
        "safety_feverish": "yes",
        "temperature_c": "37.5",
        "temperature_time": "after lunch",
    },
    "a numbness side without numbness": {"safety_new_numbness": "no", "new_numbness_side": "left"},
}
SAVED_WORDS = "Thank you, your answers are saved"

hypothesis_settings = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The new follow-up answers are always tried, with defects in their own neighbourhood.
NUMBNESS_BOTH, FEVER_TWICE = ACT_NOW[4], ACT_NOW[5]
FOLLOW_UP_CASES = [
    (NUMBNESS_BOTH, {"a reading time that is not a time", "back pain left empty"}),
    (FEVER_TWICE, {"a numbness side without numbness", "walking 9999 minutes"}),
    (FEVER_TWICE, set()),
]
answer_and_defects = st.tuples(
    st.sampled_from(ACT_NOW), st.sets(st.sampled_from(sorted(DEFECTS)), max_size=4)
)


def answer_fields(code: str) -> dict:
    return {f"safety_{code}": "yes", **WITH_ANSWER.get(code, {})}


def real_defects(code: str, defects) -> list[str]:
    """The defects that do not touch the act-now answer's own fields (those win)."""
    own = set(answer_fields(code))
    return [name for name in sorted(defects) if not own & set(DEFECTS[name])]


def post_data(code: str, defects) -> dict:
    overrides = {"submission_id": str(uuid.uuid4())}
    for name in real_defects(code, defects):
        overrides.update(DEFECTS[name])
    overrides.update(answer_fields(code))
    return checkin_post(**overrides)


def save_earlier(patient, day, code):
    if code in EARLIER:
        answers = {**EARLIER[code], "temperature_time": TIME_NOT_KNOWN}
        record_checkin(patient, day, answers, by=None, source=Source.FORM)


def assert_promise_kept(html: str, patient, day, code, rule_id, title, defects):
    # (a) the screen is the response itself, and nothing comes before it
    assert title in html
    # a full page starts at <main>; an htmx or offline answer is the screen alone
    main = html[html.index('id="main"') :] if 'id="main"' in html else html
    first = main.index('role="alert"')
    assert first < main.index(title)
    assert "message" not in main[:first] and "error-summary" not in main[:first]
    # (b) the answer is stored, with what it brought
    checkin = CheckIn.objects.get(patient=patient, day=day)
    assert checkin.safety.get(code) is True
    if code == "new_numbness":
        assert checkin.new_numbness_side == "both"
    if code == "feverish":
        assert sorted(r["temperature_c"] for r in checkin.temperature_readings) == ["37.8", "37.9"]
    # (c) an open flag and its immediate e-mail
    flag = Flag.objects.get(patient=patient, rule_id=rule_id, status=FlagStatus.OPEN)
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()
    # (d) nothing called saved that was not
    if real_defects(code, defects):
        assert SAVED_WORDS not in html
        assert "is not saved yet" in html
        assert "Your check-in is saved" not in html


def reset(patient):
    Notification.objects.filter(flag__patient=patient).delete()
    Flag.objects.filter(patient=patient).delete()
    CheckIn.objects.filter(patient=patient).delete()


@pytest.mark.django_db
@hypothesis_settings
@given(case=answer_and_defects, htmx=st.booleans())
@example(case=FOLLOW_UP_CASES[0], htmx=True)
@example(case=FOLLOW_UP_CASES[1], htmx=False)
@example(case=FOLLOW_UP_CASES[2], htmx=True)
def test_web_form_keeps_the_promise_whatever_else_is_wrong(patient_client, patient, case, htmx):
    reset(patient)
    (code, rule_id, title), defects = case
    save_earlier(patient, patient.local_date(), code)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = patient_client.post("/me/check-in/", post_data(code, defects), **headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert_promise_kept(html, patient, patient.local_date(), code, rule_id, title, defects)


@pytest.mark.django_db
@hypothesis_settings
@given(case=answer_and_defects)
@example(case=FOLLOW_UP_CASES[0])
@example(case=FOLLOW_UP_CASES[1])
def test_seven_day_edit_keeps_the_promise(patient_client, patient, case):
    reset(patient)
    (code, rule_id, title), defects = case
    day = patient.local_date() - timedelta(days=3)
    save_earlier(patient, day, code)
    response = patient_client.post(f"/me/check-in/{day.isoformat()}/", post_data(code, defects))
    assert response.status_code == 200
    assert_promise_kept(response.content.decode(), patient, day, code, rule_id, title, defects)


@pytest.mark.django_db
@hypothesis_settings
@given(case=answer_and_defects)
@example(case=FOLLOW_UP_CASES[0])
@example(case=FOLLOW_UP_CASES[1])
@example(case=FOLLOW_UP_CASES[2])
def test_offline_queue_keeps_the_promise(patient_client, patient, case):
    reset(patient)
    (code, rule_id, title), defects = case
    save_earlier(patient, patient.local_date(), code)
    data = post_data(code, defects)
    data.pop("submission_id")
    body = {
        "client_id": str(uuid.uuid4()),
        "day": patient.local_date().isoformat(),
        "owner": str(patient.public_id),
        "fields": {name: [value] for name, value in data.items()},
        "changed_at": {},
    }
    response = patient_client.post(
        "/me/check-in/offline/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200
    result = response.json()
    assert result["status"] == ("safety_saved" if real_defects(code, defects) else "saved")
    html = result["screen_html"]
    assert html.lstrip().startswith('<section class="alarm')
    assert_promise_kept(html, patient, patient.local_date(), code, rule_id, title, defects)


def test_a_correct_form_after_the_safety_screen_is_saved_not_taken_for_a_repeat(
    patient_client, patient
):
    first = patient_client.post(
        "/me/check-in/", post_data("bladder_change", {"back pain left empty"})
    )
    html = first.content.decode()
    new_id = html.split('name="submission_id" value="')[1].split('"')[0]
    fixed = checkin_post(safety_bladder_change="yes", back_pain="6", submission_id=new_id)
    patient_client.post("/me/check-in/", fixed)
    assert CheckIn.objects.get(patient=patient).back_pain == 6


def test_diary_import_of_a_recent_emergency_emails_the_care_team(patient, tmp_path, capsys):
    day = patient.local_date() - timedelta(days=1)
    diary = tmp_path / "diary.csv"
    diary.write_text(f"date,back_pain,leg_pain,leg_side,answers\n{day},4,0,none,bladder_change\n")
    call_command("import_checkins", str(diary), patient=patient.user.email)
    flag = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER")
    assert not flag.raised_quietly
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()
    assert capsys.readouterr().out.index("EMERGENCY") == 0


def test_diary_import_keeps_a_recent_emergency_from_an_otherwise_bad_file(
    patient, tmp_path, capsys
):
    day = patient.local_date()
    diary = tmp_path / "diary.csv"
    diary.write_text(f"date,back_pain,leg_pain,leg_side,answers\n{day},99,0,none,bladder_change\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_checkins", str(diary), patient=patient.user.email)
    assert CheckIn.objects.get(patient=patient, day=day).safety["bladder_change"] is True
    assert CheckIn.objects.get(patient=patient, day=day).back_pain is None
    flag = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER", status=FlagStatus.OPEN)
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()
    assert "EMERGENCY" in capsys.readouterr().out


def test_an_old_diary_row_still_raises_its_flag_quietly(patient, tmp_path):
    day = patient.local_date() - timedelta(days=30)
    diary = tmp_path / "diary.csv"
    diary.write_text(f"date,back_pain,leg_pain,leg_side,answers\n{day},4,0,none,bladder_change\n")
    call_command("import_checkins", str(diary), patient=patient.user.email)
    assert Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER").raised_quietly


def test_an_incomplete_phq9_with_item_9_shows_the_crisis_numbers_and_flags(patient_client, patient):
    response = patient_client.post("/me/questionnaires/phq9/", {"phq-q9": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Call your surgical team today" in html
    assert patient.clinic.crisis_line in html
    assert "Nothing was saved yet" not in html
    assert "is saved and your care team will see it" in html
    assert QuestionnaireResponse.objects.get(patient=patient, instrument="phq9-partial")
    assert not QuestionnaireResponse.objects.filter(patient=patient, instrument="phq9").exists()
    flag = Flag.objects.get(patient=patient, rule_id="RF-PHQ9-ITEM9", status=FlagStatus.OPEN)
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()


def test_an_incomplete_phq9_without_item_9_saves_nothing(patient_client, patient):
    response = patient_client.post("/me/questionnaires/phq9/", {"phq-q1": "2"})
    assert "Nothing was saved yet" in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_an_emergency_after_a_resolved_flag_opens_a_new_flag_and_emails_again(
    patient_client, patient, surgeon
):
    patient_client.post("/me/check-in/", checkin_post(safety_bladder_change="yes"))
    first = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER")
    first.resolve(surgeon, "Seen in the emergency department, scan normal.")
    patient_client.post("/me/check-in/", checkin_post(safety_bladder_change="yes", back_pain="5"))
    again = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER", status=FlagStatus.OPEN)
    assert again.pk != first.pk
    assert Notification.objects.filter(flag=again, kind="immediate").exists()


def test_nothing_is_kept_of_an_invalid_form_without_an_act_now_answer(patient_client, patient):
    response = patient_client.post("/me/check-in/", checkin_post(back_pain=None, safety_fall="yes"))
    assert "Nothing was saved yet" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_positive_phq2_offers_the_phq9_without_a_care_team_flag(patient_client, patient):
    response = patient_client.post("/me/questionnaires/phq2/", {"phq-q1": "2", "phq-q2": "2"})
    assert response.status_code == 200
    assert "PHQ-9" in response.content.decode()
    assert not Flag.objects.filter(patient=patient, rule_id="P8-DEPRESSION").exists()


def test_a_submission_id_from_another_patient_neither_shows_nor_swallows_theirs(
    client, patient, other_patient
):
    used = uuid.uuid4()
    client.force_login(other_patient.user)
    client.post("/me/check-in/", checkin_post(back_pain="2", submission_id=str(used)))
    client.force_login(patient.user)
    response = client.post(
        "/me/check-in/", checkin_post(back_pain="7", safety_fall="yes", submission_id=str(used))
    )
    assert response.status_code == 200
    assert CheckIn.objects.get(patient=patient).back_pain == 7
    assert CheckIn.objects.get(patient=other_patient).back_pain == 2
    assert other_patient.user.full_name not in response.content.decode()


@pytest.mark.parametrize(
    "header, other_row",
    [
        # another row is wrong: the emergency row itself is valid
        ("date,back_pain,leg_pain,leg_side,answers", "{old},99,0,none,"),
        # the file has a column the import does not know
        ("date,back_pain,leg_pain,leg_side,answers,mood", "{old},3,0,none,,fine"),
    ],
)
def test_a_refused_diary_still_delivers_a_recent_emergency_row(
    patient, tmp_path, capsys, header, other_row
):
    today = patient.local_date()
    old = today - timedelta(days=20)
    extra = ",x" if header.endswith("mood") else ""
    lines = [header, other_row.format(old=old), f"{today},4,0,none,bladder_change{extra}"]
    diary = tmp_path / "diary.csv"
    diary.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_checkins", str(diary), patient=patient.user.email)
    assert CheckIn.objects.get(patient=patient, day=today).safety["bladder_change"] is True
    assert not CheckIn.objects.filter(patient=patient, day=old).exists()
    flag = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER", status=FlagStatus.OPEN)
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()
    assert capsys.readouterr().out.startswith("EMERGENCY")
