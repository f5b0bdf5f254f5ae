"""Site-wide URLs: the landing redirect, the health check and the installable app."""

from django.urls import path

from tracker.views import accounts, app, health

urlpatterns = [
    path("", accounts.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    # The service worker's scope is "/", so both files sit at the root.
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="service-worker"),
]
