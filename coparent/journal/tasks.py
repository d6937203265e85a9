"""The journal's work in the task worker: the weekly seal of every family's journals in its
record (coparent.journal.anchor). Idempotent: a run within six days of the last seal writes
nothing."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from coparent.infra import periodic
from coparent.journal.anchor import EVERY, anchor_all

ANCHOR_EVERY = EVERY


@task()
def anchor_journals() -> int:
    periodic.schedule_next(anchor_journals)  # first, so a failing run never ends the chain
    return anchor_all(now=timezone.now())
