"""Training the tone coach's learned model: a dev-time step (`make tone-model`), never run by
the coach itself. Needs scikit-learn (the dev extras); the runtime reads the result with the
standard library alone (coparent.core.tone.model).

The recipe, from the labelled texts and a seed, with nothing chosen by hand per run:

1. Each text's features (coparent.core.tone.coach.rules_and_features: words, word pairs, word
   stems, words said of "you", question openers, and the rules that fire on it). A feature
   seen in fewer than MIN_DF texts is dropped from the vocabulary (it still counts in the
   text's normalisation). The level the rules alone give the text is kept for step 3.
2. Three L2-regularised logistic regressions: warn (caution or hostile, against ok; each
   hostile text counted HOSTILE_SAMPLE_WEIGHT times), hostile (against the rest) and caution
   (against ok, on the ok and caution texts alone).
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
from coparent.core.tone.model import FORMAT, MODEL_FILE, Model, model_from_dict, vetoable

SEED = 15
FOLDS = 5
MIN_DF = 2
C = 8.0  # inverse regularisation strength of both regressions
# Share of ok texts the whole coach (the rules' level, raised by the model's) may warn about,
# in the inner cross-validation that picks the warn threshold. The target is 5%. Round 5 spent
# it all (5%: 5.1% on heldout5); round 6's 4% landed at 3.9% on heldout6 but cost recall there
# (hostile 0.869, caution 0.632). Round 7: 4.5%, chosen on cross-validation grouped by writer
# (each spent held-out set left out in turn, docs/tone.md), where 5% warned about 6.2% of one
# writer's ok texts and 4.5% gained 4 points of caution on 4% for 0.2 points of false alarms.
WARN_FALSE_ALARMS = 0.045
# The veto thresholds tried (0: no veto), and the warn and caution thresholds tried: GRID_STEPS
# scores spread over the top GRID_SHARE of the ok texts' out-of-fold scores.
VETO_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
GRID_SHARE = 0.2
GRID_STEPS = 41
# In that choice a hostile text warned about counts this many caution texts (round 6: 2, so the
# tighter budget is spent on hostile texts first; caution recall pays a little).
HOSTILE_WEIGHT = 2.0
# In fitting the warn model, each hostile text counts this many times (round 5): missing a
# hostile text costs more than missing a caution one, and the warn model's ranking is what the
# thresholds can spend; the false-alarm budget is unchanged.
HOSTILE_SAMPLE_WEIGHT = 3.0
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
    chosen = _thresholds(data, labels, seed)
    vocabulary, models = _fit(data, labels, seed)
    weights: dict[str, tuple[float, ...]] = {}
    for feature, column in vocabulary.items():
        triple = tuple(round(float(m.coef_[0][column]), DIGITS) for m in models)
        if any(triple):
            weights[feature] = triple
    meta = {
        "seed": seed,
        "texts": len(data),
        "labels": dict(sorted(Counter(labels).items())),
        "data_sha256": data_digest(data),
        "min_df": MIN_DF,
        "C": C,
        "warn_false_alarms": WARN_FALSE_ALARMS,
        "hostile_sample_weight": HOSTILE_SAMPLE_WEIGHT,
        "hostile_weight": HOSTILE_WEIGHT,
        "veto_grid": list(VETO_GRID),
    }
    return model_from_dict(
        {
            "format": FORMAT,
            "meta": meta,
            "bias": [round(float(m.intercept_[0]), DIGITS) for m in models],
            "thresholds": {name: round(value, DIGITS) for name, value in chosen.items()},
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
) -> tuple[dict[str, int], tuple[LogisticRegression, LogisticRegression, LogisticRegression]]:
    vocabulary = _vocabulary(data)
    matrix = _matrix(data, vocabulary)
    warn = LogisticRegression(C=C, solver="liblinear", random_state=seed)
    counted = np.array([HOSTILE_SAMPLE_WEIGHT if label == "hostile" else 1.0 for label in labels])
    warn.fit(matrix, [label != "ok" for label in labels], sample_weight=counted)
    hostile = LogisticRegression(C=C, solver="liblinear", random_state=seed)
    hostile.fit(matrix, [label == "hostile" for label in labels])
    # The caution model sees only ok and caution texts: the line between tense and plain.
    calm = [row for row, label in enumerate(labels) if label != "hostile"]
    caution = LogisticRegression(C=C, solver="liblinear", random_state=seed)
    caution.fit(matrix[calm], [labels[row] == "caution" for row in calm])
    return vocabulary, (warn, hostile, caution)


def _thresholds(data: Sequence[Labelled], labels: Sequence[str], seed: int) -> dict[str, float]:
    """The thresholds from out-of-fold probabilities (the module docstring)."""
    p_warn = np.zeros(len(data))
    p_hostile = np.zeros(len(data))
    p_caution = np.zeros(len(data))
    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(np.zeros(len(data)), labels):
        part = [data[i] for i in train_index]
        vocabulary, (warn, hostile, caution) = _fit(part, [labels[i] for i in train_index], seed)
        matrix = _matrix([data[i] for i in test_index], vocabulary)
        p_warn[test_index] = warn.predict_proba(matrix)[:, 1]
        p_hostile[test_index] = hostile.predict_proba(matrix)[:, 1]
        p_caution[test_index] = caution.predict_proba(matrix)[:, 1]
    truth = np.array([LEVELS.index(label) for label in labels])
    by_rules = np.array([LEVELS.index(item.rules) for item in data])
    exempt = np.array([not vetoable(item.features) for item in data])
    is_ok = truth == 0
    allowed = int(is_ok.sum() * WARN_FALSE_ALARMS)
    # Candidates: the scores of the top GRID_SHARE of ok texts, GRID_STEPS of them, plus "off".
    quantiles = np.linspace(1 - GRID_SHARE, 1, GRID_STEPS)
    warn_grid = [*np.quantile(p_warn[is_ok], quantiles), 1.0 + 1e-6]
    caution_grid = [*np.quantile(p_caution[is_ok], quantiles), 2.0]
    # The veto, the warn and the caution thresholds together: the triple under which the whole
    # coach (the rules' level, vetoed or raised by the model's) warns about the most caution
    # and hostile texts while warning about at most WARN_FALSE_ALARMS of the ok texts.
    best: tuple[float, float, float, float] = (-1.0, 0.0, 1.0 + 1e-6, 2.0)
    for veto in VETO_GRID:
        ruled = (by_rules == 2) | ((by_rules == 1) & ((p_warn >= veto) | exempt))
        for warn_t in warn_grid:
            by_warn = ruled | (p_warn >= warn_t)
            for caution_t in caution_grid:
                warned = by_warn | (p_caution >= caution_t)
                if np.sum(warned & is_ok) <= allowed:
                    caught = float(np.sum(warned & (truth == 1)))
                    caught += HOSTILE_WEIGHT * float(np.sum(warned & (truth == 2)))
                    if caught > best[0]:
                        best = (caught, float(veto), float(warn_t), float(caution_t))
    _caught, veto_t, warn_t, caution_t = best
    model_warns = (p_warn >= warn_t) | (p_caution >= caution_t)
    best_t, best_right = 0.5, -1
    for candidate in np.unique(p_hostile):
        level = np.where(model_warns, np.where(p_hostile >= candidate, 2, 1), 0)
        right = int(np.sum(level == truth))
        if right > best_right:
            best_t, best_right = float(candidate), right
    return {"warn": warn_t, "hostile": best_t, "caution": caution_t, "veto": veto_t}


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
        f"{model.warn_threshold:.4f}, caution {model.caution_threshold:.4f}, hostile "
        f"{model.hostile_threshold:.4f}, veto {model.veto_threshold:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
