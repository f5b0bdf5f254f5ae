"""Background work, run by the task queue (`manage.py db_worker` in production)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task


@task
def send_email(to: list[str], subject: str, body: str) -> None:
    """Send one plain-text e-mail. E-mails leave the system: never put clinical detail in them."""
    send_mail(subject, body, None, to)
