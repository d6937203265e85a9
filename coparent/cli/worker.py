"""The task worker: django-tasks-db's database worker, made to outlast a busy database.

The stock worker stops at the first database error outside a task: on SQLite, a writer that
holds the lock longer than `busy_timeout` makes its "database is locked" end the process, and a
PostgreSQL restart ends it with "server closed the connection". Here such an error is logged
and the worker waits and tries again, twice as long each time up to `MAX_BACKOFF` seconds (from
`FIRST_BACKOFF` again after a quiet minute). Any other error still ends the process (and
`coparent serve` starts a new one).

A task whose own run fails on such an error (the database went away under it) is put back in
the queue and run again later: after `RETRY_DELAY` seconds, then twice as long each time, at
most `MAX_ATTEMPTS` runs in all, then recorded as failed. That is safe because every task is
written to be run twice (a worker killed mid-task is the same case): it reads the database only
before its one email (an invitation, a security notice), or notes what it did in the database
before or with doing it (notifications unique per person and key, an export claimed in one
UPDATE, a digest's row written with its email, a periodic task's next run queued once).

A task whose run finished is never run again: if the database goes away while its success is
being recorded, the worker waits for the database and records it, with the same waits as above.
Any other failure of a task is recorded as failed at once and not run again, since sending an
email twice is worse than once too few.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from coparent.infra import periodic

logger = logging.getLogger("coparent.worker")

FIRST_BACKOFF = 0.5  # seconds
MAX_BACKOFF = 30.0
# A task that met a transient database error runs again after these many seconds, doubled for
# each later attempt (5, 10, 20, 40 s), and runs at most this many times in all.
RETRY_DELAY = 5.0
MAX_ATTEMPTS = 5
TRANSIENT = (OperationalError, InterfaceError)


class ResilientWorker(Worker):
    """`Worker` whose loop survives transient database errors (see the module's docstring)."""

    def __init__(
        self,
        *,
        first_backoff: float = FIRST_BACKOFF,
        start_periodic: bool = False,
        retry_delay: float = RETRY_DELAY,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.first_backoff = first_backoff
        self.retry_delay = retry_delay
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
                _fresh_connections()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        """Run one claimed task and record how it ended (the library's, plus the retries of
        the module's docstring)."""
        self.running_task = True
        try:
            try:
                task = db_task_result.task
                result = db_task_result.task_result
                sender = type(task.get_backend())
                task_started.send(sender=sender, task_result=result)
                args = result.args
                if task.takes_context:
                    args = [TaskContext(task_result=result), *args]
                value = task.call(*args, **result.kwargs)
            except BaseException as error:
                if isinstance(error, TRANSIENT) and self._retry(db_task_result, error):
                    return
                self._persist(partial(db_task_result.set_failed, error))
                self._finished(db_task_result)
                return
            # The task's work is done: from here on it is only recorded, never run again.
            try:
                self._persist(partial(db_task_result.set_successful, value))
            except TRANSIENT:
                raise
            except Exception as error:  # a return value that cannot be stored (JSON)
                self._persist(partial(db_task_result.set_failed, error))
            self._finished(db_task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _retry(self, db_task_result: DBTaskResult[Any, Any], error: BaseException) -> bool:
        """Put a task that met a transient database error back in the queue, due after its
        wait; False when it has had its MAX_ATTEMPTS runs (each run's claim adds the worker's
        id to `worker_ids`, so that list counts them)."""
        attempts = len(db_task_result.worker_ids)
        if attempts >= MAX_ATTEMPTS:
            return False
        delay = self.retry_delay * 2 ** (attempts - 1)
        logger.warning(
            "Task %s (%s) met a database error (%s); run %d of at most %d, trying again in %.1f s.",
            db_task_result.id,
            db_task_result.task_path,
            str(error).strip() or type(error).__name__,
            attempts,
            MAX_ATTEMPTS,
            delay,
        )

        def requeue() -> None:
            # Only while it is still ours (RUNNING): the row is the queue's truth.
            DBTaskResult.objects.filter(pk=db_task_result.pk, status="RUNNING").update(
                status="READY",
                run_after=timezone.now() + timedelta(seconds=delay),
                exception_class_path=f"{type(error).__module__}.{type(error).__qualname__}",
                traceback=str(error),
            )

        self._persist(requeue)
        return True

    def _persist(self, write: Callable[[], object]) -> None:
        """Do `write` (a task's outcome), waiting out a database that is away, as the loop
        does: the outcome must reach the database, or the task would stay RUNNING for ever. A
        worker asked to stop tries once more and gives up (the row then stays RUNNING, as for
        a worker killed mid-task)."""
        backoff = self.first_backoff
        while True:
            try:
                write()
                return
            except TRANSIENT as error:
                if not self.running:
                    raise
                self.retries += 1
                logger.warning(
                    "Task worker: database error (%s) recording a task; trying again in %.1f s.",
                    str(error).strip() or type(error).__name__,
                    backoff,
                )
                _fresh_connections()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    @staticmethod
    def _finished(db_task_result: DBTaskResult[Any, Any]) -> None:
        try:
            sender = type(db_task_result.task.get_backend())
        except (ImportError, SuspiciousOperation):
            logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
            return
        task_finished.send(sender=sender, task_result=db_task_result.task_result)


def _fresh_connections() -> None:
    """The next try starts on a new connection, whatever state this one is in (one inside a
    transaction the worker did not open is not its to close)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def build(
    *,
    max_tasks: int | None = None,
    first_backoff: float = FIRST_BACKOFF,
    start_periodic: bool = False,
    retry_delay: float = RETRY_DELAY,
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
        retry_delay=retry_delay,
    )


def run() -> None:
    """Run tasks until stopped (SIGINT or SIGTERM, handled by the library), starting the
    periodic tasks first (the reminder scan, coparent.infra.periodic)."""
    worker = build(start_periodic=True)
    worker.configure_signals()
    worker.run()
