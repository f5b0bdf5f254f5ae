"""The readiness check from the command line, for a monitor without HTTP access:

    .venv/bin/python manage.py check_ready --deep

Without --deep only the database is asked (what /healthz answers); --deep reports what
/healthz/ready does. Prints JSON; exits with an error when not ready.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from tracker.operations.readiness import database_ok, readiness


class Command(BaseCommand):
    help = "Check the database (and, with --deep, the queue and the nightly evaluation)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--deep",
            action="store_true",
            help="Also the task queue and the age of the last complete nightly evaluation.",
        )

    def handle(self, *args, deep=False, **options):
        if deep:
            ready, body = readiness()
        else:
            ready = database_ok()
            body = {
                "status": "ok" if ready else "error",
                "database": "ok" if ready else "unreachable",
            }
        self.stdout.write(json.dumps(body, indent=2))
        if not ready:
            raise CommandError(f"Not ready: {body['status']}.")
