"""Work the task worker does on a clock (the notification centre's reminder scan), without cron.

A periodic task is an ordinary task that, each time it runs, first queues its next run
`every` later (a task with `run_after`, which the database backend keeps until it is due), so
the chain goes on even when one run fails. `coparent worker` starts each chain when it starts
(`start_all`); a chain already waiting is left alone, so restarts and several workers do not
multiply it — and when two workers start one each at the same moment, the next run of either
sees the other's waiting and does not queue its own, so they fold back into one. The tasks
themselves must be idempotent (a second run in the same minute must send nothing twice).

With a backend that cannot defer (the tests' immediate one), nothing is chained: tests call
the task's work with the clock where they want it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

AnyTask = Task[[], Any]


@dataclass(frozen=True)
class Periodic:
    task: AnyTask
    every: timedelta


_REGISTERED: dict[str, Periodic] = {}


def register(task: AnyTask, *, every: timedelta) -> None:
    """Run `task` (no arguments) every `every`, from the worker's start on. Called from an
    app's AppConfig.ready()."""
    _REGISTERED[task.module_path] = Periodic(task=task, every=every)


def registered() -> list[Periodic]:
    return list(_REGISTERED.values())


def _chains(task: AnyTask) -> bool:
    return isinstance(task.get_backend(), DatabaseBackend)


def _waiting(task: AnyTask) -> bool:
    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_next(task: AnyTask) -> bool:
    """Queue the next run of periodic `task` (called by the task itself, first thing), unless
    a run is already waiting. Returns whether it queued one."""
    periodic = _REGISTERED.get(task.module_path)
    if periodic is None or not _chains(task) or _waiting(task):
        return False
    task.using(run_after=timezone.now() + periodic.every).enqueue()
    return True


def start_all() -> int:
    """Queue a first run of every periodic task that has none waiting (the worker's start).
    Returns how many it queued."""
    started = 0
    for periodic in _REGISTERED.values():
        if _chains(periodic.task) and not _waiting(periodic.task):
            periodic.task.enqueue()
            started += 1
    return started
