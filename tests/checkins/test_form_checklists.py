"""The check-in's checklists (issue 17): the safety card, painkillers, walking, sleep and
exercises as taps, posted as a plain form."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.checkin_data import checkin_post
from tests.programme_data import prescribe
from tracker.checkins.forms import FOLLOW_UP_SIGNS, SAFETY_CARD, CheckInForm
from tracker.checkins.recording import record_checkin
from tracker.models import CheckIn, Flag, FlagStatus, Notification, Role
from tracker.timeline.vocabulary import SAFETY_ANSWER_CODES

NO_SAFETY = {f"safety_{code}": None for code in SAFETY_ANSWER_CODES}
SAVED = "Thank you, your answers are saved"
REQUIRED = "Tick “None of these”, or each warning sign you have had"
CONFLICT = "You ticked “None of these” and a warning sign."


def card_post(**overrides) -> dict:
    """A check-in as the new form posts it: no safety answer unless ticked."""
    return checkin_post(**{**NO_SAFETY, **overrides})


def card_html(html: str) -> str:
    start = html.index('id="field-safety_none"')
    return html[start : html.index("</section>", start)]


@pytest.mark.django_db
def test_every_warning_sign_is_on_the_card_once():
    on_card = [code for _title, signs in SAFETY_CARD for code, _label in signs]
    assert sorted(on_card + list(FOLLOW_UP_SIGNS)) == sorted(SAFETY_ANSWER_CODES)
    assert [title for title, _signs in SAFETY_CARD] == [
        "Bladder, bowel and saddle",
        "Legs",
        "Wound",
        "Chest and calf",
        "Fever and headache",
        "Falls",
    ]


@pytest.mark.django_db
def test_none_of_these_records_an_explicit_no_for_every_sign(patient_client, patient):
    response = patient_client.post("/me/check-in/", card_post(safety_none="on"))
    assert SAVED in response.content.decode()
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.safety == dict.fromkeys(SAFETY_ANSWER_CODES, False)


@pytest.mark.django_db
def test_the_card_cannot_be_skipped(patient_client, patient):
    response = patient_client.post("/me/check-in/", card_post())
    html = response.content.decode()
    assert response.status_code == 200
    assert REQUIRED in card_html(html)
    assert "Nothing was saved yet" in html
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_one_sign_is_a_yes_and_every_other_sign_a_no(patient_client, patient):
    patient_client.post("/me/check-in/", card_post(safety_fall="yes"))
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.safety == {**dict.fromkeys(SAFETY_ANSWER_CODES, False), "fall": True}
    assert Flag.objects.get(patient=patient).rule_id == "RF-FALL"


@pytest.mark.django_db
def test_none_of_these_with_a_sign_is_refused_beside_the_card(patient_client, patient):
    response = patient_client.post("/me/check-in/", card_post(safety_none="on", safety_fall="yes"))
    html = response.content.decode()
    assert CONFLICT in card_html(html)
    assert SAVED not in html
    assert not CheckIn.objects.exists()
    assert not Flag.objects.exists()


@pytest.mark.django_db
def test_an_emergency_sign_ticked_with_none_of_these_still_gets_its_screen(patient_client, patient):
    response = patient_client.post(
        "/me/check-in/", card_post(safety_none="on", safety_bladder_change="yes")
    )
    html = response.content.decode()
    main = html[html.index('id="main"') :]
    assert main.index('role="alert"') < main.index("Call for help now")
    assert SAVED not in html and "is not saved yet" in html
    # The contradiction is shown in the form under the screen, beside the card.
    assert CONFLICT in card_html(html)
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.safety["bladder_change"] is True
    # The unticked signs are not taken for "no": the card's answer was contradictory.
    assert "fall" not in checkin.safety
    flag = Flag.objects.get(patient=patient, rule_id="RF-CES-BLADDER", status=FlagStatus.OPEN)
    assert Notification.objects.filter(flag=flag, kind="immediate").exists()


@pytest.mark.django_db
def test_nothing_on_a_new_form_is_ticked(patient_client):
    html = patient_client.get("/me/check-in/").content.decode()
    form = html[html.index('id="checkin-form"') : html.index("</form>")]
    assert " checked" not in form


@pytest.mark.django_db
def test_the_bleeding_follow_up_decides_urgent_or_emergency(patient_client, patient):
    urgent = patient_client.post(
        "/me/check-in/",
        card_post(safety_wound_bleeding="yes", safety_bleeding_not_stopping="no"),
    )
    assert "Call your surgical team today" in urgent.content.decode()
    assert CheckIn.objects.get(patient=patient).safety["bleeding_not_stopping"] is False

    emergency = patient_client.post(
        "/me/check-in/",
        card_post(safety_wound_bleeding="yes", safety_bleeding_not_stopping="yes"),
    )
    assert "Call for help now" in emergency.content.decode()
    assert Flag.objects.get(patient=patient, rule_id="RF-WOUND-BLEED").level == "emergency"


@pytest.mark.django_db
def test_a_soaked_dressing_without_its_follow_up_is_kept_and_the_follow_up_asked(
    patient_client, patient
):
    response = patient_client.post("/me/check-in/", card_post(safety_wound_bleeding="yes"))
    html = response.content.decode()
    assert "Call your surgical team today" in html
    assert "Tell us whether the bleeding stops when you press firmly" in html
    assert CheckIn.objects.get(patient=patient).safety["wound_bleeding"] is True


def painkiller_post(**ticked) -> dict:
    unanswered = dict.fromkeys(
        ("opioid_doses", "took_other_painkillers", "took_nerve_pain_medicine")
    )
    return card_post(**{"safety_none": "on", **unanswered, **ticked})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ticked", "stored"),
    [
        ({"painkillers_none": "on"}, (0, False, False)),
        ({"took_other_painkillers": "yes"}, (0, True, False)),
        ({"took_opioid": "on", "opioid_doses": "2"}, (2, False, False)),
        (
            {"took_opioid": "on", "opioid_exact": "9", "took_nerve_pain_medicine": "yes"},
            (9, False, True),
        ),
        ({}, (None, None, None)),
    ],
)
def test_painkillers_as_a_checklist(patient_client, patient, ticked, stored):
    response = patient_client.post("/me/check-in/", painkiller_post(**ticked))
    assert SAVED in response.content.decode()
    checkin = CheckIn.objects.get(patient=patient)
    assert (
        checkin.opioid_doses,
        checkin.took_other_painkillers,
        checkin.took_nerve_pain_medicine,
    ) == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ticked", "message"),
    [
        ({"took_opioid": "on"}, "Tell us how many doses of opioid you took today."),
        (
            {"painkillers_none": "on", "took_other_painkillers": "yes"},
            "You ticked “None today” and a painkiller.",
        ),
    ],
)
def test_painkiller_answers_that_do_not_fit_are_refused(patient_client, ticked, message):
    response = patient_client.post("/me/check-in/", painkiller_post(**ticked))
    assert message in response.content.decode()
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("posted", "stored"),
    [
        # "Other" and "0-10" post an empty tap: the exact number is the answer.
        (
            {
                "walking_minutes": "",
                "walking_exact": "25",
                "sleep_disturbance": "",
                "sleep_exact": "3",
            },
            (25, 3),
        ),
        # Another tap hides the exact number (kept from before): what shows wins.
        (
            {
                "walking_minutes": "20",
                "walking_exact": "25",
                "sleep_disturbance": "5",
                "sleep_exact": "3",
            },
            (20, 5),
        ),
    ],
)
def test_the_exact_number_counts_behind_other(patient_client, patient, posted, stored):
    patient_client.post("/me/check-in/", card_post(safety_none="on", **posted))
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.walking_minutes, checkin.sleep_disturbance) == stored


@pytest.mark.django_db
def test_typed_opioid_doses_win_over_a_tap_beside_them(patient_client, patient):
    patient_client.post(
        "/me/check-in/",
        painkiller_post(took_opioid="on", opioid_doses="2", opioid_exact="9"),
    )
    assert CheckIn.objects.get(patient=patient).opioid_doses == 9


@pytest.mark.django_db
def test_a_typed_walk_out_of_range_is_refused_beside_it(patient_client):
    response = patient_client.post(
        "/me/check-in/", card_post(safety_none="on", walking_minutes="", walking_exact="900")
    )
    html = response.content.decode()
    assert 'id="error-walking_exact"' in html and "Enter minutes from 0 to 600." in html
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_walking_same_as_yesterday_offers_yesterdays_minutes(patient_client, patient):
    yesterday = patient.local_date().fromordinal(patient.local_date().toordinal() - 1)
    record_checkin(
        patient,
        yesterday,
        {"back_pain": 2, "leg_pain": 0, "walking_minutes": 35, "safety": {}, "symptoms": {}},
        by=patient.user,
    )
    html = patient_client.get("/me/check-in/").content.decode()
    assert 'value="35"><span>Same as yesterday: 35</span>' in html


@pytest.mark.django_db
def test_all_exercises_done_in_one_tap_unless_one_says_otherwise(patient_client, patient):
    physio = patient.care_team.get(role=Role.PHYSIO)
    tilts = prescribe(patient, physio, "pelvic-tilts", sessions_per_day=2)
    slides = prescribe(patient, physio, "heel-slides")
    patient_client.post(
        "/me/check-in/",
        card_post(
            safety_none="on", exercises_all_done="on", **{f"ex_{slides.public_id}_done": "0"}
        ),
    )
    logs = {log.item_id: log.sessions_done for log in CheckIn.objects.get().exercise_logs.all()}
    assert logs == {tilts.pk: 2, slides.pk: 0}


@pytest.mark.django_db
def test_editing_a_day_shows_the_card_as_answered(patient_client, patient):
    patient_client.post("/me/check-in/", painkiller_post(painkillers_none="on"))
    html = patient_client.get("/me/check-in/").content.decode()
    assert 'name="safety_none" id="id_safety_none" value="on" checked' in html
    assert 'name="painkillers_none" id="id_painkillers_none" checked' in html


def test_the_diary_import_still_takes_each_question_as_yes_or_no():
    """Without the web form's card (require_core=False) nothing is asked of it."""
    form = CheckInForm({"back_pain": "2", "leg_pain": "0"}, require_core=False)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["answers"]["safety"] == {}


class FormFields(HTMLParser):
    """What a browser would post for the check-in form as the page draws it."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.inside = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "checkin-form":
            self.inside = True
        if not self.inside or "name" not in attrs:
            return
        if tag == "input":
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return
            value = attrs.get("value", "on")  # a checkbox without a value posts "on"
            self.data.setdefault(attrs["name"], []).append(value or "")
        if tag == "textarea":
            self.textarea = attrs["name"]

    def handle_data(self, data):
        if self.textarea:
            self.data.setdefault(self.textarea, []).append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "textarea" and self.textarea:
            self.data.setdefault(self.textarea, [""])
            self.textarea = None


def posted_as_drawn(html: str) -> dict:
    parser = FormFields()
    parser.feed(html)
    return {name: values[0] if len(values) == 1 else values for name, values in parser.data.items()}


@pytest.mark.django_db
def test_a_saved_day_with_exact_numbers_saves_again_unchanged(patient_client, patient):
    patient_client.post(
        "/me/check-in/",
        painkiller_post(
            walking_minutes="25", sleep_disturbance="3", took_opioid="on", opioid_exact="8"
        ),
    )
    saved = CheckIn.objects.get(patient=patient)
    assert (saved.walking_minutes, saved.sleep_disturbance, saved.opioid_doses) == (25, 3, 8)

    data = posted_as_drawn(patient_client.get("/me/check-in/").content.decode())
    assert data["walking_exact"] == "25" and data["opioid_exact"] == "8"
    assert data["sleep_exact"] == "3" and data["took_opioid"] == "on"
    response = patient_client.post("/me/check-in/", data)
    assert SAVED in response.content.decode()
    saved.refresh_from_db()
    assert (saved.walking_minutes, saved.sleep_disturbance, saved.opioid_doses) == (25, 3, 8)
    assert saved.safety == dict.fromkeys(SAFETY_ANSWER_CODES, False)
    assert saved.revisions.count() == 2


@pytest.mark.django_db
def test_a_side_left_under_an_unticked_sign_goes_with_it(patient_client, patient):
    """Without JavaScript a chosen radio button cannot be cleared: unticking new numbness
    after choosing its side must not block the check-in."""
    response = patient_client.post(
        "/me/check-in/", card_post(safety_none="on", new_numbness_side="left")
    )
    assert SAVED in response.content.decode()
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.safety["new_numbness"], checkin.new_numbness_side) == (False, "")
