"""The task worker: django-tasks-db's database worker, made to outlast a busy database.

The stock worker stops at the first database error outside a task: on SQLite, a writer that
holds the lock longer than `busy_timeout` makes its "database is locked" end the process, and a
PostgreSQL restart ends it with "server closed the connection". Here such an error is logged
and the worker waits and tries again, twice as long each time up to `MAX_BACKOFF` seconds (from
`FIRST_BACKOFF` again after a quiet minute). Any other error still ends the process (and
`coparent serve` starts a new one).

A task that fails on such an error is recorded as failed like any other, by the library; it is
not run again, since sending an email twice is worse than once too few.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from coparent.infra import periodic

logger = logging.getLogger("coparent.worker")

FIRST_BACKOFF = 0.5  # seconds
MAX_BACKOFF = 30.0


class ResilientWorker(Worker):
    """`Worker` whose loop survives transient database errors (see the module's docstring)."""

    def __init__(
        self, *, first_backoff: float = FIRST_BACKOFF, start_periodic: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.first_backoff = first_backoff
        self.retries = 0  # transient errors met so far, for the tests and the log
        # Queue the first run of each periodic task unless one waits (once, in the loop below,
        # so a database busy at start is waited out like any other moment).
        self.start_periodic = start_periodic

    def run(self) -> None:
        backoff, last_error = self.first_backoff, 0.0
        while self.running:
            try:
                if self.start_periodic:
                    periodic.start_all()
                    self.start_periodic = False
                super().run()
                return  # the loop ended by itself (batch or max_tasks) or was asked to stop
            except (OperationalError, InterfaceError) as error:
                if not self.running:
                    raise
                if time.monotonic() - last_error > 2 * MAX_BACKOFF:
                    backoff = self.first_backoff  # a new spell of trouble, not the same one
                last_error = time.monotonic()
                self.retries += 1
                logger.warning(
                    "Task worker: database error (%s); trying again in %.1f s.",
                    str(error).strip() or type(error).__name__,
                    backoff,
                )
                # The next round starts on a new connection, whatever state this one is in
                # (one inside a transaction the worker did not open is not its to close).
                for connection in connections.all(initialized_only=True):
                    if not connection.in_atomic_block:
                        connection.close()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)


def build(
    *,
    max_tasks: int | None = None,
    first_backoff: float = FIRST_BACKOFF,
    start_periodic: bool = False,
) -> ResilientWorker:
    """A worker for every queue of the default backend (`max_tasks`: stop after that many;
    `start_periodic`: start the periodic tasks first, as `coparent worker` does)."""
    return ResilientWorker(
        queue_names=["*"],
        interval=1.0,
        batch=False,
        backend_name="default",
        startup_delay=max_tasks is None,
        max_tasks=max_tasks,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
        first_backoff=first_backoff,
        start_periodic=start_periodic,
    )


def run() -> None:
    """Run tasks until stopped (SIGINT or SIGTERM, handled by the library), starting the
    periodic tasks first (the reminder scan, coparent.infra.periodic)."""
    worker = build(start_periodic=True)
    worker.configure_signals()
    worker.run()
