"""Development email: print to the console and keep a file copy in the data folder."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.message import EmailMessage


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
