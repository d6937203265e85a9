"""The demo: each demo parent finds their latest news in the notification centre, a few of
them unread — and nothing was emailed, pushed or queued for the invented people."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core import mail
from django_tasks_db.models import DBTaskResult

from coparent.cli.demo_data import build_demo
from coparent.notifications.models import Delivery, Notification
from coparent.notifications.selectors import centre, unread_count

NOW = datetime(2027, 3, 14, 15, 0, tzinfo=UTC)


def test_the_demo_parents_find_a_few_notifications_waiting(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    families = build_demo(now=NOW)
    for family in families:
        parents = [u.user for u in family.users if u.role == "parent"]
        for parent in parents:
            assert 1 <= unread_count(parent) <= 3, parent
            assert all(n.created_at <= NOW for n in centre(parent))
    assert Notification.objects.count() <= 2 * 8 * 3  # a few, not a flood
    assert mail.outbox == [] and not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()  # nothing for the worker
