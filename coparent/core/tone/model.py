"""The tone coach's learned signal: a small linear model, scored in plain Python.

Three logistic regressions over the same features say how likely a text is to be read as
**warn** (caution or hostile, against ok), as **hostile** (against caution or ok) and, trained
on the ok and caution texts alone, as **caution** (against ok): the third sharpens the line
between a tense text and a plain one, which the warn model blurs with hostile texts. The
features are words, word pairs and word stems of the text, plus the ids and kinds of
the rules that fired on it, so the model learns where the rules are right and what they miss.
The weights were trained with scikit-learn by `make tone-model` (coparent.core.tone.training,
a dev-time step) from the labelled set and a seed, and ship as ``data/model.json.gz``: the
runtime reads that file once and needs nothing but the standard library.

A text's feature vector is binary and L2-normalised over all the features it has (seen in
training or not), so a score is one dictionary lookup per feature:

    p = sigmoid(bias + sum(weight[f] for f in features) / sqrt(len(features)))

The model warns when p_warn or p_caution reaches its threshold; it says hostile when it warns
and p_hostile reaches its own. It may also **veto** the rules' caution: a text the rules rate
caution (never hostile) whose p_warn is below the veto threshold is ok, unless p_caution
warns (coparent.core.tone.coach). All thresholds are chosen in training by cross-validation.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from coparent.core.tone import text as textlib

MODEL_FILE = Path(__file__).resolve().parent / "data" / "model.json.gz"
FORMAT = 2

PREFIX = 5
_YOU = frozenset({"you", "your", "u", "ur", "you're", "youre", "yours", "yourself", "ya"})
_DIGIT = re.compile(r"\d")
_CAPS = re.compile(r"(?<![\w'])[A-Z][A-Z']{2,}(?![\w'])")
# Words that may lead into an order without changing it ("Just get him there on time.").
_LEAD_INS = frozenset({"just", "now", "so", "and", "then", "also", "right", "ok", "okay"})
# A request form softens an order into a request (LABELS.md, C3).
_POLITE = frozenset({"please", "pls", "plz", "could", "can", "would", "mind", "possible"})
ORDER_VERBS_FILE = Path(__file__).resolve().parent / "data" / "words" / "order_verbs.txt"


# Rules the model's veto never overrules: a sentence in capitals is a raised voice whatever its
# words (LABELS.md, H7), and the labelled set holds too few of them for the model to judge.
VETO_EXEMPT = frozenset({"r:shouting.capitals"})


def vetoable(features: Iterable[str]) -> bool:
    """Whether the model's veto may overrule the rules' caution on a text with these features."""
    return VETO_EXEMPT.isdisjoint(features)


class ModelError(ValueError):
    """The shipped model file is missing or malformed."""


@dataclass(frozen=True)
class Model:
    """Weights of the three linear models (warn, hostile, caution) and the thresholds chosen
    in training. A caution threshold above 1 never warns; a veto threshold of 0 never vetoes."""

    weights: Mapping[str, tuple[float, float, float]]
    bias: tuple[float, float, float]
    warn_threshold: float
    hostile_threshold: float
    meta: Mapping[str, Any]
    caution_threshold: float = 2.0
    veto_threshold: float = 0.0

    def probabilities(self, features: Iterable[str]) -> tuple[float, float, float]:
        """(p_warn, p_hostile, p_caution) for a text with these features."""
        distinct = set(features)
        if not distinct:
            return (_sigmoid(self.bias[0]), _sigmoid(self.bias[1]), _sigmoid(self.bias[2]))
        warn = hostile = caution = 0.0
        for feature in distinct:
            triple = self.weights.get(feature)
            if triple is not None:
                warn += triple[0]
                hostile += triple[1]
                caution += triple[2]
        scale = 1.0 / math.sqrt(len(distinct))
        return (
            _sigmoid(self.bias[0] + warn * scale),
            _sigmoid(self.bias[1] + hostile * scale),
            _sigmoid(self.bias[2] + caution * scale),
        )

    def warns(self, p_warn: float, p_caution: float) -> bool:
        return p_warn >= self.warn_threshold or p_caution >= self.caution_threshold

    def as_dict(self) -> dict[str, Any]:
        """The model file's JSON (sorted, so a retrained model with the same weights is the
        same file)."""
        return {
            "format": FORMAT,
            "meta": dict(self.meta),
            "bias": list(self.bias),
            "thresholds": {
                "warn": self.warn_threshold,
                "hostile": self.hostile_threshold,
                "caution": self.caution_threshold,
                "veto": self.veto_threshold,
            },
            "weights": {name: list(triple) for name, triple in sorted(self.weights.items())},
        }


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def features(text: str, rules_fired: Iterable[tuple[str, str]] = ()) -> set[str]:
    """The model's features for `text`; `rules_fired` holds (rule id, kind) of the rule flags
    on it. Training and scoring both call this, so they can never disagree.

    w: a word (digits as 0) · b: two words in a row (<s> and </s> mark the ends) · x: a word's
    first PREFIX letters (a crude stem: "manipulating" and "manipulative" share one) · y: a word
    within three after "you"/"your" (what is said of the reader) · z: a word within three
    before it ("so exhausting being you", "a genius like you") · s: the first word of a
    sentence · q: the first word, and the first two, of a question · m:order / m:request: a
    sentence that opens with an order verb (words/order_verbs.txt), without or with a request
    form · p: stacked marks and capitals · r:, k: the rule ids and kinds that fired.
    """
    reading = textlib.folded(text)
    lowered = reading.lower()
    found: set[str] = set()
    for start, end in textlib.sentence_spans(lowered):
        sentence = lowered[start:end]
        words = [_DIGIT.sub("0", w) for w in textlib.WORD.findall(sentence)]
        if not words:
            continue
        previous = "<s>"
        for index, word in enumerate(words):
            found.add("w:" + word)
            found.add("b:" + previous + " " + word)
            previous = word
            if len(word) > PREFIX:
                found.add("x:" + word[:PREFIX])
            if word in _YOU:
                found.update("y:" + after for after in words[index + 1 : index + 4])
                found.update("z:" + before for before in words[max(0, index - 3) : index])
        found.add("b:" + previous + " </s>")
        found.add("s:" + words[0])
        opener = words[1] if words[0] in _LEAD_INS and len(words) > 1 else words[0]
        if opener in order_verbs():
            found.add("m:request" if _POLITE.intersection(words) else "m:order")
        if sentence.rstrip().endswith("?"):
            found.add("q:" + words[0])
            found.add("q:" + " ".join(words[:2]))
    if "??" in reading or "?!" in reading or "!?" in reading:
        found.add("p:??")
    if "!!" in reading:
        found.add("p:!!")
    if _CAPS.search(reading):
        found.add("p:CAPS")
    for rule_id, kind in rules_fired:
        found.add("r:" + rule_id)
        found.add("k:" + kind)
    return found


@cache
def order_verbs() -> frozenset[str]:
    """The verbs that open an order (data/words/order_verbs.txt), read once per process."""
    lines = ORDER_VERBS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


@cache
def load_model() -> Model:
    """The shipped model, read once per process."""
    return read_model(MODEL_FILE)


def read_model(path: Path) -> Model:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path.name}: {exc}") from exc
    return model_from_dict(doc, path.name)


def model_from_dict(doc: Any, name: str = "model") -> Model:
    try:
        if doc["format"] != FORMAT:
            raise ModelError(f"{name}: format {doc['format']!r}, expected {FORMAT}")
        weights = {
            str(k): (float(v[0]), float(v[1]), float(v[2])) for k, v in doc["weights"].items()
        }
        bias = (float(doc["bias"][0]), float(doc["bias"][1]), float(doc["bias"][2]))
        thresholds = doc["thresholds"]
        return Model(
            weights=weights,
            bias=bias,
            warn_threshold=float(thresholds["warn"]),
            hostile_threshold=float(thresholds["hostile"]),
            caution_threshold=float(thresholds["caution"]),
            veto_threshold=float(thresholds["veto"]),
            meta=dict(doc.get("meta", {})),
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise ModelError(f"{name}: malformed model ({exc})") from exc
