"""A suggested brief, informative, friendly, firm (BIFF) version of a flagged text.

Built only from the writer's own words, clause by clause (a clause ends at , ; : or a dash), so
the facts and requests of a sentence survive when one part of it is an attack:

- a clause holding an attack (insult, threat, sarcasm, blame...) is left out, since it carries
  nothing the reader can act on; when it also carries a fact (a date, a time, an amount) or a
  request, only the flagged words go and the rest stays;
- an order ("Have them ready at 5") stays as a request: "Please have them ready at 5" — a
  flagged one, and any kept sentence that opens with an order verb (words/order_verbs.txt);
- swearing, passive-aggressive openers ("Per my last message,") and stacked marks are cut, and
  shouting is put in normal case.

What remains is framed with a greeting and a thank-you. When nothing informative remains, a
short neutral request to sort things out stands in. It is a suggestion: the coach never changes
what the person sends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from coparent.core.tone.model import order_verbs
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


# A fact the rewrite must keep: a number, an amount, a time, a day or a date.
FACT = re.compile(
    r"\d|[£$€]|\b(?:today|tonight|tomorrow|tmrw|yesterday|noon|midday|midnight|morning|afternoon"
    r"|evening|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed"
    r"|thurs?|fri|sat|sun|january|february|march|april|may|june|july|august|september|october"
    r"|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|o'?clock|half term"
    r"|christmas|easter|new year)\b",
    re.IGNORECASE,
)
# A request the rewrite must keep: a polite form, or a clause that starts with an order.
REQUEST = re.compile(
    r"^(?:please|pls|kindly|could you|can you|would you|will you|i need|we need|you need to|"
    r"(?:sign|bring|send|pay|pack|return|give|take|book|collect|drop|pick|call|ring|text|email|"
    r"reply|confirm|transfer|keep|let|tell|make sure|remember|check|put|have|get|wash|stop|"
    r"read|fill|buy|order|move|leave|wait|be|do|don't|do not)\b)",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"(?:[,;:](?!\d)|[\u2014\u2013])+|\s-\s")
# Words left hanging at the end of a clause once a threat after them is cut.
_DANGLING = re.compile(
    r"(?:[\s,]+(?:or|or else|and|but|so|because|otherwise|if|unless|i'm|im|i am|i'll|ill|"
    r"i will|i|you|you'll|u|then))+[\s,]*$",
    re.IGNORECASE,
)
# Kinds whose flagged words can go alone, leaving a clause that still reads: swearing.
_DETACHABLE = frozenset({"profanity"})


def biff_rewrite(
    text: str, flags: Sequence[Flag], rules: RuleSet, sentences: Sequence[tuple[int, int]]
) -> str:
    """The suggested version of `text`, framed."""
    return frame(rewrite_sentences(text, flags, rules, sentences), rules)


def rewrite_sentences(
    text: str, flags: Sequence[Flag], rules: RuleSet, sentences: Sequence[tuple[int, int]]
) -> list[str]:
    """The sentences the suggested version keeps, each tidied, before the frame."""
    by_id = {rule.id: rule for rule in rules.rules}
    kept: list[str] = []
    for start, end in sentences:
        inside = [
            f
            for f in flags
            if f.start < end and start < f.end and f.kind not in ("length", "supportive")
        ]
        actions = {f.rule: _action(f, by_id, rules) for f in inside}
        pieces = [
            piece
            for c_start, c_end, separator in _clauses(text, start, end)
            for piece in [_clause(text, c_start, c_end, separator, inside, actions)]
            if piece is not None
        ]
        piece = _tidy("".join(pieces), ending=_ending(text[start:end]))
        bare = piece.strip(" .!?,").lower()
        if any(c.isalnum() for c in piece) and bare not in rules.frame.drop_alone:
            kept.append(piece)
    return kept


_FIRST_WORD = re.compile(r"[a-z]+", re.IGNORECASE)
_ASKING = re.compile(r"\b(?:please|pls|could|can|would|will|mind)\b", re.IGNORECASE)


def asked(piece: str) -> str:
    """A kept sentence that is a bare order ("Send me the flight numbers.") is asked politely
    ("Please send me the flight numbers."): the request stays, the order's edge goes. Applied
    only after the draft is checked (coach._rewrite), so a "please" never softens a threat
    past the check."""
    first = _FIRST_WORD.match(piece)
    if first is None or first.group().lower() not in order_verbs() or _ASKING.search(piece):
        return piece
    return "Please " + piece[:1].lower() + piece[1:]


def _ending(sentence: str) -> str:
    """The sentence's own closing mark (a question stays a question), calmed to one."""
    stripped = sentence.rstrip(" \"')\u201d\u2019")
    return "?" if stripped.endswith("?") else "!" if stripped.endswith("!") else "."


def frame(kept: Sequence[str], rules: RuleSet) -> str:
    """The kept sentences with a greeting and a thank-you (the writer's own, when there)."""
    parts = []
    if not (kept and _GREETING.match(kept[0])):
        parts.append(rules.frame.greeting)
    parts.append(" ".join(kept) if kept else rules.frame.fallback)
    if not _THANKS.search(kept[-1] if kept else ""):
        parts.append(rules.frame.closing)
    return "\n\n".join(parts)


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, separator before it) of each clause of the sentence text[start:end]."""
    found: list[tuple[int, int, str]] = []
    position, separator = start, ""
    for match in _CLAUSE_END.finditer(text, start, end):
        found.append((position, match.start(), separator))
        position, separator = match.end(), match.group().strip() + " "
    found.append((position, end, separator))
    return [(s, e, sep) for s, e, sep in found if text[s:e].strip()]


def _clause(
    text: str,
    start: int,
    end: int,
    separator: str,
    flags: Sequence[Flag],
    actions: dict[str, str],
) -> str | None:
    """One clause as the rewrite keeps it (with its separator), or None to leave it out."""
    inside = [f for f in flags if f.start < end and start < f.end]
    words = text[start:end]
    attacks = [f for f in inside if actions[f.rule] == "sentence"]
    if not attacks:
        return separator + _edit(words, start, inside, actions)
    informative = FACT.search(words) or REQUEST.match(words.strip())
    if not informative:
        return None
    # The model judges whole sentences: in a clause that carries a fact or a request, its
    # words go only where a rule points (the coach checks the result again).
    attacks = [f for f in attacks if not f.rule.startswith("model.")]
    if not attacks:
        return separator + _edit(words, start, inside, actions)
    if all(f.kind == "command" and f.weight < _HOSTILE_WEIGHT for f in attacks):
        # An order with no attack in it: keep it, asked politely.
        # An order's own words stay; control words after them ("... at 5 sharp") go.
        tails = {
            f.rule: "span"
            for f in attacks
            if f.start > start + len(words) - len(words.lstrip()) + 1
        }
        polite = _edit(
            words,
            start,
            [f for f in inside if f not in attacks or f.rule in tails],
            {**actions, **tails},
        ).strip()
        if not polite.lower().startswith(("please", "pls", "could", "can", "would", "will")):
            polite = "please " + polite[:1].lower() + polite[1:]
        return separator + polite
    first = min(f.start for f in attacks)
    prefix = text[start:first] if first > start else ""
    if _informative(prefix):
        # The attack is the clause's tail ("Bring her back by 6 or I'm calling my lawyer"):
        # the request before it stays, without the "or" that led to the threat.
        before = [f for f in inside if f.end <= first]
        return separator + _DANGLING.sub("", _edit(prefix, start, before, actions))
    last = max(f.end for f in attacks)
    suffix = text[last:end] if last < end else ""
    if _informative(suffix):
        # The attack is the clause's head ("Tell your father he owes me £80"): what follows
        # it stays.
        after = [f for f in inside if f.start >= last]
        return separator + _edit(suffix, last, after, actions)
    if any(f.kind not in _DETACHABLE or f.start < start or f.end > end for f in attacks):
        return None
    cut = {f.rule: "span" for f in attacks}
    return separator + _edit(words, start, inside, {**actions, **cut})


def _informative(words: str) -> bool:
    """Whether a piece of a clause says something the reader can act on by itself."""
    stripped = words.strip()
    return len(stripped.split()) >= 3 and bool(FACT.search(stripped) or REQUEST.match(stripped))


# A flag this heavy is an attack in itself: the clause holding it goes, whatever else it says.
_HOSTILE_WEIGHT = 0.65


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


def _tidy(piece: str, ending: str = ".") -> str:
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
        piece += ending
    return piece.replace("!.", "!").replace("?.", "?")
