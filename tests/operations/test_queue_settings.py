"""The queue and the database pool are chosen from the environment (config/settings.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

SHOW = (
    "import json; from django.conf import settings; print(json.dumps({"
    "'tasks': settings.TASKS['default']['BACKEND'], 'rq': settings.RQ_QUEUES['default']['URL'],"
    "'apps': [a for a in settings.INSTALLED_APPS if 'rq' in a],"
    "'options': settings.DATABASES['default'].get('OPTIONS', {}),"
    "'max_age': settings.DATABASES['default'].get('CONN_MAX_AGE')}))"
)


def settings_with(**env) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("DJANGO_ENV", "TASKS_BACKEND", "REDIS_URL", "DATABASE_URL", "DB_POOL", "SECRET_KEY")
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SHOW],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_database_queue_is_the_default():
    shown = settings_with(DJANGO_ENV="development")
    assert shown["tasks"] == "django_tasks_db.DatabaseBackend" and shown["apps"] == []


def test_tasks_backend_rq_puts_the_queue_on_redis():
    shown = settings_with(
        DJANGO_ENV="development", TASKS_BACKEND="rq", REDIS_URL="redis://10.1.2.3:6379/4"
    )
    assert shown["tasks"] == "django_tasks_rq.RQBackend"
    assert shown["rq"] == "redis://10.1.2.3:6379/4"
    assert shown["apps"] == ["django_rq", "django_tasks_rq"]


def test_rq_in_production_needs_redis_url():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment.update(DJANGO_ENV="production", SECRET_KEY="x" * 50, TASKS_BACKEND="rq")
    environment.pop("REDIS_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SHOW], env=environment, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0 and "TASKS_BACKEND=rq needs REDIS_URL" in result.stderr


def test_postgresql_in_production_pools_its_connections_and_sqlite_never():
    shown = settings_with(
        DJANGO_ENV="production",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://laminar@db.example:5432/laminar",
        DB_POOL_MAX_SIZE="6",
    )
    assert shown["options"]["pool"] == {"min_size": 1, "max_size": 6, "timeout": 10}
    assert shown["max_age"] == 0  # a pool and persistent connections exclude each other
    off = settings_with(
        DJANGO_ENV="production",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://laminar@db.example:5432/laminar",
        DB_POOL="0",
    )
    assert "pool" not in off["options"]
    sqlite = settings_with(DJANGO_ENV="production", SECRET_KEY="x" * 50, DB_POOL="1")
    assert "pool" not in sqlite["options"]
