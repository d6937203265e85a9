"""The message pages as the cast uses them on a phone: inbox, compose, thread with receipts,
reply, search — and their query budgets, the same for 1 message as for 500."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone

from coparent.core.when import format_moment
from coparent.messaging.models import Message, MessageDelivery, MessageView, Thread
from tests.families.helpers import client_for
from tests.messaging.conftest import start


def _url(cast, name, **kwargs):
    return reverse(f"messaging:{name}", kwargs={"family_id": cast.family.pk, **kwargs})


def _thread_url(thread):
    return reverse(
        "messaging:thread", kwargs={"family_id": thread.family_id, "thread_id": thread.pk}
    )


def test_alex_composes_a_message_and_lands_in_the_thread(cast):
    alex = client_for(cast.alex)
    page = alex.get(_url(cast, "compose"))
    html = page.content.decode()
    assert "can never be edited or deleted" in html
    assert 'id="tone-coach"' in html  # the tone coach's place, beside the message
    assert "Morgan (Mediator)" in html  # the consented mediator can be included

    response = alex.post(
        _url(cast, "compose"),
        {"subject": "Pickup", "topic": "school", "body": "Friday 15:00 at the gate?"},
    )
    thread = Thread.objects.get(family=cast.family)
    message = Message.objects.get(thread=thread)
    assert response.status_code == 302
    assert response["Location"] == f"{_thread_url(thread)}#m{message.pk}"


def test_sam_opens_the_thread_and_alex_then_sees_viewed_at(cast):
    message = start(cast)
    alex, sam = client_for(cast.alex), client_for(cast.sam)

    before = alex.get(_thread_url(message.thread)).content.decode()
    assert "Sam:" in before and "not yet viewed" in before
    assert 'id="unread-count"' in sam.get(_url(cast, "inbox")).content.decode()
    assert sam.get(_url(cast, "inbox")).context["messages_unread"] == 1

    opened = sam.get(_thread_url(message.thread))
    assert 'class="badge warn">new' in opened.content.decode()
    assert sam.get(_url(cast, "inbox")).context["messages_unread"] == 0

    after = alex.get(_thread_url(message.thread)).content.decode()
    viewed = MessageView.objects.get(message=message).viewed_at
    # In the family's zone (UTC here), the reader's way, with the instant to the second.
    shown = format_moment(viewed, UTC, "en")
    assert f'viewed <time datetime="{viewed.isoformat()}">{shown}</time>' in after
    assert "not yet viewed" not in after


def test_sam_replies_and_the_reply_follows_in_order(cast):
    message = start(cast)
    sam = client_for(cast.sam)
    response = sam.post(
        _url(cast, "reply", thread_id=message.thread.pk), {"body": "Yes, 15:00 works."}
    )
    assert response.status_code == 302
    page = client_for(cast.alex).get(_thread_url(message.thread))
    bodies = [row.message.body for row in page.context["thread_page"].rows]
    assert bodies == ["Can you pick Mia up at 15:00?", "Yes, 15:00 works."]
    assert "replied after" in page.content.decode()


@pytest.mark.parametrize(
    ("body", "error"),
    [("", "This field is required."), ("z" * 100_000, "at most 20,000 characters")],
)
def test_a_bad_reply_shows_the_error_beside_the_field_and_sends_nothing(cast, body, error):
    message = start(cast)
    response = client_for(cast.sam).post(
        _url(cast, "reply", thread_id=message.thread.pk), {"body": body}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Message.objects.filter(thread=message.thread).count() == 1


def test_a_reply_into_another_familys_thread_is_not_found(cast):
    message = start(cast)
    olivia = client_for(cast.olivia)
    url = reverse(
        "messaging:reply",
        kwargs={"family_id": cast.other_family.pk, "thread_id": message.thread.pk},
    )
    assert olivia.post(url, {"body": "Hi"}).status_code == 404
    assert Message.objects.filter(thread=message.thread).count() == 1


def test_the_inbox_filters_by_topic_and_counts_unread(cast):
    start(cast, subject="Dentist", topic="health")
    start(cast, subject="Pickup", topic="school")
    sam = client_for(cast.sam)
    health = sam.get(_url(cast, "inbox") + "?topic=health")
    subjects = [t.subject for t in health.context["page"].object_list]
    assert subjects == ["Dentist"]
    assert [t.unread for t in sam.get(_url(cast, "inbox")).context["page"].object_list] == [1, 1]


def test_the_inbox_pager_and_badge_count_what_sam_can_see_in_one_query(cast):
    # 31 threads from Alex to Sam (one page is 30); Sam opens the first.
    for n in range(31):
        start(cast, subject=f"Week {n}", topic="health" if n < 3 else "school")
    sam = client_for(cast.sam)
    assert sam.get(_thread_url(Thread.objects.get(subject="Week 0"))).status_code == 200
    page = sam.get(_url(cast, "inbox")).context["page"]
    assert (page.paginator.count, page.paginator.num_pages, len(page.object_list)) == (31, 2, 30)
    last = sam.get(_url(cast, "inbox") + "?page=2")
    assert [t.subject for t in last.context["page"].object_list] == ["Week 0"]
    assert last.context["messages_unread"] == 30
    health = sam.get(_url(cast, "inbox") + "?topic=health").context
    assert (health["page"].paginator.count, health["messages_unread"]) == (3, 30)


def test_the_viewer_is_turned_away_and_the_outsider_finds_nothing(cast):
    message = start(cast)
    for url in (_url(cast, "inbox"), _thread_url(message.thread), _url(cast, "search")):
        assert client_for(cast.vic).get(url).status_code == 403
        assert client_for(cast.olivia).get(url).status_code == 404


def test_the_family_pages_point_to_messages_with_an_unread_count(cast):
    start(cast)
    dashboard = client_for(cast.sam).get(
        reverse("families:dashboard", kwargs={"family_id": cast.family.pk})
    )
    html = dashboard.content.decode()
    assert "Messages" in html and "messaging/unread.js" in html
    unread = client_for(cast.sam).get(_url(cast, "unread"))
    assert unread.json() == {"unread": 1}
    assert client_for(cast.vic).get(_url(cast, "unread")).json() == {"unread": 0}


def test_search_page_highlights_matches(cast):
    start(cast, body="Pickup <b>at</b> the school gate")
    page = client_for(cast.sam).get(_url(cast, "search") + "?q=gate")
    html = page.content.decode()
    assert "&lt;b&gt;at&lt;/b&gt; the school <mark>gate</mark>" in html


def test_sam_types_half_a_word_and_finds_the_dentist_marked(cast):
    start(cast, subject="Dentist", topic="health", body="The <i>dentist</i> moved to Tuesday")
    page = client_for(cast.sam).get(_url(cast, "search") + "?q=denti")
    html = page.content.decode()
    assert "1 message found" in html
    assert "The &lt;i&gt;<mark>dentist</mark>&lt;/i&gt; moved to Tuesday" in html


@pytest.mark.parametrize(
    ("q", "problem"),
    [('""', "Type a word"), (" ".join(["pickup"] * 3 + [f"w{i}" for i in range(10)]), "at most")],
)
def test_a_search_that_cannot_be_run_says_why_beside_the_box(cast, q, problem):
    start(cast)
    page = client_for(cast.sam).get(_url(cast, "search"), {"q": q})
    assert page.status_code == 200
    assert problem in " ".join(page.context["form"].errors["q"])
    assert page.context["hits"] is None  # nothing searched, nothing "found"


def test_the_message_settings_lead_to_the_notification_settings(cast):
    """How Sam hears of messages (a daily digest, with their text) is chosen with everything
    else he is told of, on one page; the message settings keep the shield and point there."""
    page = client_for(cast.sam).get(_url(cast, "notifications")).content.decode()
    assert 'href="/notifications/settings/"' in page
    assert "Fold hostile wording in messages I receive" in page


# --- Query budgets ---------------------------------------------------------------------------


def _bulk_messages(cast, thread, n):
    """`n` more messages, alternating senders, delivered to the other parent (bulk, for speed:
    the budgets are about reading)."""
    if not n:
        return
    now = timezone.now()
    senders = [cast.sam, cast.alex]
    messages = Message.objects.bulk_create(
        Message(
            family=cast.family,
            thread=thread,
            sender=senders[i % 2],
            body=f"Message number {i} about the school run",
            body_sha256="0" * 64,
            created_at=now + timedelta(seconds=i),
        )
        for i in range(n)
    )
    if not messages[0].pk:  # backends without RETURNING on bulk insert
        messages = list(Message.objects.filter(thread=thread).order_by("pk"))[-n:]
    MessageDelivery.objects.bulk_create(
        MessageDelivery(
            family=cast.family,
            thread=thread,
            message=m,
            recipient=cast.alex if m.sender_id == cast.sam.pk else cast.sam,
            delivered_at=m.created_at,
        )
        for m in messages
    )


def _view(user, url):
    """The view alone, without the middleware's session and user queries (see call_view)."""
    path, _, query = url.partition("?")
    request = RequestFactory().get(path, QueryDict(query), secure=True)
    request.user = user
    match = resolve(path)
    return match.func(request, *match.args, **match.kwargs)


def _budget(cast, django_assert_num_queries, url, expected):
    # Warm up once: the first visit records first views (writes); the budget is the reading.
    _view(cast.alex, url)
    with django_assert_num_queries(expected):
        response = _view(cast.alex, url)
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 499])
def test_the_inbox_reads_the_same_few_queries_however_many_messages(
    cast, django_assert_num_queries, extra
):
    thread = start(cast, cast.sam).thread
    _bulk_messages(cast, thread, extra)
    url = _url(cast, "inbox")
    # The list rendered: 1 Alex's membership (the access path), 2 the count of threads for the
    # pager with the unread count and the list's versions (record head, members' names), 3 the
    # page of threads with their counts, 4 their other participants, 5 the header's unread
    # notifications.
    with django_assert_num_queries(5):
        assert _view(cast.alex, url).status_code == 200
    # Nothing changed: the list comes from the fragments cache, without 3 and 4.
    with django_assert_num_queries(3):
        assert _view(cast.alex, url).status_code == 200


@pytest.mark.parametrize("extra", [0, 499])
def test_the_thread_reads_the_same_few_queries_however_many_messages(
    cast, django_assert_num_queries, extra
):
    thread = start(cast, cast.sam).thread
    _bulk_messages(cast, thread, extra)
    # 1 membership, 2 the thread (among Alex's), 3 its participants, 4 the page of messages
    # with senders, 5 their attachments, 6 deliveries with recipients, 7 first views,
    # 8 the unread count, 9 the header's unread notifications.
    _budget(cast, django_assert_num_queries, _thread_url(thread), 9)


@pytest.mark.parametrize("extra", [0, 499])
def test_search_reads_the_same_few_queries_however_many_messages(
    cast, django_assert_num_queries, extra
):
    thread = start(cast, cast.sam).thread
    _bulk_messages(cast, thread, extra)
    # 1 membership, 2 the senders for the filter, 3 the matching messages with sender and
    # thread, 4 the unread count, 5 the header's unread notifications.
    _budget(cast, django_assert_num_queries, _url(cast, "search") + "?q=school", 5)


@pytest.mark.parametrize("extra", [0, 499])
def test_the_unread_badge_costs_the_same_however_many_messages(
    cast, django_assert_num_queries, extra
):
    thread = start(cast, cast.sam).thread
    _bulk_messages(cast, thread, extra)
    # 1 Alex's membership (the access path), 2 the unread count.
    _budget(cast, django_assert_num_queries, _url(cast, "unread"), 2)


@pytest.mark.parametrize("extra", [0, 499])
def test_the_message_settings_cost_the_same_however_many_messages(
    cast, django_assert_num_queries, extra
):
    thread = start(cast, cast.sam).thread
    _bulk_messages(cast, thread, extra)
    # 1 membership, 2 Alex's message setting (the shield), 3 the unread count (the messages
    # badge), 4 the header's unread notifications.
    _budget(cast, django_assert_num_queries, _url(cast, "notifications"), 4)
