"""The requests' work in the task worker: every few minutes, the reminders due before a request
falls due and the expiry of those past due (services.remind_due, services.expire_due). Both are
idempotent: a second run, a second worker or a restart mid-run sends and expires nothing twice."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from coparent.infra import periodic
from coparent.requests.services import expire_due, remind_due

SCAN_EVERY = timedelta(minutes=5)


@task()
def scan_requests() -> int:
    """The periodic scan (registered in RequestsConfig.ready): expiry first, so a request past
    due is never reminded of."""
    periodic.schedule_next(scan_requests)  # first, so a failing scan never ends the chain
    now = timezone.now()
    return expire_due(now=now) + remind_due(now=now)
