"""Shared personas: a patient, their care team, and the people who must not see them."""

from __future__ import annotations

from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

# The factories live in tests/factories.py; tests may also import them from here.
from tests.factories import PASSWORD, make_patient, make_user
from tracker.models import Clinic, ClinicianKind, Role, User

__all__ = ["PASSWORD", "make_patient", "make_user"]


@pytest.fixture
def clinic(db):
    return Clinic.objects.create(
        name="Northgate Spine Clinic",
        time_zone="Europe/London",
        emergency_number="999",
        surgical_team_phone="020 7946 0000",
        out_of_hours_phone="020 7946 0999",
    )


@pytest.fixture
def other_clinic(db):
    return Clinic.objects.create(
        name="Southside Orthopaedics",
        time_zone="America/New_York",
        emergency_number="911",
        surgical_team_phone="555 0100",
        out_of_hours_phone="555 0199",
    )


@pytest.fixture
def surgeon(clinic):
    return make_user(
        "surgeon@clinic.test",
        Role.CLINICIAN,
        clinic,
        clinician_kind=ClinicianKind.SURGEON,
        full_name="Sam Surgeon",
    )


@pytest.fixture
def physio(clinic):
    return make_user("physio@clinic.test", Role.PHYSIO, clinic, full_name="Phil Physio")


@pytest.fixture
def outsider_staff(clinic):
    """Staff of the same clinic who are not on the patient's care team."""
    return make_user(
        "nurse@clinic.test",
        Role.CLINICIAN,
        clinic,
        clinician_kind=ClinicianKind.NURSE,
        full_name="Nell Nurse",
    )


@pytest.fixture
def foreign_staff(other_clinic):
    return make_user(
        "surgeon@elsewhere.test",
        Role.CLINICIAN,
        other_clinic,
        clinician_kind=ClinicianKind.SURGEON,
        full_name="Otto Other",
    )


@pytest.fixture
def clinic_admin(clinic):
    return make_user("admin@clinic.test", Role.ADMIN, clinic, full_name="Ada Admin")


@pytest.fixture
def patient(clinic, surgeon, physio):
    return make_patient(
        "patient@clinic.test",
        clinic,
        team=(surgeon, physio),
        surgeon=surgeon,
        full_name="Pat Example",
        baseline_back_pain=7,
        baseline_leg_pain=8,
    )


@pytest.fixture
def other_patient(clinic):
    return make_patient("other@clinic.test", clinic, full_name="Olive Other")


def sign_in(client, user: User):
    client.force_login(user)
    return client


@pytest.fixture
def patient_client(client, patient):
    return sign_in(client, patient.user)


# Staff reach patient data only after a second factor (tracker.auth.middleware). Tests sign staff in
# with force_login, which then also passes the second factor; tests of the gate itself use
# sign_in_with_password_only.
_force_login_without_second_factor = Client.force_login


def sign_in_with_password_only(client, user: User):
    _force_login_without_second_factor(client, user)
    return client


def _force_login_with_second_factor(self, user, backend=None):
    _force_login_without_second_factor(self, user, backend)
    if user.role != Role.PATIENT:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture(autouse=True)
def staff_force_login_passes_second_factor(monkeypatch):
    monkeypatch.setattr(Client, "force_login", _force_login_with_second_factor)


@pytest.fixture
def world(patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin):
    """Three patients at two clinics and one person of each role (tests/security/world.py)."""
    from tests.security.world import build_world

    return build_world(
        patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin
    )


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    in_transaction = marker is not None and marker.kwargs.get("transaction", False)
    return in_transaction or bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (the browser journeys, races, backups) ends by emptying every
    table, the exercise library the migrations installed too: put it back once every fixture
    of the test is torn down (the emptying is the database fixture's own last step), so the
    tests that follow in the same process find it whatever order they run in."""
    result = yield
    # After the last test the test database itself is gone (nextitem None): nothing to restore.
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        from tracker.models import Exercise
        from tracker.programmes.library import install_library

        with item.config.stash[blocking_manager_key].unblock():
            install_library(Exercise)
    return result


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker) -> str:
    """Every row `manage.py seed_demo` writes, serialized once per test process and rolled
    back: the demo records each day through the recording path, which takes long enough
    that tests reading the demo load this copy instead of running it again."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        snapshot = connection.creation.serialize_db_to_string()
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture
def demo_data(db, demo_snapshot) -> None:
    """The database as `manage.py seed_demo` leaves it (dates counted back from today)."""
    connection.creation.deserialize_db_from_string(demo_snapshot)
    # Rows came with their ids: new rows must be numbered after them.
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# The last lines of a run say how many browser tests ran, and why any were skipped: without
# Chromium they skip, and a run that passes says so instead of passing silently without them.


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    outcomes: dict[str, str] = {}
    reasons: Counter[str] = Counter()
    for status in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(status, []):
            nodeid = getattr(report, "nodeid", "") or ""
            in_browser = "browser" in (getattr(report, "keywords", None) or {})
            if not in_browser or nodeid in outcomes and status == "passed":
                continue
            outcomes[nodeid] = "failed" if status == "error" else status
            if status == "skipped":
                longrepr = report.longrepr
                reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
                reasons[reason.removeprefix("Skipped: ")] += 1
    counts = Counter(outcomes.values())
    ran = counts["passed"] + counts["failed"]
    write = terminalreporter.write_line
    if not outcomes:
        write("Browser tests: none in this run.")
        return
    write(
        f"Browser tests: {ran} ran ({counts['passed']} passed, {counts['failed']} failed), "
        f"{counts['skipped']} skipped.",
        bold=True,
        red=counts["skipped"] > 0 or counts["failed"] > 0,
    )
    for reason, count in reasons.most_common():
        write(f"  {count} skipped: {reason}")
