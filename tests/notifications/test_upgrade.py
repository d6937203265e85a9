"""Upgrading a server whose queue still holds jobs of the tasks the notification centre
replaced: each becomes the centre's job for the same fact, so the people it concerned still
hear of it — once — instead of the worker failing it."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from coparent.notifications.tasks import tell
from coparent.records.models import RecordEntry
from tests.messaging.conftest import start
from tests.notifications.conftest import centre_of

step = import_module("coparent.notifications.migrations.0003_requeue_jobs_of_removed_tasks")


def _old_job(path: str, args: list[object], status: str = "READY") -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=path,
        args_kwargs={"args": args, "kwargs": {}},
        status=status,
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
    )


def test_a_message_job_queued_before_the_upgrade_tells_sam_once(cast):
    message = start(cast)  # its own job never runs here: the old one stands in for it
    waiting = _old_job(step.OLD_MESSAGE, [message.pk])
    gone = _old_job(step.OLD_MESSAGE, [10**9])  # no such message: left alone
    done = _old_job(step.OLD_MESSAGE, [message.pk], status="SUCCESSFUL")

    step.forward(apps, None)

    waiting.refresh_from_db()
    entry = RecordEntry.objects.get(kind="message.sent")
    assert (waiting.task_path, waiting.args_kwargs) == (
        step.TELL,
        {"args": [entry.pk], "kwargs": {}},
    )
    gone.refresh_from_db()
    done.refresh_from_db()
    assert gone.task_path == done.task_path == step.OLD_MESSAGE  # a finished job stays history
    job = import_string(waiting.task_path)
    assert job is tell  # a task the worker can find
    for _ in range(2):  # run twice, as a restarted worker might: Sam hears once
        job.call(*waiting.args_kwargs["args"])
    (notice,) = centre_of(cast.sam)
    assert notice.title.startswith("New message from Alex")


def test_an_event_job_queued_before_the_upgrade_keeps_its_entry(cast):
    from tests.events.conftest import add_party

    party = add_party(cast)
    entry = RecordEntry.objects.filter(kind="event.added").latest("seq")
    waiting = _old_job(step.OLD_EVENT, [str(party.pk), entry.pk])

    step.forward(apps, None)

    waiting.refresh_from_db()
    assert waiting.task_path == step.TELL and waiting.args_kwargs["args"] == [entry.pk]
    tell.call(*waiting.args_kwargs["args"])
    assert [n.kind for n in centre_of(cast.sam)] == ["event"]
