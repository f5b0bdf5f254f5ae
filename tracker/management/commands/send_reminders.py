"""Queue today's check-in reminders for every patient who is due (run every 15 minutes).

One task per batch of NIGHTLY_BATCH_SIZE patients (tracker.operations.nightly); `--inline`
works through them in this process, `--resume` queues again a batch whose worker stopped.
"""

from django.core.management.base import BaseCommand

from tracker.models import JobRun
from tracker.operations import nightly


class Command(BaseCommand):
    help = "Queue a daily check-in reminder for each patient whose reminder time has passed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--inline", action="store_true", help="Work through every batch in this process."
        )
        parser.add_argument(
            "--resume", action="store_true", help="Only queue again stalled batches."
        )

    def handle(self, *args, inline=False, resume=False, **options):
        if resume:
            count = nightly.resume_stalled(JobRun.SEND_REMINDERS)
            self.stdout.write(f"{count} stalled batch(es) queued again.")
            return
        run = nightly.start_run(JobRun.SEND_REMINDERS, nightly.reminder_ids())
        nightly.dispatch(run, inline=inline)
        run.refresh_from_db()
        if run.finished_at is not None:  # inline, or a backend that ran the tasks at once
            self.stdout.write(f"{run.sent} reminder(s) queued.")
        else:
            self.stdout.write(f"Queued {run.batches} batch(es) of reminders (run {run.pk}).")
