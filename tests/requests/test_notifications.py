"""Who hears of a request: the parent asked, the asker of an answer, everyone of a comment, the
professional when it expires with nobody having answered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine

from coparent.notifications.models import Notification
from coparent.requests import services
from tests.requests.conftest import ask


def told(kind: str = "request") -> list[tuple[str, str]]:
    return [
        (n.recipient.display_name, n.title)
        for n in Notification.objects.filter(kind=kind).select_related("recipient").order_by("pk")
    ]


def test_the_other_parent_is_asked_and_the_asker_hears_the_answer(
    planned: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cast = planned
    with django_capture_on_commit_callbacks(execute=True):
        swap = ask(cast, "swap", title="Swap the 14th")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decline(access=cast.access(cast.sam), request=swap, reason="Work trip")
    assert told() == [
        ("Sam", "Alex asks: Swap the 14th"),
        ("Alex", "Sam declined “Swap the 14th”"),
    ]


def test_a_request_that_expires_unanswered_tells_the_parents_and_the_mediator(
    planned: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cast = planned
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(cast, "school", title="New school")
    with (
        time_machine.travel(request.due_at - timedelta(hours=30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.remind_due()
        services.remind_due()
    with (
        time_machine.travel(request.due_at + timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.expire_due()
        services.expire_due()
    assert told()[1:] == [
        ("Sam", "“New school” waits for your answer"),
        ("Alex", "“New school” expired"),
        ("Sam", "“New school” expired"),
        ("Morgan", "“New school” expired"),
    ]
