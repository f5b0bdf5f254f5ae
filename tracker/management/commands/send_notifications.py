"""Send flag e-mails that are due: new ones the worker has not sent yet, and retries.
Cron, every few minutes:
    */5 * * * *  .venv/bin/python manage.py send_notifications
Daily digest of soon/review flags:
    0 7 * * *  .venv/bin/python manage.py send_notifications --digest
"""

from django.core.management.base import BaseCommand

from tracker.messaging.notifications import send_daily_digest, send_due_immediate


class Command(BaseCommand):
    help = "Send due flag notifications (and, with --digest, the daily digest)."

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="Send the daily digest.")

    def handle(self, *args, digest=False, **options):
        counts = send_due_immediate()
        self.stdout.write(f"Immediate: {counts['sent']} sent, {counts['failed']} failed.")
        if digest:
            self.stdout.write(f"Digest: {send_daily_digest()} e-mail(s) sent.")
