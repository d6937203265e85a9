"""`coparent manage send_message_digests`: send today's digests now, to everyone who has not
had theirs (the worker sends them by itself at 18:00 in each person's zone; this is for an
operator who wants them out earlier, or runs no worker). Safe to run twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coparent.notifications.tasks import send_digests


class Command(BaseCommand):
    help = "Email each person who chose the daily digest about their unopened messages."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"{sent} digest(s) sent")
