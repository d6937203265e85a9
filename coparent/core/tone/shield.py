"""The receiver's shield: which parts of a message to fold behind "show original wording".

A view only: the message itself, the family record and every export keep the text exactly as
sent. An attack (insult, threat, sarcasm, disparaging words, the children drawn in, swearing)
is folded with its whole sentence, since half a sentence reads worse than none; a passive-
aggressive opener ("Per my last message,") is folded alone, so the request after it still
shows. Blame, absolutes, commands and shouting stay visible: they are unpleasant, but the
information in them is the receiver's to read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coparent.core.tone import text as textlib
from coparent.core.tone.coach import Flag, analyse
from coparent.core.tone.rules import load_rules


@dataclass(frozen=True)
class Span:
    """text[start:end] (code-point offsets) is folded; `kinds` says why, for the label."""

    start: int
    end: int
    text: str
    kinds: tuple[str, ...]


def fold_spans(text: str, flags: Iterable[Flag]) -> list[Span]:
    """The spans of `text` to fold, given the coach's flags on it: merged, in order, never
    overlapping; whitespace between two folded sentences is folded with them."""
    rules = load_rules()
    by_id = {rule.id: rule for rule in rules.rules}
    sentences = textlib.sentence_spans(text)
    pieces: list[tuple[int, int, str]] = []
    for flag in flags:
        rule = by_id.get(flag.rule)
        if rule is None or not rule.fold or flag.weight < rules.scoring.caution:
            continue
        start, end = flag.start, flag.end
        if rule.rewrite != "span":
            for s_start, s_end in sentences:
                if s_start < flag.end and flag.start < s_end:
                    start, end = min(start, s_start), max(end, s_end)
        pieces.append((start, end, flag.kind))
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, kind in sorted(pieces):
        if merged and start <= merged[-1][1] or merged and not text[merged[-1][1] : start].strip():
            last_start, last_end, kinds = merged[-1]
            merged[-1] = (last_start, max(last_end, end), kinds + [kind])
        else:
            merged.append((start, end, [kind]))
    return [
        Span(start=s, end=e, text=text[s:e], kinds=tuple(dict.fromkeys(kinds)))
        for s, e, kinds in merged
    ]


def shield_spans(text: str) -> list[Span]:
    """The spans to fold in a received message (the coach runs on it first)."""
    return fold_spans(textlib.shown(text), analyse(text).flags)


def shield_segments(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, folded) pairs, in order, for a template to render: the pieces
    joined give back the text exactly."""
    segments: list[tuple[str, bool]] = []
    position = 0
    for span in shield_spans(text):
        if span.start > position:
            segments.append((text[position : span.start], False))
        segments.append((text[span.start : span.end], True))
        position = span.end
    if position < len(text):
        segments.append((text[position:], False))
    return segments


def fold_text(text: str, placeholder: str) -> str:
    """`text` with each folded piece replaced by `placeholder`: the shield for plain text (an
    email), where nothing can be opened in place."""
    return "".join(placeholder if folded else piece for piece, folded in shield_segments(text))
