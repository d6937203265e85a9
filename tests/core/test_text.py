"""#8.5: which invisible characters a label refuses, and how a kept text is shown."""

from __future__ import annotations

import pytest

from coparent.core.text import DIRECTIONAL, char_name, hidden_characters, reveal

RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


@pytest.mark.parametrize(
    "text",
    [
        f"Pickup at {RLO}00:51",  # shows as "Pickup at 15:00"
        f"Mia{LRI}'s party{PDI}",
        "Al\u200bex",  # zero-width space
        "Al\u200dex",  # zero-width joiner between Latin letters: a look-alike name
        "Al\u200cex",  # zero-width non-joiner, likewise
        "Sam\u200e",  # left-to-right mark
        "\ufeffSam",  # byte-order mark
        "Sam\u2028Rivera",  # line separator
        "Sam\u0085",  # next line, a C1 control
        "Tag\U000e0041",  # a tag character
    ],
)
def test_a_label_refuses_every_invisible_formatting_character(text):
    assert hidden_characters(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mia's birthday party",
        "Zoé & Léa — 15:00",
        "מיה",  # Hebrew, right to left by itself, no control needed
        "حفلة عيد ميلاد",  # Arabic
        "می\u200cخواهم",  # Persian writes this word with a zero-width non-joiner
        "क्‍ष",  # Devanagari conjunct shaped with a zero-width joiner
        "👨\u200d👩\u200d👧 weekend",  # a family emoji is three emoji joined
        "❤\ufe0f party",
        "line one\nline two\ttabbed",
    ],
)
def test_writing_that_needs_no_hiding_passes(text):
    assert hidden_characters(text) == []


def test_each_hidden_character_is_named_once_in_order():
    found = hidden_characters(f"{RLO}a{RLO}b\u200b")
    assert [char_name(ch) for ch in found] == [
        "U+202E RIGHT-TO-LEFT OVERRIDE",
        "U+200B ZERO WIDTH SPACE",
    ]


def test_a_kept_text_shows_each_reordering_character_as_a_mark():
    stored = f"Pickup at {RLO}00:51{PDF}, see you"
    shown = reveal(stored)
    assert shown == "Pickup at [U+202E]00:51[U+202C], see you"
    assert not DIRECTIONAL.intersection(shown)
    # Everything else stays as written: marks that only shape or hint are not reordering.
    kept = "می\u200cخواهم \u200f!"
    assert reveal(kept) == kept
    assert reveal(stored, lambda ch: "<>") == "Pickup at <>00:51<>, see you"
