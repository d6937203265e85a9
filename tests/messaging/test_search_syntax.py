"""Whatever is typed into the search box, the query sent to the index is only words: property
tests of the FTS5 expression (against SQLite's own FTS5, the index's tokenizer) and of the
PostgreSQL tsquery (its syntax, checked without a server)."""

from __future__ import annotations

import re
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.messaging import search

BODIES = [
    "The dentist moved Mia's check-up to Tuesday",
    "school pickup at 15:00 (gate B) — bring the coat!",
    'He said "NEAR" and "OR" and AND; body:school ^start',
    "Zoë’s birthday: नमस्ते दोस्त, مرحبا",
]
# Pieces of both query languages, mixed with words, so the search meets every operator.
SYNTAX = st.sampled_from(
    ['"', "'", "*", "^", ":", "(", ")", "{", "}", "-", "+", "!", "&", "|", "<->", "\\", "NEAR",
     "OR", "AND", "NOT", "body", ":*", " "]
)  # fmt: skip
WORD = st.sampled_from(["dent", "school", "pick", "zo", "नम", "مر", "coat", "gate", "b", "15"])
QUERIES = st.lists(st.one_of(SYNTAX, WORD, st.text(max_size=4)), max_size=12).map("".join)


def _index() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    # The tokenizer of migration 0002.
    db.execute(
        'CREATE VIRTUAL TABLE fts USING fts5(body, tokenize="unicode61 remove_diacritics 0 '
        "categories 'L* N* Co M*'\")"
    )
    db.executemany("INSERT INTO fts(body) VALUES (?)", [(b,) for b in BODIES])
    return db


DB = _index()


@settings(max_examples=400, deadline=None)
@given(QUERIES)
def test_fts5_reads_any_query_as_words_and_finds_only_what_the_highlighter_marks(query):
    terms = [t for t in search.parse(query) if t.is_words]
    expression = search.fts5_expression(terms)
    if not expression:
        return
    found = [row[0] for row in DB.execute("SELECT body FROM fts WHERE fts MATCH ?", [expression])]
    for body in found:
        for term in terms:
            assert search.matches(body, [term]), (query, expression, body)


@settings(max_examples=400, deadline=None)
@given(QUERIES)
def test_a_tsquery_is_quoted_lexemes_and_operators_only(query):
    terms = [t for t in search.parse(query) if t.is_words]
    expression = search.tsquery_expression(terms)
    # Remove the quoted lexemes: what is left must be our own operators, nothing typed.
    rest = re.sub(r"'(?:[^']|'')*'", "L", expression)
    assert re.fullmatch(r"(L(:\*)?( <-> L(:\*)?)*)?( & L(:\*)?( <-> L(:\*)?)*)*", rest), (
        query,
        expression,
    )


def test_prefix_and_exact_terms_become_the_right_expressions():
    terms = search.parse('denti "school pickup" zoë’s')
    assert search.fts5_expression(terms) == '"denti"* "school pickup" "zoë’s"*'
    assert search.tsquery_expression(terms) == (
        "'denti':* & 'school' <-> 'pickup' & 'zoë' <-> 's':*"
    )
