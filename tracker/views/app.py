"""What makes Laminar installable: the web app manifest and the service worker."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#0b5cad"  # --brand in laminar.css
SERVICE_WORKER_SOURCE = settings.BASE_DIR / "static" / "js" / "sw.js"
# Files the check-in page needs when there is no connection (the page itself is cached by the
# service worker when the signed-in patient opens it).
APP_SHELL = (
    "css/laminar.css",
    "vendor/htmx-2.0.11.min.js",
    "js/checkin.js",
    "js/offline.js",
    "js/sw-register.js",
    "icons/icon-192.png",
)


@require_GET
def manifest(request):
    data = {
        "name": "Laminar",
        "short_name": "Laminar",
        "description": _("Your daily check-in after back surgery"),
        "start_url": "/me/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
def service_worker(request):
    """static/js/sw.js at /sw.js (scope `/`), with the app shell's current static URLs.

    The URLs change with each deployment (hashed file names), so the worker's bytes change
    and browsers install the new one.
    """
    config = {
        "shell": [static(path) for path in APP_SHELL],
        "checkin": reverse("checkin"),
        "send": reverse("checkin-offline"),
    }
    source = SERVICE_WORKER_SOURCE.read_text(encoding="utf-8")
    config["version"] = hashlib.sha256((json.dumps(config) + source).encode()).hexdigest()[:12]
    body = f"self.LAMINAR = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    add_never_cache_headers(response)
    return response
