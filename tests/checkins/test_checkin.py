import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.checkin_data import checkin_post
from tracker.models import CheckIn, CheckInRevision


def test_checkin_page_shows_every_question(patient_client):
    html = patient_client.get("/me/check-in/").content.decode()
    assert "Back pain in the last 24 hours" in html
    assert "0 = No pain" in html and "10 = Worst imaginable" in html
    assert "New trouble starting, stopping or feeling urine" in html
    assert "Pain at the wound" in html
    assert 'name="submission_id"' in html


def test_submitting_saves_todays_checkin(patient_client, patient):
    response = patient_client.post(
        "/me/check-in/",
        checkin_post(
            symptom_numbness_tingling="on",
            symptom_numbness_tingling_side="left",
            note="Walked to the shop.",
        ),
    )
    assert response.status_code == 200
    assert "your answers are saved" in response.content.decode()
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.day == patient.local_date()
    assert (checkin.back_pain, checkin.leg_pain, checkin.leg_side) == (3, 2, "left")
    assert checkin.symptoms == {"numbness_tingling": "left"}
    assert checkin.safety["bladder_change"] is False
    assert checkin.took_other_painkillers is True and checkin.took_nerve_pain_medicine is False
    assert checkin.note == "Walked to the shop."


def test_second_submission_same_day_updates_and_keeps_history(patient_client, patient):
    patient_client.post("/me/check-in/", checkin_post(back_pain="3"))
    patient_client.post("/me/check-in/", checkin_post(back_pain="6"))
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.back_pain == 6
    revisions = list(checkin.revisions.order_by("changed_at", "id"))
    assert len(revisions) == 2
    assert revisions[0].before == {} and revisions[0].after["back_pain"] == 3
    assert revisions[1].before["back_pain"] == 3 and revisions[1].after["back_pain"] == 6
    assert revisions[1].changed_by == patient.user


def test_double_submit_with_same_submission_id_is_applied_once(patient_client, patient):
    data = checkin_post(back_pain="4", submission_id=str(uuid.uuid4()))
    first = patient_client.post("/me/check-in/", data)
    second = patient_client.post("/me/check-in/", data)
    assert first.status_code == second.status_code == 200
    assert CheckIn.objects.filter(patient=patient).count() == 1
    assert CheckInRevision.objects.count() == 1


def test_stale_tab_does_not_create_a_second_checkin_and_loses_nothing(patient_client, patient):
    patient_client.post(
        "/me/check-in/", checkin_post(back_pain="4", submission_id=str(uuid.uuid4()))
    )
    patient_client.post(
        "/me/check-in/", checkin_post(back_pain="5", submission_id=str(uuid.uuid4()))
    )
    assert CheckIn.objects.filter(patient=patient).count() == 1
    history = [r.after["back_pain"] for r in CheckInRevision.objects.order_by("id")]
    assert history == [4, 5]


def test_one_checkin_per_patient_day_is_a_database_constraint(patient):
    from django.db import IntegrityError, transaction

    day = patient.local_date()
    CheckIn.objects.create(patient=patient, day=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(patient=patient, day=day)


def test_out_of_range_values_are_refused_by_the_database(patient):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(patient=patient, day=patient.local_date(), back_pain=11)


def test_day_is_the_patients_local_day(client, clinic, surgeon):
    from tests.conftest import make_patient

    auckland = make_patient("nz@clinic.test", clinic, time_zone="Pacific/Auckland", team=(surgeon,))
    client.force_login(auckland.user)
    # 20:00 UTC on 1 March is already 2 March in Auckland (UTC+13 in summer).
    with time_machine.travel("2026-03-01 20:00Z", tick=False):
        client.post("/me/check-in/", checkin_post())
    assert CheckIn.objects.get(patient=auckland).day.isoformat() == "2026-03-02"


def test_earlier_day_within_window_can_be_edited(patient_client, patient):
    day = patient.local_date() - timedelta(days=7)
    response = patient_client.post(
        f"/me/check-in/{day}/", checkin_post(back_pain="8", leg_pain="0", leg_side="none")
    )
    assert response.status_code == 200
    assert CheckIn.objects.get(patient=patient).day == day


@pytest.mark.parametrize("days", [8, -1])
def test_days_outside_the_window_and_future_days_are_404(patient_client, patient, days):
    day = patient.local_date() - timedelta(days=days)
    assert patient_client.get(f"/me/check-in/{day}/").status_code == 404
    assert patient_client.post(f"/me/check-in/{day}/", checkin_post()).status_code == 404
    assert not CheckIn.objects.exists()


def test_impossible_date_in_url_is_404(patient_client):
    assert patient_client.get("/me/check-in/2026-02-30/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"back_pain": "11"}, "back_pain", "Choose a number from 0 to 10."),
        ({"back_pain": None}, "back_pain", "Choose a number from 0 to 10."),
        (
            {"safety_feverish": "yes", "temperature_c": "60"},
            "temperature_c",
            "between 34.0 and 43.0",
        ),
        ({"temperature_c": "38.2"}, "temperature_c", "feeling feverish"),
        ({"walking_minutes": "-5"}, "walking_minutes", "from 0 to 600"),
        ({"opioid_doses": "lots"}, "opioid_doses", "whole number"),
        ({"leg_pain": "5", "leg_side": "none"}, "leg_side", "which leg hurts"),
        ({"symptom_radiating_pain": "on"}, "symptom_radiating_pain_side", "left, right or both"),
        ({"note": "x" * 2001}, "note", "under 2000 characters"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_saves_nothing(
    patient_client, overrides, field, message
):
    response = patient_client.post("/me/check-in/", checkin_post(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved yet" in html
    start = html.index(f'id="field-{field}"')
    assert message in html[start : start + 3000]
    assert not CheckIn.objects.exists()


def test_ten_megabyte_note_is_refused_without_error(patient_client):
    response = patient_client.post("/me/check-in/", checkin_post(note="x" * 10_000_000))
    assert response.status_code in (200, 400)
    assert not CheckIn.objects.exists()


def test_unknown_symptom_code_is_ignored_not_stored(patient_client, patient):
    patient_client.post("/me/check-in/", checkin_post(symptom_made_up="on"))
    assert CheckIn.objects.get(patient=patient).symptoms == {}


def test_edit_shows_saved_answers(patient_client):
    patient_client.post("/me/check-in/", checkin_post(back_pain="7", note="Sore today"))
    html = patient_client.get("/me/check-in/").content.decode()
    assert 'value="7" checked' in html
    assert "Sore today" in html
    assert "You checked in already" in html


def test_htmx_submission_swaps_in_the_confirmation(patient_client):
    response = patient_client.post("/me/check-in/", checkin_post(), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "your answers are saved" in html
    assert "<html" not in html
    assert response["HX-Retarget"] == "#main"


def test_htmx_invalid_submission_returns_just_the_form(patient_client):
    response = patient_client.post(
        "/me/check-in/", checkin_post(back_pain="11"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert "Choose a number from 0 to 10." in html


def test_field_validation_endpoint_reports_one_fields_error(patient_client):
    response = patient_client.post(
        "/me/check-in/validate/",
        {"field": "walking_minutes", "walking_minutes": "900"},
        headers={"HX-Request": "true"},
    )
    assert "from 0 to 600" in response.content.decode()
    ok = patient_client.post(
        "/me/check-in/validate/", {"field": "walking_minutes", "walking_minutes": "30"}
    )
    assert ok.content.decode() == '<div id="error-walking_minutes" aria-live="polite"></div>'


def test_home_says_when_not_checked_in(patient_client):
    assert "You have not checked in today" in patient_client.get("/me/").content.decode()
    patient_client.post("/me/check-in/", checkin_post())
    assert "You have checked in today" in patient_client.get("/me/").content.decode()


def test_checkin_page_works_with_no_javascript_markup_dependency(patient_client):
    """The form posts to itself with a plain submit button; htmx is only an enhancement."""
    html = patient_client.get("/me/check-in/").content.decode()
    assert '<form method="post" id="checkin-form"' in html
    assert '<button type="submit"' in html


def test_submission_is_timestamped(patient_client, patient):
    before = timezone.now()
    patient_client.post("/me/check-in/", checkin_post())
    assert CheckIn.objects.get(patient=patient).updated_at >= before
