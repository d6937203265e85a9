"""Search terms and highlighting, the same on every database.

A query is words and "quoted phrases"; every term must match (AND), in any case. A bare word
matches words that begin with it ("denti" finds "dentist", as people type on a phone); a quoted
word or phrase matches whole words only, exactly as written.
A term with no letter or digit in it (an emoji, "€") cannot be in a word index — SQLite's FTS5
and PostgreSQL's parser both treat such characters as spaces — so it is matched as plain text.
Text is compared in Unicode NFC, the form messages are stored in, so "é" typed as one character
or as "e" plus a combining accent finds the same messages.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

MAX_TERMS = 10
SNIPPET_CHARS = 240

_TERM = re.compile(r'"([^"]*)"|(\S+)')
# A word for highlighting: letters, digits and combining marks, as both indexes tokenise.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f"
    "\u0900-\u0903\u093a-\u094f\u0962\u0963"
)
_WORD_CHAR = rf"(?:[^\W_]|[{_MARKS}])"


class QueryError(ValueError):
    """A query that cannot be searched as typed; the message says why, for the field."""


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool
    # A bare word: its last word may go on ("denti" matches "dentist"). A quoted one may not.
    prefix: bool = False

    @property
    def is_words(self) -> bool:
        """Whether a word index can match it (it holds at least one letter or digit)."""
        return any(ch.isalnum() for ch in self.text)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


def _all_terms(query: str) -> list[Term]:
    # Control characters separate terms: a NUL would end FTS5's string early (its query parser
    # reads C strings) and PostgreSQL refuses it in any text. Forms refuse them first (check).
    cleaned = "".join(" " if _control(ch) else ch for ch in normalize(query or ""))
    terms: list[Term] = []
    for match in _TERM.finditer(cleaned):
        phrase, word = match.group(1), match.group(2)
        text = (phrase if phrase is not None else word.strip('"')).strip()
        text = " ".join(text.split())
        if not text:
            continue
        term = Term(text=text, phrase=phrase is not None and " " in text, prefix=phrase is None)
        if term not in terms:
            terms.append(term)
    return terms


def parse(query: str) -> list[Term]:
    """Words and quoted phrases of `query`, without empties and duplicates, at most ten (the
    forms refuse more with `check`, so nothing typed is dropped there)."""
    return _all_terms(query)[:MAX_TERMS]


def check(query: str) -> list[Term]:
    """The terms of a query typed in a form, or QueryError saying what is wrong with it: nothing
    to search for (only quotes), or more than MAX_TERMS words and phrases."""
    if not (query or "").strip():
        return []
    if any(_control(ch) and not ch.isspace() for ch in query):
        raise QueryError(gettext("Remove the control characters (such as NUL) from the search."))
    terms = _all_terms(query)
    if not terms:
        raise QueryError(gettext("Type a word to search for; quotes alone find nothing."))
    if len(terms) > MAX_TERMS:
        raise QueryError(
            gettext("Search for at most %(max)d words or phrases at once; this has %(n)d.")
            % {"max": MAX_TERMS, "n": len(terms)}
        )
    return terms


def words_of(term: Term) -> list[str]:
    """The runs of letters, digits and marks in `term`, as both indexes cut text into words."""
    return re.findall(rf"(?:{_WORD_CHAR})+", term.text)


def fts5_expression(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: each term a quoted string (FTS5 reads a multi-word string as
    a phrase), implicitly ANDed; a bare word's string is followed by `*`, which makes its last
    token a prefix. Quotes inside are doubled, so no term can inject syntax: inside a string
    FTS5 reads no operator, column filter or NEAR."""
    return " ".join(
        '"' + t.text.replace('"', '""') + '"' + ("*" if t.prefix else "")
        for t in terms
        if t.is_words
    )


def _tsquery_lexeme(word: str) -> str:
    # A quoted lexeme: to_tsquery reads nothing inside quotes as an operator. The words hold
    # only letters, digits and marks (words_of), so the doubling is belt and braces.
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_expression(terms: list[Term]) -> str:
    """A PostgreSQL to_tsquery ('simple') expression: each term's words joined by `<->` (next
    to each other, in order), the last one of a bare word with `:*` (a prefix); the terms
    joined by `&`. Every word is a quoted lexeme, so nothing the user typed is read as
    tsquery syntax (`!`, `|`, `(`, `:`)."""
    parts = []
    for term in terms:
        words = words_of(term)
        if not words:
            continue
        lexemes = [_tsquery_lexeme(w) for w in words]
        if term.prefix:
            lexemes[-1] += ":*"
        parts.append(" <-> ".join(lexemes))
    return " & ".join(parts)


def _pattern(term: Term) -> re.Pattern[str]:
    if not term.is_words:
        return re.compile(re.escape(term.text), re.IGNORECASE)
    words = words_of(term)
    gap = rf"(?:(?!{_WORD_CHAR}).)+"  # anything but a word between the words of a phrase
    body = gap.join(re.escape(w) for w in words)
    # A bare word's match runs to the end of the word it begins, so "denti" marks "dentist".
    rest = rf"(?:{_WORD_CHAR})*" if term.prefix else ""
    return re.compile(rf"(?<!{_WORD_CHAR}){body}{rest}(?!{_WORD_CHAR})", re.IGNORECASE | re.DOTALL)


def matches(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of every term in `text`, in order."""
    spans = sorted(
        (m.start(), m.end()) for term in terms for m in _pattern(term).finditer(text) if m.end()
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(
    text: str,
    terms: list[Term],
    *,
    snippet: int | None = SNIPPET_CHARS,
    folds: Sequence[tuple[int, int]] = (),
    fold_label: str = "",
    spans: list[tuple[int, int]] | None = None,
) -> str:
    """`text` as HTML-escaped markup with every match wrapped in <mark>. With `snippet`, only a
    window of about that many characters around the first match, with ellipses. Each of
    `folds` (the reader's shield, coparent.messaging.shield) is folded in a native
    <details class="shield"> whose summary is `fold_label`, exactly as on the thread page.
    `spans`: the matches when the caller has them already (from `matches`)."""
    if spans is None:
        spans = matches(text, terms)
    start, end = 0, len(text)
    if snippet is not None and len(text) > snippet:
        first = spans[0][0] if spans else 0
        start = max(0, first - snippet // 3)
        end = min(len(text), start + snippet)
    out = ["…" if start > 0 else ""]
    for piece_start, piece_end, folded in _pieces(start, end, folds):
        inner = _marked(text, piece_start, piece_end, spans)
        if folded:
            inner = (
                f'<details class="shield"><summary>{html.escape(fold_label)}</summary>'
                f'<span class="shield-original">{inner}</span></details>'
            )
        out.append(inner)
    out.append("…" if end < len(text) else "")
    return "".join(out)


def _pieces(start: int, end: int, folds: Sequence[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """The window [start, end) cut at the folds' edges: (start, end, folded) in order."""
    pieces: list[tuple[int, int, bool]] = []
    cursor = start
    for fold_start, fold_end in sorted(folds):
        s, e = max(fold_start, start), min(fold_end, end)
        if s >= e:
            continue
        if s > cursor:
            pieces.append((cursor, s, False))
        pieces.append((s, e, True))
        cursor = e
    if cursor < end or not pieces:
        pieces.append((cursor, end, False))
    return pieces


def _marked(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """text[start:end] escaped, with the matches inside it (clipped to it) in <mark>."""
    out = []
    cursor = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e or s < cursor:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    return "".join(out)
