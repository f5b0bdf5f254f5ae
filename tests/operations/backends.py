"""The two real task queues for tests: the database (django-tasks-db) and RQ on Redis.

`use_backend(name, settings, worker_id)` points Django's tasks API at one of them and returns
a function that runs every waiting task in this process, as a worker would, inside the test's
transaction. RQ's tests use a Redis database of their own per test process (`redis_url`),
emptied before and after; they are skipped, saying why, when Redis is not reachable at
127.0.0.1:6379.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from tests.messaging.queue import DATABASE_TASKS, run_queued

REDIS_HOST = "redis://127.0.0.1:6379"
BACKENDS = ("db", "rq")


def redis_url(worker_id: str) -> str:
    """A Redis database for this test process: one of 1 to 12 by process id, so that test
    processes running side by side (pytest-xdist, or two runs on one machine) rarely share
    one. 0 is the application's default, 13 and 14 the benchmarks'."""
    return f"{REDIS_HOST}/{os.getpid() % 12 + 1}"


def use_backend(name: str, settings, worker_id: str) -> Callable[[], int]:
    if name == "db":
        settings.TASKS = DATABASE_TASKS
        return run_queued
    import redis

    url = redis_url(worker_id)
    try:
        connection = redis.Redis.from_url(url, socket_connect_timeout=1)
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_HOST} (start redis-server): RQ not tested")
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    return run_rq


def run_rq() -> int:
    """Run every queued RQ job in this process (RQ's SimpleWorker forks nothing), until the
    queue is empty, as `manage.py rqworker --job-class django_tasks_rq.Job` would."""
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=Job)
    ran = 0
    while queue.count:
        ran += queue.count
        worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
        worker.work(burst=True, with_scheduler=False, logging_level="WARNING")
    return ran


def flush(settings) -> None:
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
        import redis

        redis.Redis.from_url(settings.RQ_QUEUES["default"]["URL"]).flushdb()


@pytest.fixture(params=BACKENDS)
def task_queue(request, settings, worker_id):
    """Each test that takes it runs twice: on the database queue and on RQ."""
    drain = use_backend(request.param, settings, worker_id)
    yield drain
    flush(settings)
