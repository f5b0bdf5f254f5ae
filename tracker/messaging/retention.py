"""How long the task queue keeps finished rows, and removing a person's traces from it.

Rows queued today hold only ids (`tracker.messaging.emails`), but finished rows are still no
use after a while, and rows written before that change held whole e-mails, addresses and
invitation links. `purge_task_results` runs daily (`manage.py purge_task_results`);
`forget_in_task_results` is part of erasing a patient.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

# The old send-anything task stored subject, body and address in its arguments.
RETIRED_TASKS = ("tracker.messaging.tasks.send_email",)


def purge_task_results(now: datetime | None = None) -> int:
    """Delete finished task rows older than TASK_RESULT_RETENTION_DAYS (and every finished
    row of a retired task, whatever its age). Returns how many rows went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
    finished = DBTaskResult.objects.finished()
    doomed = finished.filter(finished_at__lt=cutoff) | finished.filter(task_path__in=RETIRED_TASKS)
    return doomed.delete()[0]


def forget_in_task_results(*needles: str) -> int:
    """Delete task rows whose arguments, result or traceback mention any of `needles`.

    A running row is left to its worker, which would fail if the row vanished under it.
    """
    match = Q()
    for needle in filter(None, needles):
        for form in _stored_forms(needle):
            match |= (
                Q(args_kwargs__icontains=form)
                | Q(return_value__icontains=form)
                | Q(traceback__icontains=form)
            )
    if not match:
        return 0
    rows = DBTaskResult.objects.exclude(status=TaskResultStatus.RUNNING).filter(match)
    return rows.delete()[0]


def _stored_forms(text: str) -> set[str]:
    # JSON columns on SQLite hold non-ASCII letters as \\u escapes ("Zoë" -> "Zo\\u00eb").
    return {text, json.dumps(text)[1:-1]}
