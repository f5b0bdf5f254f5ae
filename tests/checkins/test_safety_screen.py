from tests.checkin_data import checkin_post
from tracker.models import CheckIn


def test_emergency_answer_shows_the_emergency_screen_first(patient_client, patient):
    response = patient_client.post("/me/check-in/", checkin_post(safety_bladder_change="yes"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a class="button call-now" href="tel:999">' in html
    assert "Do not drive yourself" in html
    assert html.index("Call for help now") < html.index("What we noticed")
    assert "saved" not in html[: html.index("Call for help now")].lower()
    # The answer is stored all the same.
    assert CheckIn.objects.get(patient=patient).safety["bladder_change"] is True


def test_emergency_screen_with_htmx_replaces_the_page_content(patient_client):
    response = patient_client.post(
        "/me/check-in/", checkin_post(safety_saddle_numbness="yes"), headers={"HX-Request": "true"}
    )
    assert response["HX-Retarget"] == "#main"
    assert "tel:999" in response.content.decode()


def test_urgent_answer_shows_surgical_team_and_out_of_hours_numbers(patient_client):
    html = patient_client.post(
        "/me/check-in/", checkin_post(safety_calf_pain_swelling="yes")
    ).content.decode()
    assert "Call your surgical team today" in html
    assert 'href="tel:02079460000"' in html
    assert 'href="tel:02079460999"' in html
    assert "Call for help now" not in html


def test_plain_day_shows_no_alarm(patient_client):
    html = patient_client.post("/me/check-in/", checkin_post()).content.decode()
    assert "your answers are saved" in html
    assert "Call for help now" not in html and "Call your surgical team today" not in html


def test_emergency_outranks_urgent(patient_client):
    html = patient_client.post(
        "/me/check-in/",
        checkin_post(safety_calf_pain_swelling="yes", safety_chest_pain_breathless="yes"),
    ).content.decode()
    assert "Call for help now" in html


def test_fever_with_temperature_is_urgent(patient_client):
    html = patient_client.post(
        "/me/check-in/", checkin_post(safety_feverish="yes", temperature_c="38.4")
    ).content.decode()
    assert "Call your surgical team today" in html
