"""The API's conversation list is read by SQL written by hand (messaging.selectors.ThreadRows,
issue #17 "The cost of a request"): it must give exactly what the ORM's inbox query gives —
the same threads, order, counts and authors — for each reader, topic and page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from coparent.messaging import selectors
from tests.messaging.conftest import reply, start


def _as_orm(threads):
    return [
        (
            t.pk,
            t.subject,
            t.topic,
            t.created_by,
            t.created_at,
            t.last_message_at,
            t.unread,
            t.message_count,
        )
        for t in threads
    ]


@pytest.fixture
def conversations(cast):
    at = timezone.now() - timedelta(days=3)
    first = start(cast, subject="Pickup", topic="school", at=at)
    second = start(cast, cast.sam, subject="Dentist", topic="health", at=at + timedelta(hours=1))
    third = start(cast, subject="Shoes", topic="school", at=at + timedelta(hours=2))
    reply(cast, cast.sam, first.thread, "Yes, 15:00.", at=at + timedelta(hours=3))
    reply(cast, cast.alex, second.thread, "Booked.", at=at + timedelta(hours=4))
    return [first.thread, second.thread, third.thread]


@pytest.mark.parametrize("topic", [None, "school", "health", "other"])
@pytest.mark.parametrize("who", ["alex", "sam"])
def test_the_list_is_the_inbox_query_row_for_row(cast, conversations, who, topic):
    access = cast.access(getattr(cast, who))
    orm = selectors.threads_for_user(access, topic=topic, participants=False)
    rows = selectors.ThreadRows(access, topic=topic)
    assert _as_orm(rows[0:50]) == _as_orm(orm[0:50])
    assert rows.count() == orm.count()
    for offset in range(4):
        assert _as_orm(rows[offset : offset + 1]) == _as_orm(orm[offset : offset + 1])


@pytest.mark.parametrize("who", ["alex", "sam", "mediator"])
def test_the_inbox_names_the_same_others_as_the_orms_prefetch(cast, conversations, who):
    user = cast.mediator.user if who == "mediator" else getattr(cast, who)
    if who == "mediator":
        start(cast, subject="For the mediator", include=[cast.mediator])
    access = cast.access(user)
    orm = list(selectors.threads_for_user(access)[0:50])
    rows = selectors.ThreadRows(access, participants=True)[0:50]
    assert _as_orm(rows) == _as_orm(orm)
    assert [[(p.pk, p.user.display_name) for p in t.others] for t in rows] == [
        [(p.pk, p.user.display_name) for p in t.others] for t in orm
    ]


def test_a_viewer_is_refused_as_by_the_inbox(cast, conversations):
    with pytest.raises(PermissionDenied):
        selectors.ThreadRows(cast.access(cast.viewer.user))
