"""The tone coach's data files: they load, every rule does what its own examples say, and a
maintainer's mistake in them fails loudly with the rule's name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coparent.core.tone.coach import rule_spans
from coparent.core.tone.rules import DATA_DIR, RuleError, load_rules, parse_rules
from coparent.core.tone.text import folded

RULES = load_rules()
HOSTILE_KINDS = {
    "insult",
    "profanity",
    "absolute",
    "blame",
    "threat",
    "shouting",
    "sarcasm",
    "command",
    "disparaging",
    "children",
}


def test_every_kind_of_the_issue_has_rules_and_plain_words():
    kinds_with_rules = {rule.kind for rule in RULES.rules}
    assert HOSTILE_KINDS | {"supportive"} <= kinds_with_rules
    for kind in RULES.kinds.values():
        assert kind.why and kind.suggestion, kind.name
    assert RULES.kinds["supportive"].weight == 0 and RULES.kinds["length"].weight == 0


def test_every_rule_carries_examples_both_ways():
    for rule in RULES.rules:
        assert rule.examples, f"{rule.id} has no example that must trigger it"
        if rule.kind != "supportive":
            assert rule.not_examples, f"{rule.id} has no example that must not trigger it"


@pytest.mark.parametrize(
    ("rule_id", "example"),
    [(rule.id, text) for rule in RULES.rules for text in rule.examples],
)
def test_a_rule_fires_on_its_examples(rule_id, example):
    rule = next(r for r in RULES.rules if r.id == rule_id)
    assert rule_spans(rule, folded(example)), f"{rule_id} missed {example!r}"


@pytest.mark.parametrize(
    ("rule_id", "example"),
    [(rule.id, text) for rule in RULES.rules for text in rule.not_examples],
)
def test_a_rule_stays_quiet_on_its_counterexamples(rule_id, example):
    rule = next(r for r in RULES.rules if r.id == rule_id)
    spans = rule_spans(rule, folded(example))
    assert not spans, f"{rule_id} fired on {[example[s:e] for s, e in spans]} in {example!r}"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _append_rule(folder: Path, text: str) -> None:
    with (folder / "rules.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n" + text + "\n")


def test_a_maintainer_adds_a_phrase_in_the_data_files_only(tmp_path):
    folder = _copy(tmp_path)
    (folder / "words" / "insult_nouns.txt").write_text(
        (folder / "words" / "insult_nouns.txt").read_text() + "nincompoop\n"
    )
    rules = parse_rules(folder)
    rule = next(r for r in rules.rules if r.id == "insult.you-are")
    assert rule_spans(rule, "you're a nincompoop") == [(0, 19)]


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        ('[[rule]]\nid = "x.bad"\nkind = "grumpy"\npattern = "x"', "unknown kind 'grumpy'"),
        ('[[rule]]\nid = "x.bad"\nkind = "insult"\npattern = "(unclosed"', "bad pattern"),
        ('[[rule]]\nid = "x.bad"\nkind = "insult"\npattern = "{nowhere}"', "{nowhere}"),
        ('[[rule]]\nid = "x.bad"\nkind = "insult"\npattern = "a?"', "matches an empty text"),
        ('[[rule]]\nid = "insult.you-are"\nkind = "insult"\npattern = "x"', "used twice"),
        ('[[rule]]\nid = "x.bad"\nkind = "insult"\npattern = "x"\nrewrite = "shred"', "rewrite"),
        ("[[rule]\nbroken", "rules.toml"),
    ],
)
def test_a_mistake_in_the_rules_names_the_rule(tmp_path, addition, message):
    folder = _copy(tmp_path)
    _append_rule(folder, addition)
    with pytest.raises(RuleError, match=message.replace("(", r"\(").replace("{", r"\{")):
        parse_rules(folder)


def test_a_space_in_a_pattern_matches_any_whitespace(tmp_path):
    folder = _copy(tmp_path)
    _append_rule(
        folder,
        "[[rule]]\nid = \"x.spaces\"\nkind = \"blame\"\npattern = '''see you  later ?now[ ]x'''",
    )
    rule = next(r for r in parse_rules(folder).rules if r.id == "x.spaces")
    assert rule_spans(rule, "see\nyou \t later x") == []
    assert rule_spans(rule, "see\nyou \t laternow x") == [(0, 20)]
    assert rule_spans(rule, "see you later now x") == [(0, 19)]
