"""Security round 2, item 3: the access log is append-only in the database itself, on SQLite
as on PostgreSQL, so code that goes round the model's guards cannot rewrite or remove a row.
Erasing a patient and flushing the database (tests, development) still work."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from tracker.auth.access import record_access
from tracker.care.erasure import erase, request_erasure
from tracker.models import AccessLog, User


def logged_view(patient, staff) -> AccessLog:
    request = RequestFactory().get("/care/x/", REMOTE_ADDR="192.0.2.1")
    request.user = staff
    record_access(request, patient, "summary")
    return AccessLog.objects.get()


def refused(work) -> bool:
    try:
        with transaction.atomic():
            work()
    except DatabaseError:
        return True
    return False


def as_stored(row: AccessLog) -> tuple:
    return AccessLog.objects.filter(pk=row.pk).values_list("action", "actor_label").get()


def test_bulk_create_cannot_rewrite_a_row(patient, surgeon):
    row = logged_view(patient, surgeon)
    forged = AccessLog(
        id=row.id,
        actor=surgeon,
        actor_label="nobody",
        patient=patient,
        patient_ref=patient.public_id,
        action="nothing to see",
    )
    assert refused(
        lambda: AccessLog.objects.bulk_create(
            [forged],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["action", "actor_label"],
        )
    )
    assert as_stored(row) == ("summary", row.actor_label)


def test_the_base_manager_cannot_change_or_delete_rows(patient, surgeon):
    row = logged_view(patient, surgeon)
    assert refused(lambda: AccessLog._base_manager.filter(pk=row.pk).update(action="x"))
    assert refused(lambda: AccessLog._base_manager.filter(pk=row.pk).delete())
    assert as_stored(row) == ("summary", row.actor_label)


def test_raw_sql_cannot_change_or_delete_rows(patient, surgeon):
    row = logged_view(patient, surgeon)

    def run(sql):
        return lambda: connection.cursor().execute(sql, [row.pk])

    assert refused(run("UPDATE tracker_accesslog SET action = 'x' WHERE id = %s"))
    assert refused(run("DELETE FROM tracker_accesslog WHERE id = %s"))
    assert AccessLog.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's INSERT OR REPLACE")
def test_insert_or_replace_cannot_swap_a_row(patient, surgeon):
    row = logged_view(patient, surgeon)
    sql = (
        "INSERT OR REPLACE INTO tracker_accesslog"
        " (id, at, actor_id, actor_label, patient_id, patient_ref, action, path, ip_address)"
        " SELECT id, at, actor_id, 'nobody', patient_id, patient_ref, 'x', path, ip_address"
        " FROM tracker_accesslog WHERE id = %s"
    )
    assert refused(lambda: connection.cursor().execute(sql, [row.pk]))
    assert as_stored(row) == ("summary", row.actor_label)


def test_new_rows_are_still_written(patient, surgeon):
    logged_view(patient, surgeon)
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                actor=surgeon,
                actor_label="x",
                patient=patient,
                patient_ref=patient.public_id,
                action="caseload",
            )
        ]
    )
    assert AccessLog.objects.count() == 2


def test_erasing_a_patient_keeps_their_log_rows(patient, surgeon, clinic_admin):
    row = logged_view(patient, surgeon)
    erase(request_erasure(patient), by=clinic_admin)
    assert not User.objects.filter(pk=patient.user.pk).exists()
    kept = AccessLog.objects.get()
    assert kept.pk == row.pk and kept.patient_ref == patient.public_id


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_and_the_guard_stays(patient, surgeon):
    logged_view(patient, surgeon)
    call_command("flush", interactive=False, verbosity=0)
    assert not AccessLog.objects.exists()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM tracker_accesslog_purge")
            assert cursor.fetchone() == (0,)
    # The guard is back for whatever is written next.
    from tests.conftest import make_patient, make_user
    from tracker.models import Clinic, Role

    clinic = Clinic.objects.create(
        name="After", surgical_team_phone="1", out_of_hours_phone="2", time_zone="UTC"
    )
    staff = make_user("s@after.test", Role.CLINICIAN, clinic)
    row = logged_view(make_patient("p@after.test", clinic, team=(staff,)), staff)
    assert refused(lambda: AccessLog._base_manager.filter(pk=row.pk).delete())
