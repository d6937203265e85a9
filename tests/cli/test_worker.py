"""Issue #8: the task worker outlasts a busy database. One long upload on SQLite used to hold
the write lock past `busy_timeout`; the worker's "database is locked" ended it, and with it
`coparent serve`. Now it logs the error, waits a little longer each time, and carries on."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from coparent.cli import worker
from coparent.notifications.tasks import tell
from coparent.records.models import RecordEntry
from tests.messaging.conftest import start


@pytest.fixture
def queued(cast, settings, monkeypatch):
    """Alex's message to Sam, the job that tells Sam of it queued in the database as the real
    site queues it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker runs inside the test's transaction, where the library's housekeeping (closing
    # a connection that is not in autocommit) would end the test's own connection on PostgreSQL.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    start(cast)
    mail.outbox.clear()
    return tell.enqueue(RecordEntry.objects.get(family=cast.family, kind="message.sent").pk)


def _locked(monkeypatch, times, error):
    """The worker's next `times` attempts to take the queue's lock fail with `error`."""
    real = db_worker.exclusive_transaction
    failures = iter(range(times))

    def take_the_lock(using=None):
        if next(failures, None) is not None:
            raise error
        return real(using)

    monkeypatch.setattr(db_worker, "exclusive_transaction", take_the_lock)


def test_the_worker_waits_out_a_locked_database_then_sends_the_email(queued, monkeypatch, caplog):
    _locked(monkeypatch, 3, OperationalError("database is locked"))
    caplog.set_level(logging.WARNING, logger="coparent.worker")

    ran = worker.build(max_tasks=1, first_backoff=0.01)
    ran.run()

    assert ran.retries == 3
    assert DBTaskResult.objects.get(pk=queued.id).status == "SUCCESSFUL"
    assert [m.to for m in mail.outbox] == [["sam@example.org"]]
    waits = [r.getMessage() for r in caplog.records]
    assert waits == [
        "Task worker: database error (database is locked); trying again in 0.0 s.",
        "Task worker: database error (database is locked); trying again in 0.0 s.",
        "Task worker: database error (database is locked); trying again in 0.0 s.",
    ]


def test_the_waits_double_up_to_a_ceiling(queued, monkeypatch):
    _locked(monkeypatch, 6, OperationalError("server closed the connection unexpectedly"))
    slept = []
    monkeypatch.setattr(worker.time, "sleep", slept.append)

    worker.build(max_tasks=1, first_backoff=8.0).run()

    assert slept == [8.0, 16.0, 30.0, 30.0, 30.0, 30.0]


def test_any_other_error_still_ends_the_worker(queued, monkeypatch):
    """A bug is not waited out: the process ends, and `coparent serve` starts a new one."""
    _locked(monkeypatch, 1, RuntimeError("a bug"))
    with pytest.raises(RuntimeError):
        worker.build(max_tasks=1, first_backoff=0.01).run()
