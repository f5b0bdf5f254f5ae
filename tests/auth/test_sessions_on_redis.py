"""Sessions and rate-limit counters on Redis when REDIS_URL is set, the database otherwise.

The settings are checked in a child process with production's environment. The behaviour is
checked against the Redis at REDIS_TEST_URL (default 127.0.0.1:6379, database 15, keys
under a prefix of their own); those tests are skipped, saying why, when it does not answer.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from tests.test_settings import PRODUCTION, ROOT
from tracker.auth.rate_limits import seconds_over_limit

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def settings_in_production(**env) -> list[str]:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND']); print(settings.SESSION_ENGINE)"
    )
    dropped = ("DJANGO_ENV", "SECRET_KEY", "DJANGO_DEBUG", "REDIS_URL", "REDIS_CACHE")
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings", **env)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


def test_production_with_redis_keeps_sessions_and_counters_there():
    backend, sessions = settings_in_production(REDIS_URL="redis://cache.internal:6379/0")
    assert backend == "django_redis.cache.RedisCache"
    assert sessions == "django.contrib.sessions.backends.cached_db"


def test_production_without_redis_keeps_them_in_the_database():
    backend, sessions = settings_in_production()
    assert backend == "django.core.cache.backends.db.DatabaseCache"
    assert sessions == "django.contrib.sessions.backends.db"


def test_the_deploy_check_is_clean_with_redis():
    from tests.test_settings import manage

    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, REDIS_URL="redis://r:6379/0"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_redis_can_be_left_to_the_task_queue():
    backend, sessions = settings_in_production(REDIS_URL="redis://q:6379/0", REDIS_CACHE="0")
    assert backend == "django.core.cache.backends.db.DatabaseCache"
    assert sessions == "django.contrib.sessions.backends.db"


needs_redis = pytest.mark.skipif(
    not redis_answers(REDIS_TEST_URL),
    reason=f"no Redis answers at {REDIS_TEST_URL} (set REDIS_TEST_URL, or start redis-server)",
)


@pytest.fixture
def on_redis():
    """This test's own corner of Redis, emptied afterwards."""
    prefix = f"laminar-test-{uuid.uuid4().hex}"
    redis_cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_TEST_URL,
        "KEY_PREFIX": prefix,
    }
    with override_settings(
        CACHES={"default": redis_cache},
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    ):
        yield caches["default"]
        caches["default"].delete_pattern("*")


def session_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


@needs_redis
def test_a_signed_in_request_reads_its_session_without_the_database(on_redis, client, patient):
    client.force_login(patient.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/me/")
    assert response.status_code == 200
    assert response.context["user"] == patient.user
    assert session_queries(queries) == []


@needs_redis
def test_losing_the_cache_signs_nobody_out(on_redis, client, patient):
    client.force_login(patient.user)
    on_redis.delete_pattern("*")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/me/")
    assert response.status_code == 200
    assert response.context["user"] == patient.user
    assert len(session_queries(queries)) == 1  # read back from the database, then cached
    with CaptureQueriesContext(connection) as queries:
        client.get("/me/")
    assert session_queries(queries) == []


@needs_redis
@override_settings(RATE_LIMITS={"ask": {"per_user": 3, "per_address": 100}})
def test_rate_limit_counts_are_shared_by_every_worker(on_redis, patient):
    def request_from(address):
        request = RequestFactory().post("/me/ask/", REMOTE_ADDR=address)
        request.user = patient.user
        return request

    for _ in range(3):
        assert seconds_over_limit(request_from("10.0.0.1"), "ask") is None
    # Another worker: a connection of its own to the same Redis sees the same counts.
    other_worker = caches.create_connection("default")
    counts = other_worker.get_many(other_worker.keys("rate:ask:*")).values()
    assert max(counts, default=0) == 3
    other_worker.close()
    assert seconds_over_limit(request_from("10.0.0.2"), "ask") > 0
