"""Tests that need real task-table rows: the database task backend and a worker in-process."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def use_database_queue(settings) -> None:
    """Queue tasks in `django_tasks_database_dbtaskresult` instead of running them at once
    (`settings` is pytest-django's fixture, which undoes this after the test)."""
    settings.TASKS = DATABASE_TASKS


def run_queued() -> int:
    """Run every ready task as `manage.py db_worker` would, inside the test's transaction."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (row := DBTaskResult.objects.ready().first()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)
        ran += 1
    return ran
