import pytest
from django.http import Http404
from django.test import RequestFactory

from tracker.auth.access import get_patient, patients_visible_to
from tracker.models import AccessLog, AppendOnlyError


def request_for(user, path="/care/x/"):
    request = RequestFactory().get(path, REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


def test_patient_reaches_only_themself(patient, other_patient):
    assert get_patient(request_for(patient.user), "home") == patient
    with pytest.raises(Http404):
        get_patient(request_for(patient.user), "summary", other_patient.public_id)


def test_patient_access_is_not_logged(patient):
    get_patient(request_for(patient.user), "home")
    assert AccessLog.objects.count() == 0


def test_care_team_member_reaches_patient_and_access_is_logged(patient, surgeon):
    assert get_patient(request_for(surgeon), "summary", patient.public_id) == patient
    entry = AccessLog.objects.get()
    assert entry.actor == surgeon
    assert entry.patient_ref == patient.public_id
    assert entry.action == "summary"
    assert entry.ip_address == "10.1.2.3"
    assert "Sam Surgeon" in entry.actor_label


@pytest.mark.parametrize("who", ["outsider_staff", "foreign_staff", "clinic_admin"])
def test_staff_outside_the_care_team_get_404_and_no_log(request, patient, who):
    user = request.getfixturevalue(who)
    with pytest.raises(Http404):
        get_patient(request_for(user), "summary", patient.public_id)
    assert AccessLog.objects.count() == 0


def test_clinic_admin_reaches_enrolment_of_own_clinic_only(patient, clinic_admin, foreign_staff):
    assert (
        get_patient(request_for(clinic_admin), "care team", patient.public_id, for_admin=True)
        == patient
    )
    with pytest.raises(Http404):
        get_patient(request_for(foreign_staff), "care team", patient.public_id, for_admin=True)


def test_inactive_staff_see_nobody(patient, surgeon):
    surgeon.is_active = False
    surgeon.save()
    assert not patients_visible_to(surgeon).exists()


def test_care_team_of_another_clinic_does_not_count(patient, foreign_staff):
    """A membership that crosses clinics (a data error) still does not open the patient."""
    patient.memberships.create(staff=foreign_staff)
    with pytest.raises(Http404):
        get_patient(request_for(foreign_staff), "summary", patient.public_id)


def test_access_log_is_append_only_in_the_orm(patient, surgeon):
    get_patient(request_for(surgeon), "summary", patient.public_id)
    entry = AccessLog.objects.get()
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.update(action="x")
    assert AccessLog.objects.get().action == "summary"


@pytest.mark.django_db
def test_access_log_refuses_sql_update_and_delete_on_postgresql(patient, surgeon):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the database-level guard is a PostgreSQL trigger")
    get_patient(request_for(surgeon), "summary", patient.public_id)
    table = AccessLog._meta.db_table
    for statement in (f"UPDATE {table} SET action = 'x'", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AccessLog.objects.get().action == "summary"
