"""Headers and settings: a strict Content Security Policy that the templates keep to, HSTS
and secure cookies in production, no caching of signed-in pages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "tracker" / "templates"]
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def templates():
    return sorted(p for d in TEMPLATE_DIRS if d.exists() for p in d.rglob("*.html"))


def test_there_are_templates_to_scan():
    assert len(templates()) > 20


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_or_handler(path):
    text = path.read_text()
    assert not INLINE_HANDLER.search(text), "inline event handler: use a static JS file"
    assert "javascript:" not in text.lower()
    for attributes in SCRIPT_TAG.findall(text):
        if 'type="application/json"' in attributes:
            continue  # data for a static script, never run
        assert "src=" in attributes, "inline <script>: move it to static/js/"
        assert "csp_nonce_attr" in attributes or "nonce" in attributes, "script without nonce"


def test_the_scan_finds_what_it_looks_for():
    assert INLINE_HANDLER.search('<button onclick="go()">')
    assert SCRIPT_TAG.findall("<script>alert(1)</script>") == [""]


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


def test_pages_carry_a_strict_policy(patient_client):
    response = patient_client.get("/me/")
    policy = csp_directives(response)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["default-src"] == "'self'"
    script_src = policy["script-src"].split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    nonce = next(s for s in script_src if s.startswith("'nonce-"))[7:-1]
    page = response.content.decode()
    scripts = SCRIPT_TAG.findall(page)
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts if "json" not in s)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_nonce_changes_with_every_response(patient_client):
    first = csp_directives(patient_client.get("/me/"))["script-src"]
    assert first != csp_directives(patient_client.get("/me/"))["script-src"]


@pytest.mark.parametrize("url", ["/me/", "/me/history/"])
def test_patient_pages_are_never_stored(patient_client, url):
    response = patient_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_patient_chart_data_is_kept_only_by_their_browser_and_always_revalidated(patient_client):
    response = patient_client.get("/me/trends/data/leg-pain.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert response["ETag"]


def test_staff_pages_and_exports_are_never_stored(client, patient, surgeon):
    client.force_login(surgeon)
    for url in ("/care/", f"/care/patients/{patient.public_id}/"):
        assert "no-store" in client.get(url)["Cache-Control"]


def test_session_and_csrf_cookies_are_http_only(client, patient):
    client.post("/accounts/login/", {"username": patient.user.email, "password": "x" * 12})
    response = client.post(
        "/accounts/login/",
        {"username": patient.user.email, "password": "correct horse battery staple"},
    )
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


SETTINGS_PRINTED = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_REFERRER_POLICY",
    "AXES_LOCKOUT_PARAMETERS",
    "DEBUG",
)


def test_production_settings_are_secure():
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV", "SECRET_KEY")}
    environment.update(DJANGO_ENV="production", SECRET_KEY="k" * 60, ALLOWED_HOSTS="x.test")
    script = (
        "import json; from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n) for n in {SETTINGS_PRINTED!r}}}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_SSL_REDIRECT"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    # Per account and address, and per account from anywhere (tracker.auth.sign_in).
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"], "username"]
    assert values["DEBUG"] is False
