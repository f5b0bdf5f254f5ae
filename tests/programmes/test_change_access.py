"""Pages that show on GET and change on POST reach the patient through the read-write helper."""

from tracker.models import AccessLog, ProgrammeItem, Restriction


def test_a_restriction_set_is_logged_as_a_change_and_a_look_as_a_read(client, surgeon, patient):
    url = f"/care/patients/{patient.public_id}/restrictions/"
    client.force_login(surgeon)
    client.get(url)
    client.post(url, {"action": "defaults"})
    assert Restriction.objects.filter(patient=patient).exists()
    actions = list(
        AccessLog.objects.filter(actor=surgeon).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["restrictions", "restrictions:change"]


def test_a_physio_refused_a_restriction_change_is_still_logged(client, physio, patient):
    url = f"/care/patients/{patient.public_id}/restrictions/"
    client.force_login(physio)
    assert client.post(url, {"action": "defaults"}).status_code == 403
    assert not Restriction.objects.exists()
    assert AccessLog.objects.filter(actor=physio, action="restrictions:change").count() == 1


def test_a_programme_change_by_the_physio_is_logged_as_a_change(client, physio, patient):
    url = f"/care/patients/{patient.public_id}/programme/"
    client.force_login(physio)
    response = client.post(url, {"phase": "0-2"})
    assert response.status_code == 302
    assert ProgrammeItem.objects.filter(programme__patient=patient).exists()
    assert AccessLog.objects.filter(actor=physio, action="programme:change").count() == 1


def test_outsiders_get_404_for_a_change_and_nothing_is_logged(client, outsider_staff, patient):
    url = f"/care/patients/{patient.public_id}/programme/"
    client.force_login(outsider_staff)
    assert client.post(url, {"phase": "0-2"}).status_code == 404
    assert not ProgrammeItem.objects.exists()
    assert not AccessLog.objects.filter(actor=outsider_staff).exists()
