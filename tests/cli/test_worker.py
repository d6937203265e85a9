"""Issue #8: the task worker outlasts a busy database. One long upload on SQLite used to hold
the write lock past `busy_timeout`; the worker's "database is locked" ended it, and with it
`coparent serve`. Now it logs the error, waits a little longer each time, and carries on."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from coparent.cli import worker
from coparent.notifications import tasks
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


# --- A task that meets a database error is run again, never once it has finished --------------


def _store_fails(monkeypatch, times: int) -> list[str]:
    """The next `times` runs of the job lose the database while storing Sam's notification;
    returns the list of what each run did."""
    real = tasks.services.store
    runs: list[str] = []

    def store(drafts):
        if len(runs) < times:
            runs.append("lost the database")
            raise OperationalError("server closed the connection unexpectedly")
        runs.append("stored")
        return real(drafts)

    monkeypatch.setattr(tasks.services, "store", store)
    return runs


def test_a_task_that_lost_the_database_runs_again_and_tells_sam_once(queued, monkeypatch, caplog):
    runs = _store_fails(monkeypatch, 2)
    caplog.set_level(logging.WARNING, logger="coparent.worker")

    worker.build(max_tasks=3, first_backoff=0.01, retry_delay=0.0).run()

    result = DBTaskResult.objects.get(pk=queued.id)
    assert runs == ["lost the database", "lost the database", "stored"]
    assert result.status == "SUCCESSFUL"
    assert len(result.worker_ids) == 3  # one claim per run
    assert [m.to for m in mail.outbox] == [["sam@example.org"]]
    assert "run 1 of at most 5, trying again in 0.0 s" in caplog.records[0].getMessage()


def test_the_runs_again_wait_longer_each_time_and_stop_at_five(queued, monkeypatch):
    runs = _store_fails(monkeypatch, 99)
    due: list[float] = []
    for _attempt in range(worker.MAX_ATTEMPTS):
        before = timezone.now()
        worker.build(max_tasks=1, first_backoff=0.01, retry_delay=2.0).run()
        row = DBTaskResult.objects.get(pk=queued.id)
        if row.status == "READY":  # put back, due after its wait; the clock jumps to it
            due.append(round((row.run_after - before).total_seconds()))
            DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())

    result = DBTaskResult.objects.get(pk=queued.id)
    assert due == [2, 4, 8, 16]
    assert len(runs) == worker.MAX_ATTEMPTS
    assert result.status == "FAILED"
    assert result.exception_class_path == "django.db.utils.OperationalError"
    assert mail.outbox == []


def test_a_task_that_finished_is_not_run_again_when_recording_it_fails(queued, monkeypatch):
    """The job told Sam; then the database went away while the worker wrote "successful". The
    worker waits for the database and writes it; the job is not run a second time."""
    runs = _store_fails(monkeypatch, 0)
    real = DBTaskResult.set_successful
    failures = iter(range(4))

    def set_successful(self, value):
        if next(failures, None) is not None:
            raise OperationalError("the database system is shutting down")
        return real(self, value)

    monkeypatch.setattr(DBTaskResult, "set_successful", set_successful)
    ran = worker.build(max_tasks=1, first_backoff=0.01, retry_delay=0.0)
    ran.run()

    result = DBTaskResult.objects.get(pk=queued.id)
    assert runs == ["stored"]
    assert result.status == "SUCCESSFUL"
    assert len(result.worker_ids) == 1
    assert ran.retries == 4
    assert [m.to for m in mail.outbox] == [["sam@example.org"]]


def test_a_task_that_fails_for_another_reason_is_not_run_again(queued, monkeypatch):
    def store(drafts):
        raise ValueError("a bug in the task")

    monkeypatch.setattr(tasks.services, "store", store)

    worker.build(max_tasks=1, first_backoff=0.01, retry_delay=0.0).run()

    result = DBTaskResult.objects.get(pk=queued.id)
    assert result.status == "FAILED"
    assert result.exception_class_path == "builtins.ValueError"
    assert len(result.worker_ids) == 1
