"""Ask the care team: the question reaches the inbox as a review item, the reply comes back."""

from django.core import mail

from tracker.models import AccessLog, Flag, Notification


def test_patient_asks_and_the_question_waits_in_the_inbox(client, patient, surgeon):
    client.force_login(patient.user)
    page = client.get("/me/ask/").content.decode()
    assert "Not for emergencies." in page and "tel:999" in page
    response = client.post("/me/ask/", {"question": "Can I drive to work next week?"})
    assert response.status_code == 302
    flag = Flag.objects.get(patient=patient, rule_id="ASK-QUESTION")
    assert flag.level == "review" and flag.status == "open"
    assert flag.evidence[0]["question"] == "Can I drive to work next week?"
    # Review items go in the daily digest, not an immediate e-mail.
    assert set(Notification.objects.filter(flag=flag).values_list("kind", flat=True)) == {"digest"}
    client.force_login(surgeon)
    inbox = client.get("/care/inbox/?rule=ASK-QUESTION").content.decode()
    assert "Can I drive to work next week?" in inbox and "Pat Example" in inbox
    assert AccessLog.objects.filter(actor=surgeon, patient=patient).exists()


def test_two_questions_before_a_reply_join_one_item(client, patient):
    client.force_login(patient.user)
    client.post("/me/ask/", {"question": "First question"})
    client.post("/me/ask/", {"question": "Second question"})
    flag = Flag.objects.get(patient=patient, rule_id="ASK-QUESTION")
    assert [item["question"] for item in flag.evidence] == ["First question", "Second question"]


def test_reply_shows_on_home_and_sends_a_notice_without_content(
    client, patient, surgeon, django_capture_on_commit_callbacks
):
    client.force_login(patient.user)
    client.post("/me/ask/", {"question": "Is swelling at the wound normal?"})
    flag = Flag.objects.get(rule_id="ASK-QUESTION")
    client.force_login(surgeon)
    reply = "A little swelling is common; send a photo if it spreads."
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/care/flags/{flag.public_id}/resolve/", {"note": reply})
    notice = [m for m in mail.outbox if m.to == [patient.user.email]]
    assert len(notice) == 1
    assert "replied" in notice[0].body and "swelling" not in notice[0].body.lower()
    client.force_login(patient.user)
    home = client.get("/me/").content.decode()
    assert reply in home and "Is swelling at the wound normal?" in home


def test_empty_or_huge_question_is_refused_beside_the_field(client, patient):
    client.force_login(patient.user)
    html = client.post("/me/ask/", {"question": ""}).content.decode()
    assert "Write your question first." in html[html.index('id="field-question"') :]
    html = client.post("/me/ask/", {"question": "x" * 1001}).content.decode()
    assert "under 1000 characters" in html
    assert not Flag.objects.exists()


def test_staff_cannot_use_the_patient_page(client, surgeon):
    client.force_login(surgeon)
    assert client.get("/me/ask/").status_code == 404


def test_questions_are_part_of_the_patients_export(client, patient, surgeon):
    from tracker.care.questions import ask
    from tracker.exports.fhir import patient_bundle

    ask(patient, "When can I swim?")
    resources = [entry["resource"] for entry in patient_bundle(patient)["entry"]]
    flags = [r for r in resources if r["resourceType"] == "Flag"]
    assert any("ASK-QUESTION" in str(f["code"]) for f in flags)
