"""Page weight, measured from the files themselves: what a phone downloads for the check-in,
and that only chart pages send plotly.js."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import NoReverseMatch, reverse

from tests.checkin_data import checkin_post

CHECKIN_BUDGET_BYTES = 40 * 1024  # gzip-compressed: the HTML plus every CSS and JS file


class AssetLinks(HTMLParser):
    """The stylesheets and scripts a page asks the browser to fetch."""

    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif (
            tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href")
        ):
            self.assets.append(attrs["href"])


def assets_of(html: str) -> list[str]:
    parser = AssetLinks()
    parser.feed(html)
    return parser.assets


def static_file(url: str) -> bytes:
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    assert url.startswith(prefix), f"{url} is not one of our static files"
    path = finders.find(url.removeprefix(prefix).split("?")[0])
    assert path, f"{url} is referenced but no such static file exists"
    return Path(path).read_bytes()


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def test_checkin_page_with_its_css_and_js_is_at_most_40_kb_gzipped(patient_client):
    html = patient_client.get("/me/check-in/").content
    assets = assets_of(html.decode())
    assert any(a.endswith(".css") for a in assets)
    assert any(a.endswith(".js") for a in assets)
    sizes = {url: gzipped_size(static_file(url)) for url in assets}
    total = gzipped_size(html) + sum(sizes.values())
    assert total <= CHECKIN_BUDGET_BYTES, f"{total} bytes gzipped: HTML + {sizes}"


def test_the_budget_counts_what_a_page_references():
    html = (
        '<link rel="stylesheet" href="/static/css/laminar.css">'
        '<script src="/static/js/checkin.js"></script>'
    )
    assert assets_of(html) == ["/static/css/laminar.css", "/static/js/checkin.js"]
    assert gzipped_size(static_file("/static/css/laminar.css")) > 500


@pytest.mark.parametrize("url", ["/me/", "/me/check-in/", "/me/history/"])
def test_pages_without_charts_send_no_plotly(patient_client, url):
    if url == "/me/history/":
        patient_client.post("/me/check-in/", checkin_post())
    response = patient_client.get(url)
    assert response.status_code == 200
    assets = assets_of(response.content.decode())
    assert assets, "the page references no CSS or JS at all"
    assert [a for a in assets if "plotly" in a.lower()] == []


def test_the_patient_chart_page_does_send_plotly(patient_client):
    try:
        url = reverse("trends")
    except NoReverseMatch:
        pytest.skip("the patient's trends page is not built yet (no URL named 'trends')")
    html = patient_client.get(url).content.decode()
    # Offered to charts.js, which fetches it when the patient taps a chart (not up front).
    assert static_file(re.search(r'data-plotly="([^"]+)"', html).group(1))
    assert [a for a in assets_of(html) if "plotly" in a.lower()] == []
