"""Who hears of a request: the parent asked, the asker of an answer, everyone of a comment, the
professional when it expires with nobody having answered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.core import mail

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
    # The reason is Sam's own words: on the request's page, never in the news or its email.
    news = Notification.objects.get(recipient=cast.alex, kind="request")
    assert "Work trip" not in news.body
    assert news.body == "See why on the request's page."
    assert not any("Work trip" in m.body for m in mail.outbox)


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


def test_a_counter_goes_back_to_the_asker_and_a_comment_reaches_everyone_but_its_author(
    planned: Any, django_capture_on_commit_callbacks: Any, mailoutbox: Any
) -> None:
    cast = planned
    swap = ask(cast, "swap", title="Swap the 14th")
    Notification.objects.all().delete()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        counter = services.request_counter(
            access=cast.access(cast.sam), request=swap, details="The 21st instead?"
        )
    [(who, _title)] = told()
    assert who == "Alex"
    assert [m.to for m in mailoutbox] == [[cast.alex.email]]

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_comment(
            access=cast.access(cast.morgan),
            request=counter,
            text="Alternate the next two weekends?",
            kind="resolution",
        )
    assert sorted(who for who, _title in told()) == ["Alex", "Sam"]
    assert all(
        "Alternate" not in n.title and "Alternate" not in n.body for n in Notification.objects.all()
    )
    assert not Notification.objects.filter(recipient__in=[cast.morgan, cast.vic]).exists()
