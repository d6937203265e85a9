"""Text helpers that keep offsets exact: every transformation here maps one character to one
character, so an index into the result is the same index into the text the person wrote.

Offsets throughout the tone coach are Python ``str`` indices, that is Unicode code points (not
bytes, not UTF-16 units, not grapheme clusters): in "Zoë 😊 idiot" written with a combining
diaeresis, "idiot" starts at index 7.
"""

from __future__ import annotations

import re

# Curly apostrophes and quotes read as straight ones, so one rule covers "you're" and "you’re".
_FOLD = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark, the usual phone apostrophe
        "\u2018": "'",
        "\u02bc": "'",  # modifier letter apostrophe
        "\u2032": "'",  # prime
        "\uff07": "'",  # fullwidth apostrophe
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\uff02": '"',
    }
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"')\]\u201d\u2019]*(?=\s|$)|\n")
_QUOTED = re.compile(r'"[^"\n]{1,200}"')
WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


def shown(text: str) -> str:
    """The text as it can be shown and encoded: lone surrogates (which no encoder accepts, and
    which JSON from a careless client may carry) become U+FFFD, one for one."""
    return _SURROGATE.sub("\ufffd", text)


def folded(text: str) -> str:
    """The text the rules read: curly apostrophes and quotes made straight, one for one."""
    return text.translate(_FOLD)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, without surrounding whitespace. A sentence ends at a run
    of . ! ? or … followed by whitespace or the end, or at a line break."""
    spans: list[tuple[int, int]] = []
    start = 0

    def add(begin: int, end: int) -> None:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if begin < end:
            spans.append((begin, end))

    for match in _SENTENCE_END.finditer(text):
        add(start, match.start() if match.group() == "\n" else match.end())
        start = match.end()
    add(start, len(text))
    return spans


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Short "quoted" passages (in folded text), where capitals are someone else's words."""
    return [match.span() for match in _QUOTED.finditer(text)]


def word_count(text: str) -> int:
    return sum(1 for _ in WORD.finditer(text))
