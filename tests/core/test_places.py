"""The pure rules of safe mode's places (coparent.core.places, docs/safety.md): which plan
places name a parent's home, and whether free text gives an address away."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coparent.core.places import (
    MIN_MATCH_CHARS,
    home_letter,
    home_marker,
    mentions,
    normalized,
    same_place,
)


def test_a_plan_names_a_parents_home_by_its_letter_and_nothing_else_does():
    assert home_letter(home_marker("A")) == "A"
    assert home_letter(" HOME:b ") == "B"
    for place in ("", "home", "home:C", "Sam's home", "home:A at noon"):
        assert home_letter(place) is None


def test_an_address_is_found_however_it_is_spaced_cased_or_punctuated():
    address = "742 Evergreen Terrace\nSpringfield, OR 97403"
    assert mentions("curbside at 742, EVERGREEN  terrace.", address)  # the street alone
    assert mentions("742 Evergreen Terrace Springfield OR 97403", address)
    assert not mentions("742 Evergreen Terraces", address)  # another word is another place
    assert not mentions("Lincoln Elementary", address)


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


@given(st.lists(words, min_size=1, max_size=5), words, words)
def test_an_address_written_inside_any_sentence_is_found(parts, before, after):
    address = " ".join(parts)
    found = mentions(f"{before}, {address.upper()}! {after}", address)
    assert found == (len(normalized(address)) >= MIN_MATCH_CHARS)


def test_a_place_typed_as_the_whole_address_or_its_street_is_that_home_and_no_more():
    address = "742 Evergreen Terrace\nSpringfield, OR 97403"
    assert same_place("742 evergreen terrace.", address)
    assert same_place("742 Evergreen Terrace, Springfield, OR 97403", address)
    assert not same_place("curbside at 742 Evergreen Terrace", address)  # somewhere near it
    assert not same_place("12", "12\nElm")  # too short to tell from ordinary words


@given(st.lists(words, min_size=1, max_size=5))
def test_the_same_place_is_always_mentioned(parts):
    address = " ".join(parts)
    if same_place(address, address):
        assert mentions(address, address)
