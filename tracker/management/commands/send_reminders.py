"""Queue today's check-in reminders for every patient who is due (run every 15 minutes)."""

from django.core.management.base import BaseCommand

from tracker.messaging.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Queue a daily check-in reminder for each patient whose reminder time has passed."

    def handle(self, *args, **options):
        queued = send_due_reminders()
        self.stdout.write(f"{queued} reminder(s) queued.")
