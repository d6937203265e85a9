"""The message API as a script or an app uses it: threads, messages, receipts, search, and a
retried POST that creates nothing twice."""

from __future__ import annotations

import pytest

from coparent.messaging.models import IdempotencyKey, Message, Thread
from tests.api.conftest import AUTH_QUERIES, family_path
from tests.messaging.conftest import reply, start


def _threads(cast, suffix=""):
    return family_path(cast, f"/threads{suffix}")


def test_alex_starts_a_thread_and_sam_reads_and_marks_it_viewed(cast, as_):
    created = as_(cast.alex).post(
        _threads(cast),
        {"subject": "Pickup", "topic": "school", "body": "Friday at 15:00?"},
    )
    assert created.status_code == 201, created.content
    thread_id = created.json()["thread"]["id"]
    message = created.json()["message"]
    (receipt,) = message["receipts"]
    assert receipt["recipient"] == {"id": cast.sam.pk, "display_name": "Sam"}
    assert receipt["viewed_at"] is None

    sam = as_(cast.sam)
    listed = sam.get(_threads(cast))
    assert [(t["id"], t["unread"]) for t in listed.json()["items"]] == [(thread_id, 1)]
    messages = sam.get(_threads(cast, f"/{thread_id}/messages")).json()["items"]
    assert [m["body"] for m in messages] == ["Friday at 15:00?"]

    viewed = sam.post(_threads(cast, f"/{thread_id}/viewed"), {})
    assert viewed.json() == {"viewed": [message["id"]]}
    assert sam.post(_threads(cast, f"/{thread_id}/viewed"), {}).json() == {"viewed": []}
    again = as_(cast.alex).get(_threads(cast, f"/{thread_id}/messages")).json()["items"]
    assert again[0]["receipts"][0]["viewed_at"] is not None


def test_a_retried_post_with_the_same_key_creates_one_message(cast, as_):
    thread = start(cast).thread
    sam = as_(cast.sam)
    url = _threads(cast, f"/{thread.pk}/messages")
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-7f3a"}
    first = sam.client.post(
        "/api/v1" + url,
        '{"body": "On my way"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {sam.token}"},
        secure=True,
        **headers,
    )
    second = sam.client.post(
        "/api/v1" + url,
        '{"body": "On my way"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {sam.token}"},
        secure=True,
        **headers,
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(thread=thread).count() == 2  # the first and one reply
    assert IdempotencyKey.objects.get().key_hash != "retry-7f3a"  # only its hash is kept


def test_a_retried_thread_creation_creates_one_thread(cast, as_):
    alex = as_(cast.alex)
    body = '{"subject": "Dentist", "topic": "health", "body": "Tuesday 9:00"}'
    answers = [
        alex.client.post(
            "/api/v1" + _threads(cast),
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {alex.token}", "Idempotency-Key": "k1"},
            secure=True,
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Thread.objects.filter(family=cast.family).count() == 1


def test_bad_input_gets_field_errors_and_stores_nothing(cast, as_):
    thread = start(cast).thread
    url = _threads(cast, f"/{thread.pk}/messages")
    empty = as_(cast.sam).post(url, {"body": "  "})
    assert empty.status_code == 400
    assert "Write a message" in empty.json()["errors"]["body"][0]
    huge = as_(cast.sam).post(url, {"body": "x" * 100_000})
    assert huge.status_code == 422
    assert "body" in huge.json()["errors"]
    assert Message.objects.filter(thread=thread).count() == 1


def test_olivia_cannot_post_into_the_rivera_thread(cast, as_):
    thread = start(cast).thread
    url = family_path(cast, f"/threads/{thread.pk}/messages", family=cast.other_family)
    assert as_(cast.olivia).post(url, {"body": "Hello"}).status_code == 404
    assert as_(cast.vic).get(_threads(cast)).status_code == 403


def test_search_answers_highlighted_snippets(cast, as_):
    thread = start(cast, body="Pickup at the school <gate>").thread
    reply(cast, cast.sam, thread, "Fine by me")
    hits = as_(cast.sam).get(family_path(cast, "/messages/search"), q="school").json()
    assert [h["snippet_html"] for h in hits] == ["Pickup at the <mark>school</mark> &lt;gate&gt;"]


def test_search_by_the_beginning_of_a_word_says_where_it_matched(cast, as_):
    start(cast, body="Dentist on Tuesday, then the dentist's bill")
    (hit,) = as_(cast.sam).get(family_path(cast, "/messages/search"), q="denti").json()
    assert hit["matches"] == [{"start": 0, "end": 7}, {"start": 29, "end": 36}]
    body = hit["message"]["body"]
    assert [body[m["start"] : m["end"]] for m in hit["matches"]] == ["Dentist", "dentist"]
    assert hit["snippet_html"].startswith("<mark>Dentist</mark> on Tuesday")


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ('"" "', "Type a word"),
        (" ".join(f"w{i}" for i in range(11)), "at most 10 words"),
        ("denti\x00", "control characters"),
    ],
)
def test_a_search_that_cannot_be_run_is_a_field_error(cast, as_, q, message):
    answer = as_(cast.sam).get(family_path(cast, "/messages/search"), q=q)
    assert answer.status_code == 422
    assert message in answer.json()["errors"]["q"][0]


@pytest.mark.parametrize("extra", [1, 40])
def test_list_endpoints_do_not_grow_with_the_thread(cast, as_, django_assert_num_queries, extra):
    thread = start(cast).thread
    for i in range(extra):
        reply(cast, cast.sam if i % 2 else cast.alex, thread, f"Message {i}")
    sam = as_(cast.sam)
    sam.get(_threads(cast))
    # auth; 1 membership; 2 threads with counts (a short page is its own count, and the API
    # names no participants).
    with django_assert_num_queries(AUTH_QUERIES + 2):
        sam.get(_threads(cast))
    # auth; 1 membership; 2 the thread; 3 page of messages with senders (short: no count);
    # 4 attachments; 5 deliveries with recipients; 6 first views.
    with django_assert_num_queries(AUTH_QUERIES + 6):
        sam.get(_threads(cast, f"/{thread.pk}/messages"))


@pytest.mark.parametrize("extra", [1, 40])
def test_search_does_not_grow_with_the_thread(cast, as_, django_assert_num_queries, extra):
    thread = start(cast, body="The school run on Monday").thread
    for i in range(extra):
        reply(cast, cast.sam if i % 2 else cast.alex, thread, f"School message {i}")
    sam = as_(cast.sam)
    search = family_path(cast, "/messages/search")
    sam.get(search, q="school")
    # auth; 1 membership; 2 the page of matching messages with senders and threads.
    with django_assert_num_queries(AUTH_QUERIES + 2):
        answer = sam.get(search, q="school")
    assert len(answer.json()) == extra + 1
