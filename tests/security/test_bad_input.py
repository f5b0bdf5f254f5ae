"""Generated junk posted to every endpoint that takes data: no server error, and nothing out
of range is stored (every row of every tracker table still passes its model validation)."""

from __future__ import annotations

import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.db.models import JSONField
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_authorization_matrix import url_classes
from tests.security.world import build_world, database_snapshot, tracker_models
from tracker.auth.reauth import SESSION_KEY as PASSWORD_CONFIRMED_AT

# Who posts to each access class that takes data (the role the class lets write).
POSTERS = {
    "patient": ("patient",),
    "patient-json": ("patient",),
    "checkin-validate": ("patient",),
    "patient-reauth": ("patient",),
    "signed-in-form": ("patient", "clinician"),
    "care-patient": ("physio", "clinician"),
    "care-list": ("physio",),
    "flag-action": ("clinician",),
    "enrol-form": ("clinician", "clinic_admin"),
    "enrol-patient": ("clinician", "clinic_admin"),
    "clinic-admin": ("clinic_admin",),
    "clinic-clinician": ("clinician",),
    "erasure-decision": ("clinic_admin",),
    "library-write": ("physio",),
    "library-read": ("physio",),
    "second-factor": ("physio",),
    "sign-in": ("anonymous",),
    "password-reset": ("anonymous",),
    "invitation-bad-token": ("anonymous",),
}
# Classes that take no data: every method but GET/HEAD is refused (the matrix checks 405).
NO_DATA = {"home", "healthz", "healthz-ready", "sign-out", "plain-page", "static-app-file"}
EXTRA_NAMES = [
    "note", "action", "code", "value", "field", "submission_id", "day", "password", "next",
    "restriction", "staff", "username", "email", "status", "level", "page", "range",
]  # fmt: skip
FIELD_NAME = re.compile(r'\bname="([^"]+)"')

JUNK = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "0",
            "10",
            "11",
            "601",
            "1e309",
            "NaN",
            "-inf",
            "43.1",
            "33.9",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01",
            "yes",
            "no",
            "on",
            "true",
            "left",
            "both",
            "\x00",
            "a\x00b",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "00000000-0000-0000-0000-000000000000",
            "x" * 5000,
            "١٢",
            "😀",
        ]
    ),  # fmt: skip
)


def endpoints():
    for name, (cls, _build) in sorted(url_classes().items()):
        if cls in NO_DATA:
            continue
        assert cls in POSTERS, f"say who posts to {cls} endpoints in POSTERS"
        yield name


@pytest.fixture
def world(patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin):
    return build_world(
        patient, other_patient, physio, surgeon, outsider_staff, foreign_staff, clinic_admin
    )


def out_of_range_rows(before: dict | None = None) -> list[str]:
    """Rows failing their model's validation; with `before` (a database_snapshot), only the
    rows added or changed since."""
    problems = []
    after = database_snapshot()
    for model in tracker_models():
        table = model._meta.db_table
        rows = model.objects.all()
        if before is not None:
            if after[table] == before[table]:
                continue
            known = {repr(r) for r in before[table]}
            rows = rows.filter(pk__in=[r[0] for r in after[table] if repr(r) not in known])
        for row in rows:
            # An empty JSON value ({}, [] or null where allowed) is "nothing set", not a value
            # out of range (the JSON fields are not declared blank=True).
            empty = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, JSONField)
                and (
                    getattr(row, f.attname) in ({}, [])
                    or (f.null and getattr(row, f.attname) is None)
                )
            ]
            try:
                row.full_clean(exclude=empty, validate_unique=False)
            except ValidationError as error:
                problems.append(f"{model.__name__} {row.pk}: {error.message_dict}")
    return problems


def signed_in(world, role: str) -> Client:
    client = Client()
    user = world.people[role]
    if user is not None:
        client.force_login(user)
        session = client.session
        session[PASSWORD_CONFIRMED_AT] = time.time()  # as after the password confirmation
        session.save()
    return client


def field_names(client: Client, path: str) -> list[str]:
    page = client.get(path)
    found = []
    if page.status_code == 200 and not page.streaming:
        found = FIELD_NAME.findall(page.content.decode(errors="replace"))
    return sorted({n for n in found if n != "csrfmiddlewaretoken"} | set(EXTRA_NAMES))


def test_the_world_is_valid_to_begin_with(world):
    assert out_of_range_rows() == []


@pytest.mark.parametrize("name", list(endpoints()))
def test_junk_never_breaks_an_endpoint_or_the_data(world, name):
    cls, build = url_classes()[name]
    path = build(world)
    clients = {role: signed_in(world, role) for role in POSTERS[cls]}
    names = field_names(next(iter(clients.values())), path)

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        role=st.sampled_from(sorted(clients)),
        data=st.dictionaries(
            st.sampled_from(names), st.one_of(JUNK, st.lists(JUNK, max_size=3)), max_size=12
        ),
        as_json=st.booleans(),
    )
    def post_junk(role, data, as_json):
        client = clients[role]
        before = database_snapshot()
        if as_json:
            response = client.post(path, data, content_type="application/json")
        else:
            response = client.post(path, data)
        assert response.status_code < 500, (role, data)
        assert out_of_range_rows(before) == [], (role, data)

    post_junk()
