"""The tone coach's data: kinds, rules and word lists, read from ``data/`` once and cached.

Nothing here knows about any particular word: what is flagged, how much it weighs and what the
writer is told all live in ``data/kinds.toml``, ``data/rules.toml`` and ``data/words/*.txt``, so
a maintainer adds a phrase without touching code (docs/tone.md explains the format). A mistake
in those files fails loudly with the rule's id (`RuleError`) the first time the coach runs, and
the test suite loads them on every run.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

REWRITE_ACTIONS = frozenset({"sentence", "span", "lower", "calm", "keep"})
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class RuleError(ValueError):
    """A data file of the tone coach is malformed; the message names the file and the rule."""


@dataclass(frozen=True)
class Kind:
    name: str
    weight: float
    fold: bool
    rewrite: str
    why: str
    suggestion: str


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    regex: re.Pattern[str]
    weight: float
    fold: bool
    rewrite: str
    why: str
    suggestion: str
    unless_before: re.Pattern[str] | None
    unless_after: re.Pattern[str] | None
    skip_quoted: bool
    ignore_words: frozenset[str]
    examples: tuple[str, ...]
    not_examples: tuple[str, ...]


@dataclass(frozen=True)
class Scoring:
    caution: float
    hostile: float
    repeat_factor: float
    long_words: int


@dataclass(frozen=True)
class Frame:
    """The friendly frame around a suggested rewrite."""

    greeting: str
    closing: str
    fallback: str
    drop_alone: frozenset[str]


@dataclass(frozen=True)
class RuleSet:
    kinds: Mapping[str, Kind]
    rules: tuple[Rule, ...]
    scoring: Scoring
    frame: Frame


@cache
def load_rules() -> RuleSet:
    """The packaged rule set, parsed and compiled once per process."""
    return parse_rules(DATA_DIR)


def parse_rules(folder: Path) -> RuleSet:
    """Read kinds.toml, rules.toml and words/*.txt from `folder` and compile every pattern."""
    kinds_doc = _toml(folder / "kinds.toml")
    rules_doc = _toml(folder / "rules.toml")
    words = {path.stem: _word_list(path) for path in sorted((folder / "words").glob("*.txt"))}
    words.pop("README", None)
    kinds = {name: _kind(name, spec) for name, spec in _table(kinds_doc, "kinds").items()}
    scoring_doc = _table(kinds_doc, "scoring")
    scoring = Scoring(
        caution=float(scoring_doc["caution"]),
        hostile=float(scoring_doc["hostile"]),
        repeat_factor=float(scoring_doc["repeat_factor"]),
        long_words=int(scoring_doc["long_words"]),
    )
    frame_doc = _table(kinds_doc, "rewrite")
    frame = Frame(
        greeting=str(frame_doc["greeting"]),
        closing=str(frame_doc["closing"]),
        fallback=str(frame_doc["fallback"]),
        drop_alone=frozenset(str(w).lower() for w in frame_doc.get("drop_alone", ())),
    )
    macros = {str(k): str(v) for k, v in _table(rules_doc, "macros").items()}
    rules: list[Rule] = []
    seen: set[str] = set()
    for spec in rules_doc.get("rule", []):
        rule = _rule(spec, kinds, macros, words)
        if rule.id in seen:
            raise RuleError(f"rules.toml: the id {rule.id!r} is used twice")
        seen.add(rule.id)
        rules.append(rule)
    return RuleSet(kinds=kinds, rules=tuple(rules), scoring=scoring, frame=frame)


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path.name}: {exc}") from exc


def _table(doc: dict[str, Any], name: str) -> dict[str, Any]:
    table = doc.get(name)
    if not isinstance(table, dict):
        raise RuleError(f"the [{name}] table is missing")
    return table


def _word_list(path: Path) -> list[str]:
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            entries.append(entry)
    return entries


def _kind(name: str, spec: dict[str, Any]) -> Kind:
    rewrite = str(spec.get("rewrite", "sentence"))
    if rewrite not in REWRITE_ACTIONS:
        raise RuleError(f"kinds.toml: kind {name!r} has an unknown rewrite {rewrite!r}")
    return Kind(
        name=name,
        weight=float(spec.get("weight", 0.0)),
        fold=bool(spec.get("fold", False)),
        rewrite=rewrite,
        why=str(spec["why"]),
        suggestion=str(spec["suggestion"]),
    )


def _rule(
    spec: dict[str, Any], kinds: Mapping[str, Kind], macros: dict[str, str], words: dict[str, Any]
) -> Rule:
    rule_id = str(spec.get("id", "?"))
    kind = kinds.get(str(spec.get("kind")))
    if kind is None:
        raise RuleError(f"rules.toml: rule {rule_id!r} names an unknown kind {spec.get('kind')!r}")
    patterns = spec.get("patterns") or [spec.get("pattern")]
    if not all(isinstance(p, str) and p for p in patterns):
        raise RuleError(f"rules.toml: rule {rule_id!r} has no pattern")
    flags = 0 if spec.get("case_sensitive") else re.IGNORECASE
    source = "|".join(f"(?:{_expand(p, macros, words, rule_id)})" for p in patterns)
    regex = _compile(source, flags, rule_id)
    if regex.fullmatch(""):
        raise RuleError(f"rules.toml: rule {rule_id!r} matches an empty text")
    rewrite = str(spec.get("rewrite", kind.rewrite))
    if rewrite not in REWRITE_ACTIONS:
        raise RuleError(f"rules.toml: rule {rule_id!r} has an unknown rewrite {rewrite!r}")
    ignore = spec.get("ignore_words")
    if ignore is not None and ignore not in words:
        raise RuleError(f"rules.toml: rule {rule_id!r} ignores an unknown word list {ignore!r}")
    return Rule(
        id=rule_id,
        kind=kind.name,
        regex=regex,
        weight=float(spec.get("weight", kind.weight)),
        fold=bool(spec.get("fold", kind.fold)),
        rewrite=rewrite,
        why=str(spec.get("why", kind.why)),
        suggestion=str(spec.get("suggestion", kind.suggestion)),
        unless_before=_optional(spec, "unless_before", macros, words, rule_id),
        unless_after=_optional(spec, "unless_after", macros, words, rule_id),
        skip_quoted=bool(spec.get("skip_quoted", False)),
        ignore_words=frozenset(w.upper() for w in words[ignore]) if ignore else frozenset(),
        examples=tuple(spec.get("examples", ())),
        not_examples=tuple(spec.get("not_examples", ())),
    )


def _optional(
    spec: dict[str, Any], key: str, macros: dict[str, str], words: dict[str, Any], rule_id: str
) -> re.Pattern[str] | None:
    value = spec.get(key)
    if value is None:
        return None
    return _compile(_expand(str(value), macros, words, rule_id), re.IGNORECASE, rule_id)


def _compile(source: str, flags: int, rule_id: str) -> re.Pattern[str]:
    try:
        return re.compile(_spaces(source), flags)
    except re.error as exc:
        raise RuleError(f"rules.toml: rule {rule_id!r} has a bad pattern: {exc}") from exc


def _expand(pattern: str, macros: dict[str, str], words: dict[str, Any], rule_id: str) -> str:
    """Replace {name} by a macro's pattern or a word list's alternation (longest entry first,
    so "piece of shit" wins over "piece")."""

    def replace(match: re.Match[str], depth: int = 0) -> str:
        name = match.group(1)
        if name in macros:
            if depth > 5:
                raise RuleError(f"rules.toml: macro {name!r} refers to itself")
            inner = _PLACEHOLDER.sub(lambda m: replace(m, depth + 1), macros[name])
            return f"(?:{inner})"
        if name in words:
            entries = sorted(words[name], key=len, reverse=True)
            return "(?:" + "|".join(" ".join(map(re.escape, e.split())) for e in entries) + ")"
        raise RuleError(f"rules.toml: rule {rule_id!r} uses an unknown name {{{name}}}")

    return _PLACEHOLDER.sub(replace, pattern)


def _spaces(pattern: str) -> str:
    """A space in a pattern matches any run of whitespace (a space before ?/* makes it optional);
    inside a character class it stands for any whitespace character."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
            out.append(r"\s" if char == " " else char)
        elif char == "[":
            in_class = True
            out.append(char)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a literal ] first in a class
                out.append("]")
                i += 1
        elif char == " ":
            while pattern[i + 1 : i + 2] == " ":
                i += 1
            following = pattern[i + 1 : i + 2]
            if following in ("?", "*"):
                out.append(r"\s*")
                i += 1
            elif following == "+":
                out.append(r"\s+")
                i += 1
            else:
                out.append(r"\s+")
        else:
            out.append(char)
        i += 1
    return "".join(out)
