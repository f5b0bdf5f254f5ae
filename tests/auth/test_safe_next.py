"""One helper decides where to go after signing in, re-authenticating or acting on a page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import RequestFactory

from tracker.auth.next_url import safe_next

ROOT = Path(__file__).resolve().parents[2]
# Files that keep a copy of their own until they move to tracker.auth.next_url.
NOT_YET_MOVED = {"tracker/views/triage.py"}


@pytest.mark.parametrize(
    "wanted",
    ["", "0", "home", "//evil.example/", "https://evil.example/care/", "/\\evil.example"],
)
def test_anything_but_a_path_here_falls_back(wanted):
    request = RequestFactory().post("/", {"next": wanted})
    assert safe_next(request) == "/"
    assert safe_next(request, "/care/inbox/") == "/care/inbox/"


def test_a_path_here_is_kept_from_the_form_or_the_query_string():
    factory = RequestFactory()
    assert safe_next(factory.post("/", {"next": "/care/?page=2"})) == "/care/?page=2"
    assert safe_next(factory.get("/", {"next": "/me/data/"})) == "/me/data/"


def test_an_http_address_of_ours_is_refused_over_https():
    request = RequestFactory().get("/", {"next": "http://testserver/me/"}, secure=True)
    assert safe_next(request) == "/"


def test_no_other_module_checks_next_urls_itself():
    copies = set()
    for path in (ROOT / "tracker").rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        used = {
            node.id if isinstance(node, ast.Name) else node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Name | ast.Attribute)
        }
        if {"safe_next", "_next_url"} & names or "url_has_allowed_host_and_scheme" in used:
            copies.add(str(path.relative_to(ROOT)))
    assert copies - NOT_YET_MOVED == {"tracker/auth/next_url.py"}
