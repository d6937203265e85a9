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


def test_words_match_in_any_case_newest_first(cast, conversation):
    hits = search_messages(_alex(cast), "SCHOOL pickup")
    assert _bodies(hits) == ["Yes — school pickup at 15:00 works."]
    assert len(search_messages(_alex(cast), "school")) == 3


def test_denti_finds_the_dentist_highlighted_as_typed_on_a_phone(cast, conversation):
    """Sam half-types the word at the school gate; the message about the dentist comes up,
    with the whole word marked."""
    reply(cast, cast.alex, conversation, "The DENTIST moved Mia's check-up to Tuesday.")
    (hit,) = search_messages(cast.access(cast.sam), "denti")
    assert hit.message.body == "The DENTIST moved Mia's check-up to Tuesday."
    assert hit.snippet == "The <mark>DENTIST</mark> moved Mia&#x27;s check-up to Tuesday."
    assert hit.matches == ((4, 11),)
    # A word starts a match, it never ends one: "tist" is inside "dentist", not its beginning.
    assert search_messages(cast.access(cast.sam), "tist") == []
    # Every word of the query is a beginning: "che tues" finds "check-up … Tuesday".
    assert len(search_messages(cast.access(cast.sam), "che tues")) == 1


def test_a_quoted_word_or_phrase_matches_whole_words_only(cast, conversation):
    assert len(search_messages(_alex(cast), "schoo")) == 3
    assert search_messages(_alex(cast), '"schoo"') == []
    assert len(search_messages(_alex(cast), '"school"')) == 3
    # A phrase's words stay whole: "pickup at 1" does not find "pickup at 15:00".
    assert search_messages(_alex(cast), '"pickup at 1"') == []
    assert len(search_messages(_alex(cast), "pickup at 1")) == 1


def test_the_beginning_of_a_word_in_any_script(cast, conversation):
    assert _bodies(search_messages(_alex(cast), "मरह")) == []  # not a beginning of a word
    assert _bodies(search_messages(_alex(cast), "नमस")) == ["Zoë’s birthday: नमस्ते दोस्त"]
    assert _bodies(search_messages(_alex(cast), "مرح")) == ["مرحبا، سأصطحب ميا من المدرسة"]
    assert _bodies(search_messages(_alex(cast), "zoë’")) == ["Zoë’s birthday: नमस्ते दोस्त"]
    assert _bodies(search_messages(_alex(cast), "birth")) == ["Zoë’s birthday: नमस्ते दोस्त"]


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


QUERY_SYNTAX = [
    '"',
    'school" OR "x',
    "NEAR(school pickup)",
    "school*",
    "-school",
    "(",
    "AND",
    "body:school",
    "^school",
    "school:*",
    "school & !pickup",
    "school | x",
    "'school'",
    "sch'ool",
    "\\",
    "school <-> pickup",
    "!!",
    "'",
    "*",
    "{body}: school",
    "school)",
    "school\x00",
    "\x00",
    "denti\x00st",
]


@pytest.mark.parametrize("query", QUERY_SYNTAX)
def test_query_syntax_cannot_break_or_widen_the_search(cast, conversation, query):
    """Neither FTS5's nor PostgreSQL's query language can be typed into the box: whatever the
    operators, every hit holds every word of the query as typed."""
    for hit in search_messages(_alex(cast), query):
        for term in search.parse(query):
            if term.is_words:
                assert search.matches(hit.message.body, [term]), (query, hit.message.body)


def test_operators_are_searched_as_words(cast, conversation):
    assert len(search_messages(_alex(cast), "school*")) == 3
    assert len(search_messages(_alex(cast), "-school")) == 3  # not "without school"
    assert _bodies(search_messages(_alex(cast), "school !pickup")) == [
        "Yes — school pickup at 15:00 works."
    ]  # "!" is not "not": both words must be there
    # "&" alone has no letter, so it is looked for as typed (docs/messages.md, "Search").
    assert _bodies(search_messages(_alex(cast), "school &")) == [
        "<script>alert('x')</script> school & more"
    ]
    assert search_messages(_alex(cast), "school | zebra") == []  # nor is "|" an "or"
    # "NEAR(school" is the words "near" and "school" side by side, not FTS5's NEAR.
    assert search_messages(_alex(cast), "NEAR(school pickup)") == []


def test_a_query_that_cannot_be_searched_is_refused_beside_the_box(cast):
    with pytest.raises(search.QueryError, match="Type a word"):
        search.check('"" "')
    with pytest.raises(search.QueryError, match="at most 10 words"):
        search.check(" ".join(f"w{i}" for i in range(11)))
    with pytest.raises(search.QueryError, match="control characters"):
        search.check("school\x00")
    assert search.check("") == []
    assert [t.text for t in search.check('denti "school pickup"')] == ["denti", "school pickup"]


def test_a_long_message_shows_a_window_around_the_first_match():
    text = "word " * 200 + "pickup" + " word" * 200
    snippet = search.highlight(text, search.parse("pickup"))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>pickup</mark>" in snippet
    assert len(snippet) < 300
