"""The read-write pairs of tracker.auth.access: outsiders get 404 from both, members of the
care team whose role only reads that part of the record get 403 from the `_for_change` one."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from tests.factories import make_flag
from tracker.auth.access import (
    RESTRICTION_SETTERS,
    get_flag,
    get_flag_for_change,
    get_patient,
    get_patient_for_change,
)
from tracker.models import AccessLog, Role


def request_for(user):
    request = RequestFactory().post("/care/x/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


@pytest.fixture
def open_flag(patient):
    return make_flag(patient, "RF-CALF")


def test_the_care_team_changes_a_patient_by_default(patient, surgeon, physio):
    for member in (surgeon, physio):
        assert get_patient_for_change(request_for(member), "programme", patient.public_id)
    assert AccessLog.objects.filter(action="programme").count() == 2


def test_a_physiotherapist_reads_restrictions_but_may_not_change_them(patient, surgeon, physio):
    assert get_patient(request_for(physio), "restrictions", patient.public_id) == patient
    with pytest.raises(PermissionDenied):
        get_patient_for_change(
            request_for(physio), "restrictions", patient.public_id, changers=RESTRICTION_SETTERS
        )
    changed = get_patient_for_change(
        request_for(surgeon), "restrictions", patient.public_id, changers=RESTRICTION_SETTERS
    )
    assert changed == patient


@pytest.mark.parametrize("who", ["outsider_staff", "foreign_staff", "clinic_admin"])
def test_outsiders_get_404_not_403_and_leave_no_row(request, patient, who):
    user = request.getfixturevalue(who)
    with pytest.raises(Http404):
        get_patient_for_change(
            request_for(user), "restrictions", patient.public_id, changers=RESTRICTION_SETTERS
        )
    assert not AccessLog.objects.exists()


def test_the_clinic_admin_changes_a_care_team_a_physiotherapist_on_it_does_not(
    patient, clinic_admin, physio
):
    changers = (Role.CLINICIAN, Role.ADMIN)
    found = get_patient_for_change(
        request_for(clinic_admin), "care team", patient.public_id, changers=changers, for_admin=True
    )
    assert found == patient
    with pytest.raises(PermissionDenied):
        get_patient_for_change(
            request_for(physio), "care team", patient.public_id, changers=changers, for_admin=True
        )


def test_the_care_team_reaches_a_flag_and_it_is_logged(open_flag, patient, physio):
    found = get_flag(request_for(physio), open_flag.public_id, "flag")
    assert found == open_flag and found.patient == patient
    row = AccessLog.objects.get()
    assert (row.actor, row.patient, row.action) == (physio, patient, "flag")


@pytest.mark.parametrize("who", ["outsider_staff", "foreign_staff", "clinic_admin"])
def test_outsiders_do_not_reach_a_flag(request, open_flag, who):
    user = request.getfixturevalue(who)
    for helper in (get_flag, get_flag_for_change):
        with pytest.raises(Http404):
            helper(request_for(user), open_flag.public_id, "flag")
    assert not AccessLog.objects.exists()


def test_the_patient_does_not_reach_their_flag_through_the_triage_helpers(open_flag, patient):
    with pytest.raises(Http404):
        get_flag(request_for(patient.user), open_flag.public_id, "flag")


def test_an_unknown_flag_is_404(patient, surgeon):
    with pytest.raises(Http404):
        get_flag(request_for(surgeon), uuid.uuid4(), "flag")


def test_changing_a_flag_takes_a_role_that_may(open_flag, surgeon, physio):
    assert get_flag_for_change(request_for(surgeon), open_flag.public_id, "flag:resolve")
    assert get_flag_for_change(request_for(physio), open_flag.public_id, "flag:resolve")
    with pytest.raises(PermissionDenied):
        get_flag_for_change(
            request_for(physio), open_flag.public_id, "flag:resolve", changers=(Role.CLINICIAN,)
        )
