"""Every view or export of a patient's data by staff writes exactly one access-log row:
who, which patient, what, when and from where. Patients' own views write none."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests import test_personas as personas
from tracker.models import AccessLog

# Pages about one patient (Pat Example) that their care team opens: the rows of the persona
# tables that log access and are hidden from everyone off the care team.
ONE_PATIENT = {
    name: view
    for name, view in personas.views().items()
    if view.logs_access
    and view.hidden_from == personas.NOT_ON_THE_CARE_TEAM
    and "GET" in view.methods
}


def test_the_care_teams_pages_and_exports_are_all_here():
    assert set(personas.CARE_EXPORTS) | {"patient-summary", "care-trends-data"} <= set(ONE_PATIENT)


@pytest.mark.parametrize("name", sorted(ONE_PATIENT))
@pytest.mark.parametrize("who", ["surgeon", "physio"])
def test_each_staff_view_of_a_patient_writes_one_row(client, world, request, name, who):
    staff = request.getfixturevalue(who)
    url = ONE_PATIENT[name](world.patient)
    client.force_login(staff)
    before = timezone.now()
    response = client.get(url, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 200
    row = AccessLog.objects.get()
    assert row.actor == staff and staff.full_name in row.actor_label
    assert row.patient == world.patient and row.patient_ref == world.patient.public_id
    assert row.action and row.path == url
    assert row.ip_address == "192.0.2.44"
    assert before <= row.at <= timezone.now()


def test_an_export_is_logged_as_an_export(client, world, surgeon):
    client.force_login(surgeon)
    for url in (build(world.patient) for build in personas.CARE_EXPORTS.values()):
        client.get(url)
    assert AccessLog.objects.count() == len(personas.CARE_EXPORTS)
    assert all(row.action.startswith("export") for row in AccessLog.objects.all())


def test_a_flag_action_writes_one_row(client, world, surgeon):
    client.force_login(surgeon)
    for build in personas.FLAG_ACTIONS.values():
        client.post(build(world.patient), {"note": "Called the patient."})
    assert AccessLog.objects.filter(patient=world.patient, actor=surgeon).count() == 2
    assert AccessLog.objects.count() == 2


@pytest.mark.parametrize("name", ["caseload", "triage-inbox"])
def test_a_list_writes_one_row_per_patient_shown(client, world, surgeon, name):
    client.force_login(surgeon)
    assert client.get(personas.CARE_PAGES[name](world.patient)).status_code == 200
    assert [row.patient for row in AccessLog.objects.all()] == [world.patient]


def test_the_clinic_admin_viewing_a_care_team_is_logged(client, world, clinic_admin):
    client.force_login(clinic_admin)
    assert client.get(personas.ENROL_PAGES["edit-care-team"](world.patient)).status_code == 200
    row = AccessLog.objects.get()
    assert (row.actor, row.patient) == (clinic_admin, world.patient)


@pytest.mark.parametrize("who", ["outsider_staff", "foreign_staff", "clinic_admin"])
def test_refused_staff_leave_no_row(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    for build in ONE_PATIENT.values():
        assert client.get(build(world.patient)).status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("name", sorted(personas.PATIENT_PAGES))
def test_patients_viewing_their_own_data_write_no_row(client, world, name):
    client.force_login(world.patient.user)
    assert client.get(personas.PATIENT_PAGES[name](world.patient)).status_code == 200
    assert not AccessLog.objects.exists()
