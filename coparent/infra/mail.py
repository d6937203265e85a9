"""Email: the one place emails are rendered and sent, and the development backend that prints
them to the console and keeps a file copy in the data folder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.mail import send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.message import EmailMessage
from django.template import engines


class DevelopmentEmailBackend(BaseEmailBackend):
    """Send each message to both the console and `DATA_DIR/emails/`, so a developer can click
    a confirmation link from either place."""

    def __init__(self, fail_silently: bool = False, **kwargs: object) -> None:
        super().__init__(fail_silently=fail_silently)
        self._console = ConsoleBackend(fail_silently=fail_silently)
        self._file = FileBackend(fail_silently=fail_silently)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self._console.send_messages(email_messages)
        return self._file.send_messages(email_messages)


def render_text(template_name: str, context: Mapping[str, Any]) -> str:
    """Render a plain-text template (an email's body or subject) through the "text" template
    engine, which never HTML-escapes: in a text email "O'Brien & Sons" must stay exactly that,
    not "O&#x27;Brien &amp; Sons". HTML pages keep the default, escaping engine."""
    return engines["text"].get_template(template_name).render(dict(context))


def send_email(
    *,
    template: str,
    context: Mapping[str, Any],
    to: str,
    body_template: str | None = None,
    from_email: str | None = None,
) -> None:
    """Every email Coparent sends goes through here (tests/test_emails.py checks it), one
    recipient per message, from the site's own address unless `from_email` says otherwise.

    `template` names both files ("families/email/invitation" is `..._subject.txt` and
    `....txt`); Django's password reset names them itself, so `template` may also be the
    subject's file with `body_template` the body's. The subject is made one line whatever the
    template or the names in it hold."""
    if body_template is None:
        subject_template, body_template = f"{template}_subject.txt", f"{template}.txt"
    else:
        subject_template = template
    subject = " ".join(render_text(subject_template, context).split())
    body = render_text(body_template, context)
    send_mail(subject=subject, message=body, from_email=from_email, recipient_list=[to])
