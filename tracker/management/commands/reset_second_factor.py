"""Remove a member of staff's authenticator app (a lost or replaced phone); the new one is
set up through a one-time link, made by the clinic admin or printed here with --link."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.auth.second_factor import SETUP_LINK_VALID_HOURS, issue_setup_link
from tracker.models import Role, User


class Command(BaseCommand):
    help = (
        "Remove a staff member's authenticator app. Setting up a new one then needs a one-time "
        "link: the clinic admin makes it on the clinic page, or --link prints one here."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--link",
            action="store_true",
            help="Also print a one-time set-up link, to give to them yourself.",
        )

    def handle(self, *args, email: str, link: bool, **options):
        user = User.objects.filter(email=email.strip().lower()).exclude(role=Role.PATIENT).first()
        if user is None:
            raise CommandError(f"No member of staff signs in as {email}.")
        if link and not user.is_active:
            raise CommandError(f"{user.email}'s account is deactivated: no set-up link is made.")
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(f"Removed {removed} authenticator app(s) of {user.email}.")
        self.stdout.write(
            "Next: when they sign in with their password they are asked to set up a new app, "
            "and that needs a one-time set-up link (the password alone does not open it)."
        )
        if link:
            self.stdout.write(
                f"One-time set-up link for {user.full_name} <{user.email}>: it works once, "
                f"within {SETUP_LINK_VALID_HOURS} hours, after they sign in with their password. "
                "Give it to them yourself (in person, or on a call you made); it is not shown "
                "again and nothing else is sent to them."
            )
            self.stdout.write(issue_setup_link(user))
            return
        admins = list(
            User.objects.filter(clinic_id=user.clinic_id, role=Role.ADMIN, is_active=True)
            .exclude(pk=user.pk)
            .order_by("full_name")
            .values_list("full_name", flat=True)
        )
        if admins:
            self.stdout.write(
                f"Their clinic admin ({', '.join(admins)}) makes the link on the clinic page "
                '(Staff, "Make a set-up link"), or run this command again with --link to '
                "print one here."
            )
        else:
            self.stdout.write(
                "Their clinic has no other admin to make the link: run this command again with "
                "--link to print one here."
            )
