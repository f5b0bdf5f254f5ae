"""The checklist every view is held to, one row per URL name from the resolver.

The rows are the `View` entries of the tables in tests/test_personas.py. For each one:
1. it works for its persona (the status in `answers`, after confirming the password if asked);
2. every method it does not take gets 405 (or a redirect) and changes nothing, except the
   answers written down in ANSWERED_ANYWAY;
3. the roles in `hidden_from` get 404 and never see the patient's name;
4. with `logs_access` the persona's request writes an access-log row about the patient,
   without it no row at all.
A URL with no row fails `test_every_url_has_a_checklist_row`.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests import test_personas as personas
from tests.factories import PASSWORD, make_user
from tests.security.world import database_snapshot
from tracker.models import AccessLog, Invitation, Role

ROWS = personas.views()
NAMES = sorted(ROWS)
# The methods the wrong-method check sends. HEAD is left out: Django answers it as GET unless
# the view lists its methods, and it never changes anything.
METHODS = ("GET", "POST", "PUT", "DELETE")
# Views allowed to answer a method they do not take, with what they answer. Empty: every view
# names its methods (require_GET, require_POST, require_http_methods, http_method_names).
ANSWERED_ANYWAY: dict[str, dict[str, int]] = {}
# A redirect that refuses: to sign in, to the second factor or to confirm the password first.
REFUSALS = ("/accounts/login/?next=", "/accounts/two-factor/?next=", "/me/confirm-password/?next=")


def test_every_url_has_a_checklist_row():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    assert names - set(ROWS) == set(), "add a View row for the new URL in tests/test_personas.py"


def test_every_row_names_known_roles_and_methods():
    from tests.security.world import ROLES

    for name, view in ROWS.items():
        assert {view.persona, *view.hidden_from} <= set(ROLES), name
        assert view.persona not in view.hidden_from, name
        assert set(view.methods) <= {*METHODS, "HEAD"}, name
        assert (view.sends is not None) == ("GET" not in view.methods), name
    for name, methods in ANSWERED_ANYWAY.items():
        assert set(methods).isdisjoint(ROWS[name].methods), name


def target(world, view: personas.View):
    """What the row's path is built from."""
    match view.takes:
        case "patient":
            return world.patient
        case "exercise":
            return world.exercise
        case "erasure":
            return world.erasure
        case "invitation":
            invited = make_user("invited@clinic.test", Role.PHYSIO, world.patient.clinic)
            return Invitation.issue(invited, None)[1]
        case "reset link":
            user = world.patient.user
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            return f"{uid}/{default_token_generator.make_token(user)}"
    raise AssertionError(view.takes)


def patient_of(world, view: personas.View):
    """The patient whose data the row's page shows."""
    return world.erasure.patient if view.takes == "erasure" else world.patient


def client_for(world, role: str) -> Client:
    client = Client()
    if world.people[role] is not None:
        client.force_login(world.people[role])
    return client


def send(client: Client, method: str, path: str, view: personas.View, made_for):
    """The request; a page that asks for the password first gets it, then the request again."""
    response = one_request(client, method, path, view, made_for)
    if response.status_code == 302 and response["Location"].startswith("/me/confirm-password/"):
        confirmed = client.post("/me/confirm-password/", {"password": PASSWORD})
        assert confirmed.status_code == 302
        response = one_request(client, method, path, view, made_for)
    return response


def one_request(client: Client, method: str, path: str, view: personas.View, made_for):
    if method == "POST" and view.sends is not None:
        body = view.sends(made_for)
        if isinstance(body, str):
            return client.post(path, body, content_type="application/json")
        return client.post(path, body)
    return client.generic(method, path)


def main_method(view: personas.View) -> str:
    return "GET" if "GET" in view.methods else view.methods[0]


def body_of(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    return content.decode(errors="replace")


@pytest.mark.parametrize("name", NAMES)
def test_view_checklist(world, name):
    """The four checks on one URL; every problem found is listed."""
    view = ROWS[name]
    made_for = target(world, view)
    path = view(made_for)
    problems = (
        works_and_logs(world, view, made_for, path)
        + refuses_other_methods(world, name, view, made_for, path)
        + hidden(world, view, made_for, path)
    )
    assert problems == [], "\n".join(problems)


def works_and_logs(world, view, made_for, path) -> list[str]:
    """1 and 4: the persona gets its answer; the access-log rows are there or not."""
    problems = []
    client = client_for(world, view.persona)
    before = set(AccessLog.objects.values_list("pk", flat=True))
    response = send(client, main_method(view), path, view, made_for)
    if response.status_code != view.answers:
        problems.append(f"{view.persona} gets {response.status_code}, expected {view.answers}")
    elif response.status_code == 302 and response["Location"].startswith(REFUSALS):
        problems.append(f"{view.persona} is sent to {response['Location']}")
    rows = AccessLog.objects.exclude(pk__in=before)
    about = rows.filter(actor=world.people[view.persona], patient=patient_of(world, view))
    if view.logs_access and not about.exists():
        problems.append(f"no access-log row for {view.persona}")
    if not view.logs_access and rows.exists():
        problems.append(f"access-log rows written: {list(rows.values_list('action', flat=True))}")
    return problems


def refuses_other_methods(world, name, view, made_for, path) -> list[str]:
    """2: every method the view does not take gets 405, or a redirect, and changes nothing
    (or gets the answer written down in ANSWERED_ANYWAY)."""
    problems = []
    client = client_for(world, view.persona)
    for method in (m for m in METHODS if m not in view.methods):
        expected = ANSWERED_ANYWAY.get(name, {}).get(method, 405)
        before = database_snapshot()
        status = send(client, method, path, view, made_for).status_code
        changed = database_snapshot() != before
        # A redirect that changes nothing is harmless (the landing page sends everyone on).
        if status != expected and not (expected == 405 and status == 302 and not changed):
            fixed = " (fixed: take it out of ANSWERED_ANYWAY)" if status == 405 else ""
            problems.append(f"{method} gets {status}, expected {expected}{fixed}")
        if changed and expected == 405:
            problems.append(f"{method} changed the database")
    return problems


def hidden(world, view, made_for, path) -> list[str]:
    """3: the roles the view is hidden from get 404 and never the patient's name."""
    problems = []
    shown = patient_of(world, view).user.full_name
    for role in view.hidden_from:
        response = send(client_for(world, role), main_method(view), path, view, made_for)
        if response.status_code != 404:
            problems.append(f"{role} gets {response.status_code}, expected 404")
        if shown in body_of(response):
            problems.append(f"{role} sees {shown}")
    return problems
