"""Remove a member of staff's authenticator app (a lost or replaced phone): at their next
sign-in they set up a new one."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import Role, User


class Command(BaseCommand):
    help = "Remove a staff member's TOTP device so they set up a new one at the next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        user = User.objects.filter(email=email.strip().lower()).exclude(role=Role.PATIENT).first()
        if user is None:
            raise CommandError(f"No member of staff signs in as {email}.")
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(f"Removed {removed} authenticator app(s) of {user.email}.")
