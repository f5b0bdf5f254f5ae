from django.conf import settings
from django.urls import include, path

urlpatterns = [
    path("", include("tracker.urls")),
]

if settings.BENCH_ENDPOINTS:
    from tracker.views import bench

    urlpatterns.append(path("bench/baseline", bench.baseline, name="bench-baseline"))
