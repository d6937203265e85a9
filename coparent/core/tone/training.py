"""Training the tone coach's learned model: a dev-time step (`make tone-model`), never run by
the coach itself. Needs scikit-learn (the dev extras); the runtime reads the result with the
standard library alone (coparent.core.tone.model).

The recipe, from the labelled texts and a seed, with nothing chosen by hand per run:

1. Each text's features (coparent.core.tone.coach.rules_and_features: words, word pairs, word
   stems, words said of "you", question openers, and the rules that fire on it). A feature
   seen in fewer than MIN_DF texts is dropped from the vocabulary (it still counts in the
   text's normalisation). The level the rules alone give the text is kept for step 3.
2. Two L2-regularised logistic regressions: warn (caution or hostile, against ok) and hostile
   (against the rest).
3. The thresholds, from an inner FOLDS-fold cross-validation on the same texts (each text
   scored by models that never saw it): the warn threshold is the lowest at which the **whole
   coach** — the level the rules give a text, raised to caution where the model warns — warns
   about at most WARN_FALSE_ALARMS of the ok texts (so the rules' own false alarms come out of
   the same budget, and a rule change moves the model's threshold with it); the hostile
   threshold is the one that gets most texts' level right, given the warn threshold.
4. The weights of the final models (trained on every text), rounded to DIGITS decimals; a
   feature whose weights both round to zero is left out of the file.

`cross_validate` measures the whole coach (rules and model) by k-fold: each fold's model is
trained by this same recipe on the other folds, thresholds included. The rules are fixed: they
were written by reading texts of the labelled set, so its figures flatter them a little.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from coparent.core.tone.coach import analyse, rules_and_features
from coparent.core.tone.evaluate import LEVELS, Evaluation, evaluate, load_set
from coparent.core.tone.model import FORMAT, MODEL_FILE, Model, model_from_dict

SEED = 15
FOLDS = 5
MIN_DF = 2
C = 8.0  # inverse regularisation strength of both regressions
# Share of ok texts the whole coach (the rules' level, raised by the model's) may warn about,
# in the inner cross-validation that picks the warn threshold; the target is 5%.
WARN_FALSE_ALARMS = 0.05
DIGITS = 4


@dataclass(frozen=True)
class Labelled:
    text: str
    label: str
    features: frozenset[str]
    rules: str = "ok"  # the level the rules alone give the text


def prepare(rows: Sequence[dict[str, Any]]) -> list[Labelled]:
    """The labelled texts with their features, computed once."""
    prepared = []
    for row in rows:
        found, level = rules_and_features(row["text"])
        prepared.append(
            Labelled(text=row["text"], label=row["label"], features=frozenset(found), rules=level)
        )
    return prepared


def train(data: Sequence[Labelled], *, seed: int = SEED) -> Model:
    """The model the recipe gives for these texts (the module docstring says how)."""
    labels = [item.label for item in data]
    warn_t, hostile_t = _thresholds(data, labels, seed)
    vocabulary, (warn, hostile) = _fit(data, labels, seed)
    weights: dict[str, tuple[float, float]] = {}
    for feature, column in vocabulary.items():
        pair = (
            round(float(warn.coef_[0][column]), DIGITS),
            round(float(hostile.coef_[0][column]), DIGITS),
        )
        if pair != (0.0, 0.0):
            weights[feature] = pair
    meta = {
        "seed": seed,
        "texts": len(data),
        "labels": dict(sorted(Counter(labels).items())),
        "data_sha256": data_digest(data),
        "min_df": MIN_DF,
        "C": C,
        "warn_false_alarms": WARN_FALSE_ALARMS,
    }
    return model_from_dict(
        {
            "format": FORMAT,
            "meta": meta,
            "bias": [
                round(float(warn.intercept_[0]), DIGITS),
                round(float(hostile.intercept_[0]), DIGITS),
            ],
            "thresholds": {"warn": round(warn_t, DIGITS), "hostile": round(hostile_t, DIGITS)},
            "weights": {k: list(v) for k, v in weights.items()},
        }
    )


def data_digest(data: Sequence[Labelled]) -> str:
    """SHA-256 of the labelled texts and labels, in order: which data a model came from."""
    digest = hashlib.sha256()
    for item in data:
        digest.update(json.dumps([item.text, item.label], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def write_model(model: Model, path: Path) -> None:
    """The model as gzipped JSON, byte for byte the same for the same model (no timestamp)."""
    raw = json.dumps(model.as_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    with path.open("wb") as handle, gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) as zipped:
        zipped.write(raw.encode("utf-8"))


def cross_validate(
    data: Sequence[Labelled], *, folds: int = FOLDS, seed: int = SEED
) -> tuple[Evaluation, list[str]]:
    """The whole coach measured by k-fold: each text judged by `analyse` with a model trained
    (by this recipe, thresholds included) on the other folds. Also returns each text's level."""
    labels = [item.label for item in data]
    predicted = [""] * len(data)
    confusion: Counter[tuple[str, str]] = Counter()
    timings: list[float] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(np.zeros(len(data)), labels):
        model = train([data[i] for i in train_index], seed=seed)
        result = evaluate(((data[i].text, data[i].label) for i in test_index), model=model)
        confusion.update(result.confusion)
        timings.extend(result.milliseconds)
        for i in test_index:
            predicted[i] = analyse(data[i].text, model=model).level
    return Evaluation(confusion=dict(confusion), milliseconds=tuple(timings)), predicted


def _matrix(data: Sequence[Labelled], vocabulary: dict[str, int]) -> csr_matrix:
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, item in enumerate(data):
        if not item.features:
            continue
        value = 1.0 / math.sqrt(len(item.features))
        for feature in item.features:
            column = vocabulary.get(feature)
            if column is not None:
                rows.append(row)
                columns.append(column)
                values.append(value)
    return csr_matrix((values, (rows, columns)), shape=(len(data), len(vocabulary)))


def _vocabulary(data: Sequence[Labelled]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for item in data:
        counts.update(item.features)
    kept = sorted(feature for feature, count in counts.items() if count >= MIN_DF)
    return {feature: column for column, feature in enumerate(kept)}


def _fit(
    data: Sequence[Labelled], labels: Sequence[str], seed: int
) -> tuple[dict[str, int], tuple[LogisticRegression, LogisticRegression]]:
    vocabulary = _vocabulary(data)
    matrix = _matrix(data, vocabulary)
    warn = LogisticRegression(C=C, solver="liblinear", random_state=seed)
    warn.fit(matrix, [label != "ok" for label in labels])
    hostile = LogisticRegression(C=C, solver="liblinear", random_state=seed)
    hostile.fit(matrix, [label == "hostile" for label in labels])
    return vocabulary, (warn, hostile)


def _thresholds(data: Sequence[Labelled], labels: Sequence[str], seed: int) -> tuple[float, float]:
    """(warn, hostile) thresholds from out-of-fold probabilities (the module docstring)."""
    p_warn = np.zeros(len(data))
    p_hostile = np.zeros(len(data))
    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(np.zeros(len(data)), labels):
        part = [data[i] for i in train_index]
        vocabulary, (warn, hostile) = _fit(part, [labels[i] for i in train_index], seed)
        matrix = _matrix([data[i] for i in test_index], vocabulary)
        p_warn[test_index] = warn.predict_proba(matrix)[:, 1]
        p_hostile[test_index] = hostile.predict_proba(matrix)[:, 1]
    truth = np.array([LEVELS.index(label) for label in labels])
    by_rules = np.array([LEVELS.index(item.rules) for item in data])
    is_ok = truth == 0
    # The warn threshold: the lowest at which the whole coach (the rules' level, raised by the
    # model's) warns about at most WARN_FALSE_ALARMS of the ok texts.
    allowed = int(is_ok.sum() * WARN_FALSE_ALARMS)
    warn_t = 0.0
    for candidate in sorted(set(p_warn[is_ok & (by_rules == 0)]), reverse=True):
        if np.sum(is_ok & ((by_rules > 0) | (p_warn >= candidate))) > allowed:
            warn_t = float(candidate) + 1e-6  # just above the first score over the budget
            break
    warned = p_warn >= warn_t
    best_t, best_right = 0.5, -1
    for candidate in np.unique(p_hostile):
        level = np.where(warned, np.where(p_hostile >= candidate, 2, 1), 0)
        right = int(np.sum(level == truth))
        if right > best_right:
            best_t, best_right = float(candidate), right
    return min(max(warn_t, 0.0), 1.0), best_t


EVAL_SET = Path(__file__).resolve().parents[3] / "tests" / "core" / "tone" / "eval_set.jsonl"


def build(labelled: Path = EVAL_SET, *, seed: int = SEED) -> Model:
    """The model `make tone-model` ships: the recipe on every labelled text."""
    return train(prepare(load_set(labelled)), seed=seed)


def main() -> int:
    """`make tone-model`: retrain from the labelled set and the seed, write the model file."""
    model = build()
    write_model(model, MODEL_FILE)
    print(
        f"{MODEL_FILE.name}: {len(model.weights):,} weighted features from "
        f"{model.meta['texts']:,} texts (seed {model.meta['seed']}); thresholds warn "
        f"{model.warn_threshold:.4f}, hostile {model.hostile_threshold:.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
