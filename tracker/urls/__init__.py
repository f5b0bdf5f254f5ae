"""Laminar's URLs, one module per audience; every path keeps its full prefix in its module."""

from django.urls import include, path

urlpatterns = [
    path("", include("tracker.urls.app")),
    path("", include("tracker.urls.accounts")),
    path("", include("tracker.urls.patient")),
    path("", include("tracker.urls.care")),
    path("", include("tracker.urls.clinic")),
]
