"""Delete finished task-queue rows older than TASK_RESULT_RETENTION_DAYS. Cron, daily:
30 2 * * *  .venv/bin/python manage.py purge_task_results
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from tracker.messaging.retention import purge_task_results


class Command(BaseCommand):
    help = "Delete finished task results older than TASK_RESULT_RETENTION_DAYS."

    def handle(self, *args, **options):
        deleted = purge_task_results()
        days = settings.TASK_RESULT_RETENTION_DAYS
        self.stdout.write(f"{deleted} finished task result(s) older than {days} days deleted.")
