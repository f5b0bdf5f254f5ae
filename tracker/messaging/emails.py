"""Every e-mail Laminar sends: a template pair, rendered and sent from this one module.

An e-mail called `name` is `templates/tracker/emails/<name>_subject.txt` (one line) and
`<name>_body.txt` (plain text). E-mails leave the system, so the templates carry no clinical
detail: a greeting, a link into the app and, at most, the clinic's phone number.

Two ways in:

* `send(name, to, context)` renders and sends at once, raising when the mail server refuses.
  Code that already runs in a worker and keeps its own delivery record (flag notifications)
  calls it inside that bookkeeping; a task without one (the daily reminder) calls
  `send_from_task`, whose error names the e-mail but not the address.
* `queue(name, *ids)` queues an e-mail once the current transaction commits. The task table
  receives only the template name and primary keys; the worker looks the rows up and builds
  the text with the composer registered for `name` in `COMPOSERS`. So no address, name or
  link ever rests in `django_tasks_database_dbtaskresult`, and a failure stored there says
  which e-mail failed but not to whom.

Invitation links are a secret the database must never hold in clear. An invitation is
created with a hash no token can produce (`tracker.care.enrolment.unsent_token_hash`) and
queued by its id; the worker draws a fresh token, stores only its hash on the invitation,
and puts the clear token in the e-mail it sends. The token exists in the worker's memory and
the e-mail, nowhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template import Context, engines
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Template name -> the function (dotted path) that turns queued ids into a `Letter`, or None
# when there is nothing to send any more. Paths, not imports: the composers live beside their
# features, which themselves queue e-mails through this module.
COMPOSERS = {
    "invitation": "tracker.care.enrolment.invitation_letter",
    "enrolment_attempt": "tracker.care.enrolment.enrolment_attempt_letter",
    "question_reply": "tracker.care.questions.reply_letter",
    "silence_reminder": "tracker.messaging.notifications.silence_letter",
}


@dataclass(frozen=True)
class Letter:
    """Whom a queued e-mail goes to and what its templates are given."""

    to: str
    context: dict = field(default_factory=dict)


class EmailNotSent(Exception):
    """A queued e-mail failed; says which template, never the address or the text."""


def render(name: str, context: dict) -> tuple[str, str]:
    """The subject (folded onto one line) and body of e-mail `name`."""
    # Plain text: a name such as "O'Brien" or "A & E" must not come out HTML-escaped.
    engine = engines["django"].engine
    subject, body = (
        engine.get_template(f"tracker/emails/{name}_{part}.txt").render(
            Context(context, autoescape=False)
        )
        for part in ("subject", "body")
    )
    return " ".join(subject.split()), body


def send(name: str, to: str, context: dict) -> None:
    """Render e-mail `name` for `to` and send it now. Mail server errors propagate."""
    subject, body = render(name, context)
    send_mail(subject, body, None, [to])


def queue(name: str, *ids: int) -> None:
    """Send e-mail `name` from the worker once this transaction commits; only ids are queued."""
    if name not in COMPOSERS:
        raise KeyError(f"No composer for the e-mail {name!r}.")
    keys = [int(pk) for pk in ids]
    transaction.on_commit(lambda: deliver_email.enqueue(name, keys))


def send_from_task(name: str, to: str, context: dict) -> None:
    """`send`, for a task: a failure is re-raised naming only the e-mail, because the task
    table stores the traceback and a mail server's message often quotes the address."""
    try:
        send(name, to, context)
    except Exception as error:  # any mail server failure
        logger.warning("E-mail %s failed: %s", name, type(error).__name__)
        raise EmailNotSent(f"The {name} e-mail was not sent ({type(error).__name__}).") from None


@task
def deliver_email(name: str, ids: list[int]) -> str:
    """The worker's half of `queue`: look the rows up, build the text, send."""
    letter = import_string(COMPOSERS[name])(*ids)
    if letter is None:
        return "skipped"
    send_from_task(name, letter.to, letter.context)
    return "sent"
