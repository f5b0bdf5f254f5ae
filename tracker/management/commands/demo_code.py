"""The current second-factor code of a demo staff account (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.management.commands.seed_demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo staff account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        if not settings.LOCAL:
            raise CommandError("demo_code is for development only.")
        device = TOTPDevice.objects.filter(
            user__email=email.lower(), confirmed=True, key=DEMO_TOTP_KEY
        ).first()
        if device is None:
            raise CommandError(f"{email} is not a demo staff account with the demo key.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
