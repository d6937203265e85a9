"""Exchange places that name a parent's home, and whether a free text gives an address away.

A plan's exchange place is free text ("Lincoln Elementary"), or ``home:A`` / ``home:B``: the
home of the plan's first or second parent. The plan then holds no address at all; the address
lives with that parent (coparent.families.models.HomeAddress) and each reader is shown it, or a
label in its place, as that parent's safe mode allows. The same rule applies to the CLI's
``coparent plan`` commands, which print the marker as it is.

Pure Python, no Django: the pages, the API, the feed, the reminders and the record's report all
ask the same two questions through coparent.families.selectors.HomePlaces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

HOME_PREFIX = "home:"

Letter = Literal["A", "B"]

# Punctuation and runs of spaces do not make an address a different one: "12, Elm St." and
# "12 elm st" are the same door.
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)

# Fewer characters than this cannot be told from ordinary words ("12"): such an address is
# never searched for inside free text (a marker still hides it).
MIN_MATCH_CHARS = 6


def home_marker(letter: Letter) -> str:
    """The exchange place that means "the home of the plan's parent `letter`"."""
    return f"{HOME_PREFIX}{letter}"


def home_letter(place: str) -> Letter | None:
    """The parent whose home `place` names ("home:A" -> "A"), or None for any other place."""
    text = (place or "").strip()
    if text.casefold() == "home:a":
        return "A"
    if text.casefold() == "home:b":
        return "B"
    return None


def normalized(text: str) -> str:
    """Lower case, words joined by single spaces, punctuation gone."""
    return " ".join(_NOT_WORD.sub(" ", (text or "").casefold()).split())


def needles(address: str) -> list[str]:
    """What `mentions` looks for of `address`: the whole address and its first line (the
    street), normalized and padded with a space each side so they match whole words only;
    nothing for a short one (under MIN_MATCH_CHARS once normalized)."""
    found = []
    for line in [address, *(address or "").splitlines()[:1]]:
        needle = normalized(line)
        if len(needle) >= MIN_MATCH_CHARS and f" {needle} " not in found:
            found.append(f" {needle} ")
    return found


def mentions_any(text: str, padded: Sequence[str]) -> bool:
    """Whether free `text` contains one of `padded` (from `needles`), ignoring case, spacing
    and punctuation."""
    if not padded or not text:
        return False
    haystack = f" {normalized(text)} "
    return any(needle in haystack for needle in padded)


def mentions(text: str, address: str) -> bool:
    """Whether free `text` contains `address` (ignoring case, spacing and punctuation), or its
    first line — the street — when the address has several lines. A short address (under
    MIN_MATCH_CHARS once normalized) is never looked for: it would match ordinary words."""
    return mentions_any(text, needles(address))


def same_place(text: str, address: str) -> bool:
    """Whether free `text` is `address` itself, or its first line (the street), ignoring case,
    spacing and punctuation: "742 evergreen terrace." is the home at "742 Evergreen Terrace /
    Springfield". A short address (under MIN_MATCH_CHARS) is never matched."""
    said = normalized(text)
    if len(said) < MIN_MATCH_CHARS:
        return False
    lines = [address, *(address or "").splitlines()[:1]]
    return any(said == normalized(line) for line in lines)
