"""Emails about what people do are queued once the change commits, except while demo data is
built: a year of invented history would otherwise queue a hundred and more emails to invented
people, and `make run` would print them all over the demo logins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_off: ContextVar[bool] = ContextVar("coparent_notifications_off", default=False)


@contextmanager
def notifications_off() -> Iterator[None]:
    """Inside this block, `notify_on_commit` queues nothing (for demo data only)."""
    token = _off.set(True)
    try:
        yield
    finally:
        _off.reset(token)


def notify_on_commit(enqueue: Callable[[], object]) -> None:
    """Run `enqueue` (which queues a notification task) when the current transaction commits."""
    if _off.get():
        return
    transaction.on_commit(enqueue)
