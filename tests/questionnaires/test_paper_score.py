from datetime import timedelta

from tracker.models import AccessLog, QuestionnaireResponse


def test_clinician_records_an_odi_total_from_paper(client, surgeon, patient):
    client.force_login(surgeon)
    day = patient.local_date() - timedelta(days=3)
    url = f"/care/patients/{patient.public_id}/paper-score/"
    response = client.post(url, {"instrument": "odi", "day": day.isoformat(), "total": "34"})
    assert response.url == f"/care/patients/{patient.public_id}/"
    saved = QuestionnaireResponse.objects.get(patient=patient, instrument="odi")
    assert (saved.day, float(saved.total), saved.source, saved.answers) == (day, 34.0, "paper", {})
    assert saved.entered_by == surgeon
    assert AccessLog.objects.filter(actor=surgeon, action="paper score:change").count() == 1


def test_out_of_range_or_future_scores_are_refused_beside_the_field(client, surgeon, patient):
    client.force_login(surgeon)
    url = f"/care/patients/{patient.public_id}/paper-score/"
    future = (patient.local_date() + timedelta(days=1)).isoformat()
    html = client.post(url, {"instrument": "odi", "day": future, "total": "120"}).content.decode()
    assert "less than or equal to 100" in html[html.index('id="field-total"') :]
    assert "cannot be in the future" in html[html.index('id="field-day"') :]
    assert not QuestionnaireResponse.objects.exists()


def test_outsider_gets_404_and_nothing_is_saved(client, outsider_staff, patient):
    client.force_login(outsider_staff)
    url = f"/care/patients/{patient.public_id}/paper-score/"
    day = patient.local_date().isoformat()
    assert client.post(url, {"instrument": "odi", "day": day, "total": "30"}).status_code == 404
    assert not QuestionnaireResponse.objects.exists()
