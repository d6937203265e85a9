"""Invisible characters that make text show differently from what is stored.

Unicode's explicit directional formatting characters (U+202A-202E embeddings and overrides,
U+2066-2069 isolates) reorder what follows them on screen: a stored "Pickup at <RLO>00:51"
shows as "Pickup at 15:00". Zero-width characters hide inside a word, so two names that look
alike are not. Two policies, both here so every app applies the same ones:

- a *label* (a person's, family's or child's name, a title, a subject, a place, a plan's names
  and notes) is one line people recognise at a glance: it refuses every invisible formatting
  character (`hidden_characters`), except a joiner where a script or an emoji needs it;
- a *text* (a message, an event's notes) is kept exactly as written - it is evidence - and shown
  with each directional formatting character replaced by a visible mark (`reveal`), so it reads
  in the order it was stored.

Pure Python, no Django: the schedule engine uses it too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

DIRECTIONAL = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides, their terminator, and the isolates: the characters that reorder."""

ZWNJ, ZWJ = "\u200c", "\u200d"

# Scripts from Hebrew on (Arabic, Persian, the Indic scripts...) shape words with joiners; the
# Latin, Greek and Cyrillic letters that look-alike names are made of never need one.
_JOINING_SCRIPTS_FROM = 0x0590


def char_name(ch: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: how a message names a character nobody can see."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED CHARACTER')}"


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return (
        0x1F000 <= code <= 0x1FAFF  # pictographs, emoticons, people, skin tones
        or 0x2600 <= code <= 0x27BF  # symbols and dingbats (☀, ❤)
        or 0x2B00 <= code <= 0x2BFF  # arrows and stars (⭐)
        or ch == "\ufe0f"  # the emoji presentation selector
    )


def _is_joining_letter(ch: str) -> bool:
    return ord(ch) >= _JOINING_SCRIPTS_FROM and unicodedata.category(ch)[0] in "LM"


def _joiner_needed(text: str, i: int) -> bool:
    """A zero-width joiner between two emoji (👨‍👩‍👧), or either joiner inside a word of a
    script that shapes its letters with them (Persian "می‌خواهم"), is part of the writing."""
    if i == 0 or i == len(text) - 1:
        return False
    before, after = text[i - 1], text[i + 1]
    if text[i] == ZWJ and _is_emoji(before) and _is_emoji(after):
        return True
    return _is_joining_letter(before) and _is_joining_letter(after)


def hidden_characters(text: str) -> list[str]:
    """The invisible characters a label may not hold, each once, in order of appearance:
    formatting characters (Unicode category Cf: direction marks and controls, zero-width
    spaces and joiners, the byte-order mark...), line and paragraph separators, and control
    characters other than tab, line feed and carriage return."""
    found: list[str] = []
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        bad = category in ("Cf", "Zl", "Zp") or (category == "Cc" and ch not in "\t\n\r")
        if bad and ch in (ZWJ, ZWNJ) and _joiner_needed(text, i):
            bad = False
        if bad and ch not in found:
            found.append(ch)
    return found


def plain_mark(ch: str) -> str:
    return f"[U+{ord(ch):04X}]"


def reveal(text: str, mark: Callable[[str], str] = plain_mark) -> str:
    """`text` with each directional formatting character replaced by `mark(ch)` (by default
    "[U+202E]"), so it shows in the order it is stored; every other character is kept."""
    if not DIRECTIONAL.intersection(text):
        return text
    return "".join(mark(ch) if ch in DIRECTIONAL else ch for ch in text)
