"""The verdict on one text: flags, score, level and a suggested rewrite.

`analyse` never raises on text, never changes it and never blocks anything: it only advises.
Its JSON (`Verdict.as_dict`) is the fixed interface of ARCHITECTURE.md, shared by
`coparent tone --json` and `POST /api/v1/tone`:

    {"level": "ok"|"caution"|"hostile", "score": 0..1,
     "flags": [{"start", "end", "text", "kind", "why", "suggestion"}], "rewrite": str | None}
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Literal, TypedDict

from coparent.core.tone import text as textlib
from coparent.core.tone.model import Model, features, load_model, vetoable
from coparent.core.tone.rewrite import asked, frame, rewrite_sentences
from coparent.core.tone.rules import Rule, RuleSet, load_rules

Level = Literal["ok", "caution", "hostile"]

# Only this many characters of a text are analysed, so one call stays within a few
# milliseconds whatever it is sent; the verdict says so in a "length" flag when it cuts.
ANALYSIS_LIMIT = 20_000

# Kinds that advise without judging: they never raise the score.
NEUTRAL_KINDS = frozenset({"supportive", "length"})
# The kinds of flag the learned model raises, when it judges a text worse than the rules do:
# on the sentence it finds most hostile (or most tense), with a plain reason.
LEARNED_HOSTILE = "hostile-sentence"
LEARNED_CAUTION = "tense-sentence"
_LEVELS: tuple[Level, ...] = ("ok", "caution", "hostile")
_BEFORE = 40  # characters of context a rule's unless_before sees
_AFTER = 40


class FlagJSON(TypedDict):
    start: int
    end: int
    text: str
    kind: str
    why: str
    suggestion: str


class VerdictJSON(TypedDict):
    level: Level
    score: float
    flags: list[FlagJSON]
    rewrite: str | None


@dataclass(frozen=True)
class Flag:
    """One flagged span: text[start:end] (code-point offsets into the text as sent)."""

    start: int
    end: int
    text: str
    kind: str
    why: str
    suggestion: str
    rule: str = ""
    weight: float = 0.0

    def as_dict(self) -> FlagJSON:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "why": self.why,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class Verdict:
    level: Level
    score: float
    flags: tuple[Flag, ...]
    rewrite: str | None
    truncated: bool = False

    def as_dict(self) -> VerdictJSON:
        """Exactly the JSON of ARCHITECTURE.md, nothing more."""
        return {
            "level": self.level,
            "score": self.score,
            "flags": [flag.as_dict() for flag in self.flags],
            "rewrite": self.rewrite,
        }


def analyse(text: str, *, model: Model | None = None) -> Verdict:
    """The tone coach's verdict on `text`.

    An empty or blank text is "ok" with nothing flagged. Only the first ANALYSIS_LIMIT
    characters are read; a longer text gets a "length" flag saying so. Lone surrogates are
    reported as U+FFFD in flag texts (one for one, so offsets hold). `model` replaces the
    shipped learned model (the cross-validation trains one per fold).
    """
    if not isinstance(text, str):
        raise TypeError(f"the tone coach reads text (str), not {type(text).__name__}")
    rules = load_rules()
    learned = model if model is not None else load_model()
    truncated = len(text) > ANALYSIS_LIMIT
    visible = textlib.shown(text[:ANALYSIS_LIMIT])
    if not visible.strip():
        return Verdict(level="ok", score=0.0, flags=(), rewrite=None)
    sentences = textlib.sentence_spans(visible)
    flags, score = _judge(visible, sentences, rules, learned)
    level = _level(score, rules)
    length = _length_flag(visible, sentences, rules, truncated)
    if length is not None:
        flags.append(length)
    flags.sort(key=lambda f: (f.start, -f.end, f.kind))
    rewrite = None if level == "ok" else _rewrite(visible, flags, sentences, rules, learned)
    return Verdict(
        level=level, score=score, flags=tuple(flags), rewrite=rewrite, truncated=truncated
    )


def _judge(
    visible: str, sentences: list[tuple[int, int]], rules: RuleSet, model: Model
) -> tuple[list[Flag], float]:
    """The flags (rules, then the model's when it judges the text worse) and the score."""
    flags = _rule_flags(rules, visible, sentences)
    score = _score(flags, rules)
    found = features(visible, _fired(flags))
    p_warn, p_hostile, p_caution = model.probabilities(found)
    caution_only = rules.scoring.caution <= score < rules.scoring.hostile
    if caution_only and p_warn < model.veto_threshold and vetoable(found):
        # The model's veto: rules that only reach caution, on a text the model does not score
        # as tense, do not set the level (their false alarms were most of the coach's, and the
        # budget they free lets the model warn about more tense texts). Their flags stay, so
        # the writer still sees the words they noticed; the level says how the text will read.
        score = min(score, round(rules.scoring.caution - 0.001, 3))
    learned = _learned_flag(
        model, visible, sentences, flags, score, rules, (p_warn, p_hostile, p_caution)
    )
    if learned is not None:
        flags.append(learned)
        score = max(score, learned.weight)
    return flags, score


def _rewrite(
    visible: str,
    flags: list[Flag],
    sentences: list[tuple[int, int]],
    rules: RuleSet,
    model: Model,
) -> str:
    """The suggested version, checked: each sentence it keeps is judged again (the rules run
    once over the whole draft as written, so a "please" added later cannot hide a threat from
    them; the model on each sentence as it will be sent, a bare order asked politely), and one
    that still reads as an attack (a flag the shield would fold, or a hostile verdict) is left
    out. An order kept as a request may still read as firm (caution)."""
    draft = rewrite_sentences(visible, flags, rules, sentences)
    joined = " ".join(draft)
    found = _rule_flags(rules, joined, textlib.sentence_spans(joined))
    kept = []
    start = 0
    for sentence in draft:
        end = start + len(sentence)
        inside = [f for f in found if start <= f.start < end]
        score = _score(inside, rules)
        sent = asked(sentence)
        learned = _learned_flag(model, sent, [(0, len(sent))], inside, score, rules)
        if learned is not None:
            inside.append(learned)
            score = max(score, learned.weight)
        attack = any(rules.kinds[f.kind].fold and f.weight >= rules.scoring.caution for f in inside)
        if not attack and score < rules.scoring.hostile:
            kept.append(sent)
        start = end + 1
    return frame(kept, rules)


def learned_features(text: str) -> set[str]:
    """The learned model's features for `text`, with the rules that fire on it: what
    training sees for a labelled text, exactly as `analyse` computes them."""
    return rules_and_features(text)[0]


def rules_and_features(text: str) -> tuple[set[str], Level]:
    """The learned model's features for `text` and the level the rules alone give it (what
    training needs to choose the model's thresholds for the whole coach)."""
    rules = load_rules()
    visible = textlib.shown(text[:ANALYSIS_LIMIT])
    flags = _rule_flags(rules, visible, textlib.sentence_spans(visible))
    return features(visible, _fired(flags)), _level(_score(flags, rules), rules)


def _rule_flags(rules: RuleSet, visible: str, sentences: list[tuple[int, int]]) -> list[Flag]:
    flags = _match_all(rules, visible, textlib.folded(visible))
    return _drop_contradicted_support(flags, sentences, rules)


def _fired(flags: list[Flag]) -> list[tuple[str, str]]:
    return [(flag.rule, flag.kind) for flag in flags]


def _level(score: float, rules: RuleSet) -> Level:
    if score >= rules.scoring.hostile:
        return "hostile"
    return "caution" if score >= rules.scoring.caution else "ok"


def _learned_flag(
    model: Model,
    visible: str,
    sentences: list[tuple[int, int]],
    flags: list[Flag],
    score: float,
    rules: RuleSet,
    scores: tuple[float, float, float] | None = None,
) -> Flag | None:
    """The model's flag when it judges the text worse than the rules' score does: on the
    sentence it scores highest, weighted so that the text reaches the model's level (a score
    within that level's band, higher as the model is surer). None when the rules already say
    as much as the model does. `scores` are the model's probabilities when already known."""
    if scores is None:
        scores = model.probabilities(features(visible, _fired(flags)))
    p_warn, p_hostile, p_caution = scores
    warned = model.warns(p_warn, p_caution)
    if warned and p_hostile >= model.hostile_threshold:
        kind, low, sure = (
            LEARNED_HOSTILE,
            rules.scoring.hostile,
            _share(p_hostile, model.hostile_threshold),
        )
        high = 0.99
    elif warned:
        kind, low, sure = (
            LEARNED_CAUTION,
            rules.scoring.caution,
            max(
                _share(p_warn, model.warn_threshold),
                _share(p_caution, model.caution_threshold),
            ),
        )
        high = rules.scoring.hostile - 0.001
    else:
        return None
    if _LEVELS.index(_level(score, rules)) >= _LEVELS.index(_level(low, rules)):
        return None
    weight = round(min(high, low + (high - low) * sure), 3)
    start, end = _most_hostile_sentence(model, visible, sentences, flags, kind)
    spec = rules.kinds[kind]
    return Flag(
        start=start,
        end=end,
        text=visible[start:end],
        kind=kind,
        why=spec.why,
        suggestion=spec.suggestion,
        rule=f"model.{kind}",
        weight=weight,
    )


def _share(probability: float, threshold: float) -> float:
    """How far past its threshold a probability is, from 0 (at it) to 1 (certain)."""
    return (
        max(0.0, min(1.0, (probability - threshold) / (1.0 - threshold)))
        if threshold < 1
        else float(probability >= threshold)
    )


def _most_hostile_sentence(
    model: Model,
    visible: str,
    sentences: list[tuple[int, int]],
    flags: list[Flag],
    kind: str,
) -> tuple[int, int]:
    """The sentence the model scores highest (on hostility for a hostile verdict, on warning
    for a caution), each scored alone with the rules that fired inside it."""
    if len(sentences) <= 1:
        return sentences[0] if sentences else (0, len(visible.rstrip()))
    index = 1 if kind == LEARNED_HOSTILE else 0
    best, best_p = sentences[0], -1.0
    for start, end in sentences:
        inside = [f for f in flags if start <= f.start < end]
        p = model.probabilities(features(visible[start:end], _fired(inside)))[index]
        if p > best_p:
            best, best_p = (start, end), p
    return best


def _match_all(rules: RuleSet, visible: str, reading: str) -> list[Flag]:
    quoted = textlib.quoted_spans(reading) if any(r.skip_quoted for r in rules.rules) else []
    found = [
        _flag(rule, visible, start, end)
        for rule in rules.rules
        for start, end in rule_spans(rule, reading, quoted)
    ]
    return _dedupe(found)


def rule_spans(
    rule: Rule, reading: str, quoted: list[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Where one rule fires in a folded text, its conditions applied (before any dedupe
    against other rules): the rule's own examples are checked with this."""
    if quoted is None:
        quoted = textlib.quoted_spans(reading)
    spans = []
    for match in rule.regex.finditer(reading):
        start, end = _trim(reading, *match.span())
        if start >= end:
            continue
        if rule.unless_before and rule.unless_before.search(
            reading, max(0, start - _BEFORE), start
        ):
            continue
        if rule.unless_after and rule.unless_after.match(reading[end : end + _AFTER]):
            continue
        if rule.skip_quoted and any(qs <= start and end <= qe for qs, qe in quoted):
            continue
        if rule.ignore_words:
            kept = _without_ignored(reading, start, end, rule)
            if kept is None:
                continue
            start, end = kept
        spans.append((start, end))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    # Leading separators are context a pattern needed ("... Again."), not the flagged words;
    # a span of marks alone ("!!!") is kept whole.
    while start < end and (
        text[start].isspace()
        or text[start] in ",;:"
        or (text[start] in ".!?" and any(c.isalnum() for c in text[start:end]))
    ):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _without_ignored(text: str, start: int, end: int, rule: Rule) -> tuple[int, int] | None:
    """The span trimmed to the words that are not in the rule's ignore list (acronyms in a run
    of capitals), or None when every word is ignored."""
    words = [
        m
        for m in textlib.WORD.finditer(text, start, end)
        if m.group().upper() not in rule.ignore_words and len(m.group()) > 1
    ]
    if not words:
        return None
    return words[0].start(), words[-1].end()


def _flag(rule: Rule, visible: str, start: int, end: int) -> Flag:
    words = visible[start:end]
    suggestion = rule.suggestion.replace("{lower}", words.lower())
    return Flag(
        start=start,
        end=end,
        text=words,
        kind=rule.kind,
        why=rule.why,
        suggestion=suggestion,
        rule=rule.id,
        weight=rule.weight,
    )


def _dedupe(flags: list[Flag]) -> list[Flag]:
    """One flag per stretch of text and kind: of overlapping flags of the same kind, the
    heavier (then the longer) one stays. Flags of different kinds may overlap: each gives its
    own reason."""
    kept: list[Flag] = []
    for flag in sorted(flags, key=lambda f: (-f.weight, -(f.end - f.start), f.start)):
        if not any(k.kind == flag.kind and k.start < flag.end and flag.start < k.end for k in kept):
            kept.append(flag)
    return kept


def _drop_contradicted_support(
    flags: list[Flag], sentences: list[tuple[int, int]], rules: RuleSet
) -> list[Flag]:
    """Supportive wording in a sentence that also carries a real warning ("Thanks a lot for
    nothing", "Thank you for finally showing up") is not support: drop it."""
    starts = [s for s, _ in sentences]

    def sentence_of(flag: Flag) -> int:
        return bisect.bisect_right(starts, flag.start) - 1

    warned = {
        sentence_of(f)
        for f in flags
        if f.kind not in NEUTRAL_KINDS and f.weight >= rules.scoring.caution
    }
    return [f for f in flags if f.kind != "supportive" or sentence_of(f) not in warned]


def _score(flags: list[Flag], rules: RuleSet) -> float:
    """Noisy-or of the flags' weights: each flag closes part of the remaining gap to 1. A
    repeat of a kind counts `repeat_factor` of its weight, so ten exclamation marks are not
    ten insults."""
    seen: dict[str, int] = {}
    remaining = 1.0
    for flag in sorted(flags, key=lambda f: -f.weight):
        if flag.kind in NEUTRAL_KINDS:
            continue
        weight = flag.weight * (rules.scoring.repeat_factor ** min(seen.get(flag.kind, 0), 1))
        seen[flag.kind] = seen.get(flag.kind, 0) + 1
        remaining *= 1.0 - min(max(weight, 0.0), 1.0)
    return round(1.0 - remaining, 3)


def _length_flag(
    visible: str, sentences: list[tuple[int, int]], rules: RuleSet, truncated: bool
) -> Flag | None:
    """A brevity nudge on the part of a long text past the recommended length; it also says
    when only the first ANALYSIS_LIMIT characters were read."""
    limit = rules.scoring.long_words
    words = list(textlib.WORD.finditer(visible))
    if len(words) <= limit and not truncated:
        return None
    kind = rules.kinds["length"]
    count = f"more than {len(words):,}" if truncated else f"{len(words):,}"
    why = kind.why.replace("{words}", count)
    if truncated:
        why += (
            f" Only the first {ANALYSIS_LIMIT:,} characters were checked; the rest of the"
            " text was not."
        )
    start = 0
    if len(words) > limit:
        crossing = words[limit].start()
        start = max((s for s, _ in sentences if s <= crossing), default=0)
    end = len(visible.rstrip())
    return Flag(
        start=start,
        end=end,
        text=visible[start:end],
        kind="length",
        why=why,
        suggestion=kind.suggestion,
        rule="length",
        weight=0.0,
    )
