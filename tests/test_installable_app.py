"""The app installs to a phone's home screen: manifest, icons and the service worker."""

import struct
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def png_size(path: str) -> tuple[int, int]:
    header = Path(path).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_manifest_names_the_app_its_icons_and_opens_full_screen_on_my_page(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "Laminar" and manifest["short_name"] == "Laminar"
    assert manifest["start_url"] == "/me/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b5cad"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        width, height = png_size(path)
        assert f"{width}x{height}" == icon["sizes"]
        served = client.get(icon["src"])
        assert served.status_code == 200
        served.close()


def test_every_page_links_the_manifest_and_registers_the_worker_by_a_static_script(
    patient_client,
):
    for html in (
        Client().get("/accounts/login/").content.decode(),
        patient_client.get("/me/").content.decode(),
    ):
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert '<meta name="theme-color" content="#0b5cad">' in html
        start = html.index("js/sw-register.js")
        tag = html[html.rindex("<script", 0, start) : html.index("</script>", start)]
        assert 'data-worker="/sw.js"' in tag and "nonce=" in tag and "defer" in tag


def test_service_worker_is_served_at_the_root_with_scope_and_no_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    # The app shell with the current static URLs, and the offline check-in page.
    assert '"/static/css/laminar.css"' in body and '"/static/js/offline.js"' in body
    assert '"checkin": "/me/check-in/"' in body and '"send": "/me/check-in/offline/"' in body
    assert 'addEventListener("fetch"' in body and 'addEventListener("sync"' in body


def test_signed_out_pages_tell_the_worker_to_forget_the_cached_check_in(patient_client):
    signed_out = Client().get("/accounts/login/").content.decode()
    assert 'data-signed-in="0"' in signed_out
    assert 'data-signed-in="1"' in patient_client.get("/me/").content.decode()
