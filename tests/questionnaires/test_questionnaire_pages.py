from tracker.models import QuestionnaireResponse


def phq9(item9=0, rest=1):
    return {**{f"phq-q{n}": str(rest) for n in range(1, 9)}, "phq-q9": str(item9)}


def test_peg_page_shows_standard_wording_and_saves_score(patient_client, patient):
    html = patient_client.get("/me/questionnaires/peg/").content.decode()
    assert "What number best describes your pain on average in the past week" in html
    response = patient_client.post(
        "/me/questionnaires/peg/", {"peg-pain": "6", "peg-enjoyment": "4", "peg-activity": "5"}
    )
    assert response.status_code == 200
    saved = QuestionnaireResponse.objects.get(patient=patient, instrument="peg")
    assert float(saved.total) == 5.0
    assert saved.day == patient.local_date()


def test_phq9_shows_attribution(patient_client):
    html = patient_client.get("/me/questionnaires/phq9/").content.decode()
    assert "Spitzer" in html and "Pfizer" in html
    assert "Little interest or pleasure in doing things" in html


def test_unanswered_item_is_refused_beside_it(patient_client):
    response = patient_client.post(
        "/me/questionnaires/peg/", {"peg-pain": "6", "peg-enjoyment": "4"}
    )
    html = response.content.decode()
    assert "Please answer this question." in html[html.index('id="field-peg-activity"') :]
    assert not QuestionnaireResponse.objects.exists()


def test_out_of_range_answer_is_refused(patient_client):
    response = patient_client.post("/me/questionnaires/phq2/", {"phq-q1": "7", "phq-q2": "1"})
    assert "Choose one of the answers shown." in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_unknown_questionnaire_is_404(patient_client):
    assert patient_client.get("/me/questionnaires/odi/").status_code == 404
    assert patient_client.get("/me/questionnaires/nope/").status_code == 404


def test_positive_phq2_offers_the_phq9(patient_client, patient):
    html = patient_client.post(
        "/me/questionnaires/phq2/", {"phq-q1": "2", "phq-q2": "1"}
    ).content.decode()
    assert "/me/questionnaires/phq9/" in html
    assert QuestionnaireResponse.objects.get(instrument="phq2").total == 3


def test_negative_phq2_does_not_offer_phq9(patient_client):
    html = patient_client.post(
        "/me/questionnaires/phq2/", {"phq-q1": "1", "phq-q2": "1"}
    ).content.decode()
    assert "/me/questionnaires/phq9/" not in html


def test_phq9_item9_shows_crisis_numbers_at_once(patient_client, patient):
    html = patient_client.post("/me/questionnaires/phq9/", phq9(item9=1)).content.decode()
    assert "Samaritans 116 123" in html
    assert 'href="tel:' in html
    assert QuestionnaireResponse.objects.get(instrument="phq9").total == 9


def test_phq9_without_item9_shows_no_crisis_line(patient_client):
    html = patient_client.post("/me/questionnaires/phq9/", phq9(item9=0)).content.decode()
    assert "Samaritans" not in html


def test_home_lists_due_questionnaires(patient_client):
    html = patient_client.get("/me/").content.decode()
    assert "/me/questionnaires/peg/" in html
    patient_client.post(
        "/me/questionnaires/peg/", {"peg-pain": "6", "peg-enjoyment": "4", "peg-activity": "5"}
    )
    assert "/me/questionnaires/peg/" not in patient_client.get("/me/").content.decode()
