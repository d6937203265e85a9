"""A suggested brief, informative, friendly, firm (BIFF) version of a flagged text.

Built only from the writer's own sentences: a sentence holding an attack (insult, threat,
sarcasm...) is left out, since it carries no information the reader can act on; passive-
aggressive openers are cut; shouting is put in normal case and stacked marks calmed. What
remains is framed with a greeting and a thank-you. When nothing informative remains, a short
neutral request to sort things out stands in. It is a suggestion: the coach never changes what
the person sends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from coparent.core.tone.rules import Rule, RuleSet

if TYPE_CHECKING:
    from coparent.core.tone.coach import Flag

_GREETING = re.compile(r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b", re.I)
_THANKS = re.compile(r"\b(?:thanks|thank you|thx|cheers)\b", re.IGNORECASE)
_LONE_I = re.compile(r"(?<![\w'])i(?=['\s,.!?]|$)")
_LEADING_JUNK = re.compile(r"^[\s,;:\-\u2013\u2014.]+|^(?:and|but|so|because|or)\b[\s,]*", re.I)
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_MARK = re.compile(r"\s+([,.!?;:])")
_DOTS = re.compile(r"\.{2,}|\u2026")


def biff_rewrite(
    text: str, flags: Sequence[Flag], rules: RuleSet, sentences: Sequence[tuple[int, int]]
) -> str:
    by_id = {rule.id: rule for rule in rules.rules}
    kept: list[str] = []
    for start, end in sentences:
        inside = [f for f in flags if f.start < end and start < f.end and f.kind != "length"]
        actions = {f.rule: _action(f, by_id, rules) for f in inside}
        if "sentence" in actions.values():
            continue
        piece = _tidy(_edit(text[start:end], start, inside, actions))
        bare = piece.strip(" .!?,").lower()
        if any(c.isalnum() for c in piece) and bare not in rules.frame.drop_alone:
            kept.append(piece)
    parts = []
    if not (kept and _GREETING.match(kept[0])):
        parts.append(rules.frame.greeting)
    parts.append(" ".join(kept) if kept else rules.frame.fallback)
    if not _THANKS.search(kept[-1] if kept else ""):
        parts.append(rules.frame.closing)
    return "\n\n".join(parts)


def _action(flag: Flag, by_id: dict[str, Rule], rules: RuleSet) -> str:
    rule = by_id.get(flag.rule)
    return rule.rewrite if rule else rules.kinds[flag.kind].rewrite


# Which edit wins where two overlap: cutting words beats recasing them.
_PRIORITY = {"span": 0, "calm": 1, "lower": 2}


def _edit(piece: str, offset: int, flags: Sequence[Flag], actions: dict[str, str]) -> str:
    """Cut, calm or recase the flagged words of one sentence; of overlapping edits the one
    with the higher priority is applied, then all are applied right to left."""
    chosen: list[tuple[int, int, str]] = []
    candidates = [f for f in flags if actions[f.rule] in _PRIORITY]
    for flag in sorted(candidates, key=lambda f: (_PRIORITY[actions[f.rule]], f.start)):
        start, end = max(flag.start - offset, 0), min(flag.end - offset, len(piece))
        if not any(s < end and start < e for s, e, _ in chosen):
            chosen.append((start, end, actions[flag.rule]))
    for start, end, action in sorted(chosen, reverse=True):
        words = piece[start:end]
        if action == "span":
            replacement = ""
        elif action == "calm":
            replacement = "?" if "?" in words else "."
        else:
            replacement = words.lower()
        piece = piece[:start] + replacement + piece[end:]
    return piece


def _tidy(piece: str) -> str:
    piece = _DOTS.sub(".", piece)
    previous = None
    while previous != piece:
        previous = piece
        piece = _LEADING_JUNK.sub("", piece)
    piece = _SPACES.sub(" ", piece)
    piece = _SPACE_BEFORE_MARK.sub(r"\1", piece).strip()
    piece = _LONE_I.sub("I", piece)
    if not piece:
        return piece
    piece = piece[0].upper() + piece[1:]
    if piece[-1] not in ".!?":
        piece += "."
    return piece.replace("!.", "!").replace("?.", "?")
