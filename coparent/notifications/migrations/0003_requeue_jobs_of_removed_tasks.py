"""Jobs queued before the notification centre took over messages' and events' emails name
tasks that no longer exist (`coparent.messaging.tasks.notify_new_message`,
`coparent.events.tasks.notify_event_news`): the worker would fail each once and the people
they concerned would hear nothing. Each waiting one becomes the centre's job for the same
record entry (`coparent.notifications.tasks.tell`), which tells them on every channel they
chose — once, as it is idempotent. A message job whose entry cannot be found is left as it was
(it fails once, as before)."""

from typing import Any

from django.db import migrations

TELL = "coparent.notifications.tasks.tell"
OLD_MESSAGE = "coparent.messaging.tasks.notify_new_message"
OLD_EVENT = "coparent.events.tasks.notify_event_news"


def _argument(job: Any, position: int, name: str) -> Any:
    call = job.args_kwargs or {}
    args = call.get("args") or []
    if len(args) > position:
        return args[position]
    return (call.get("kwargs") or {}).get(name)


def forward(apps: Any, schema_editor: Any) -> None:
    Job = apps.get_model("django_tasks_database", "DBTaskResult")
    Entry = apps.get_model("records", "RecordEntry")
    waiting = Job.objects.filter(status="READY", task_path__in=[OLD_MESSAGE, OLD_EVENT])
    for job in waiting.iterator():
        if job.task_path == OLD_EVENT:
            entry_id = _argument(job, 1, "entry_id")
        else:
            message_id = _argument(job, 0, "message_id")
            entry_id = (
                Entry.objects.filter(kind="message.sent", data__message=str(message_id))
                .values_list("pk", flat=True)
                .first()
            )
        if entry_id is None:
            continue
        job.task_path = TELL
        job.args_kwargs = {"args": [int(entry_id)], "kwargs": {}}
        job.save(update_fields=["task_path", "args_kwargs"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_message_settings_from_messaging"),
        ("records", "0006_exportjob_timezone"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
