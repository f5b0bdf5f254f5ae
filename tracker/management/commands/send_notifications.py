"""Send flag e-mails that are due: new ones the worker has not sent yet, and retries.
Cron, every few minutes:
    */5 * * * *  .venv/bin/python manage.py send_notifications
Daily digest of soon/review flags, one task per batch of staff (tracker.operations.nightly):
    0 7 * * *  .venv/bin/python manage.py send_notifications --digest
"""

from django.core.management.base import BaseCommand

from tracker.messaging.notifications import digest_recipients, send_due_immediate
from tracker.models import JobRun
from tracker.operations import nightly


class Command(BaseCommand):
    help = "Send due flag notifications (and, with --digest, the daily digest)."

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="Send the daily digest.")
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Send the digest from this process instead of queueing it for the workers.",
        )
        parser.add_argument(
            "--resume", action="store_true", help="Only queue again stalled digest batches."
        )

    def handle(self, *args, digest=False, inline=False, resume=False, **options):
        if resume:
            count = nightly.resume_stalled(JobRun.DIGEST)
            self.stdout.write(f"{count} stalled batch(es) queued again.")
            return
        counts = send_due_immediate()
        self.stdout.write(f"Immediate: {counts['sent']} sent, {counts['failed']} failed.")
        if not digest:
            return
        run = nightly.start_run(JobRun.DIGEST, digest_recipients())
        nightly.dispatch(run, inline=inline)
        run.refresh_from_db()
        if run.finished_at is not None:
            self.stdout.write(f"Digest: {run.sent} e-mail(s) sent.")
        else:
            self.stdout.write(f"Digest: queued {run.batches} batch(es) (run {run.pk}).")
