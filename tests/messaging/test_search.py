"""Search all of the family's messages: words, "phrases", sender and dates, with highlighted
matches — only ever within the searcher's own family and threads, in any script."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from coparent.messaging import search, services
from coparent.messaging.selectors import search_messages
from tests.messaging.conftest import reply, start


@pytest.fixture
def conversation(cast):
    t0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    first = start(cast, body="Can you pick Mia up from school on Friday?", at=t0)
    thread = first.thread
    reply(cast, cast.sam, thread, "Yes — school pickup at 15:00 works.", at=t0 + timedelta(days=1))
    reply(cast, cast.alex, thread, "Thanks 🙏 see you at the gate", at=t0 + timedelta(days=2))
    reply(cast, cast.sam, thread, "مرحبا، سأصطحب ميا من المدرسة", at=t0 + timedelta(days=3))
    reply(cast, cast.alex, thread, "Zoë’s birthday: नमस्ते दोस्त", at=t0 + timedelta(days=4))
    reply(
        cast,
        cast.sam,
        thread,
        "<script>alert('x')</script> school & more",
        at=t0 + timedelta(days=5),
    )
    # Olivia's family talks about school too; none of it may show up for the Riveras.
    services.thread_start(
        access=cast.access(cast.olivia, cast.other_family),
        subject="Pickup",
        topic="school",
        body="The school pickup is at noon",
    )
    return thread


def _bodies(hits):
    return [h.message.body for h in hits]


def _alex(cast):
    return cast.access(cast.alex)


def test_words_match_whole_words_in_any_case_newest_first(cast, conversation):
    hits = search_messages(_alex(cast), "SCHOOL pickup")
    assert _bodies(hits) == ["Yes — school pickup at 15:00 works."]
    assert len(search_messages(_alex(cast), "school")) == 3
    assert search_messages(_alex(cast), "schoo") == []


def test_a_phrase_must_appear_as_written(cast, conversation):
    assert _bodies(search_messages(_alex(cast), '"pickup at 15:00"')) == [
        "Yes — school pickup at 15:00 works."
    ]
    assert search_messages(_alex(cast), '"pickup school"') == []


def test_sender_and_dates_narrow_the_search(cast, conversation):
    by_sam = search_messages(_alex(cast), "school", sender_id=cast.sam.pk)
    assert {h.message.sender_id for h in by_sam} == {cast.sam.pk}
    assert len(by_sam) == 2
    early = search_messages(_alex(cast), "school", date_to=date(2027, 3, 2))
    assert len(early) == 2
    late = search_messages(_alex(cast), "", date_from=date(2027, 3, 5), date_to=date(2027, 3, 5))
    assert _bodies(late) == ["Zoë’s birthday: नमस्ते दोस्त"]


def test_results_never_come_from_another_family(cast, conversation):
    olivia = cast.access(cast.olivia, cast.other_family)
    assert _bodies(search_messages(olivia, "school")) == ["The school pickup is at noon"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("🙏", "Thanks 🙏 see you at the gate"),
        ("مرحبا", "مرحبا، سأصطحب ميا من المدرسة"),
        ("المدرسة", "مرحبا، سأصطحب ميا من المدرسة"),
        ("नमस्ते", "Zoë’s birthday: नमस्ते दोस्त"),
        ("zoë’s", "Zoë’s birthday: नमस्ते दोस्त"),
        ("Zoe\u0308’s", "Zoë’s birthday: नमस्ते दोस्त"),  # typed with a combining diaeresis
    ],
)
def test_any_script_is_found(cast, conversation, query, expected):
    assert _bodies(search_messages(_alex(cast), query)) == [expected]


def test_matches_are_highlighted_and_the_text_is_escaped(cast, conversation):
    (hit,) = search_messages(_alex(cast), '"school & more"')
    assert hit.snippet == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; <mark>school &amp; more</mark>"
    )
    (hit,) = search_messages(_alex(cast), "🙏")
    assert "<mark>🙏</mark>" in hit.snippet


def test_query_syntax_cannot_break_the_search(cast, conversation):
    for query in ['"', 'school" OR "x', "NEAR(school pickup)", "school*", "-school", "(", "AND"]:
        search_messages(_alex(cast), query)  # no error, whatever it finds


def test_a_long_message_shows_a_window_around_the_first_match():
    text = "word " * 200 + "pickup" + " word" * 200
    snippet = search.highlight(text, search.parse("pickup"))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>pickup</mark>" in snippet
    assert len(snippet) < 300
