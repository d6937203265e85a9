"""Measuring the coach on labelled texts: the figures `make bench` prints and the tests assert.

The project's labelled set is tests/core/tone/eval_set.jsonl (one JSON object a line:
"text", "label" ok/caution/hostile, "topic", "split", optional "family" and "hard_negative");
the held-out set, when present, is tests/core/tone/heldout5.jsonl (LABELS.md). Only counts
are returned, never texts.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coparent.core.tone.coach import analyse
from coparent.core.tone.model import Model

LEVELS = ("ok", "caution", "hostile")


@dataclass(frozen=True)
class Evaluation:
    confusion: dict[tuple[str, str], int]  # (label, predicted) -> count
    milliseconds: tuple[float, ...]  # per text, in the order given

    def count(self, label: str) -> int:
        return sum(self.confusion.get((label, level), 0) for level in LEVELS)

    @property
    def hostile_recall(self) -> float:
        """Share of hostile texts the coach warns about (caution or hostile)."""
        hostile = self.count("hostile")
        warned = hostile - self.confusion.get(("hostile", "ok"), 0)
        return warned / hostile if hostile else 1.0

    @property
    def hostile_exact(self) -> float:
        """Share of hostile texts rated hostile, not merely caution."""
        hostile = self.count("hostile")
        return self.confusion.get(("hostile", "hostile"), 0) / hostile if hostile else 1.0

    @property
    def caution_recall(self) -> float:
        caution = self.count("caution")
        warned = caution - self.confusion.get(("caution", "ok"), 0)
        return warned / caution if caution else 1.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of ok texts the coach warns about."""
        ok = self.count("ok")
        return (ok - self.confusion.get(("ok", "ok"), 0)) / ok if ok else 0.0

    @property
    def accuracy(self) -> float:
        total = sum(self.confusion.values())
        return sum(self.confusion.get((x, x), 0) for x in LEVELS) / total if total else 1.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.milliseconds) if self.milliseconds else 0.0

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.milliseconds)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0

    def table(self) -> str:
        """The confusion table: rows are the labels, columns what the coach said."""
        width = 9
        lines = ["label \\ coach".ljust(15) + "".join(level.rjust(width) for level in LEVELS)]
        for label in LEVELS:
            cells = "".join(str(self.confusion.get((label, p), 0)).rjust(width) for p in LEVELS)
            lines.append(f"{label:<15}{cells}")
        return "\n".join(lines)


def load_set(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row.get("label") not in LEVELS or not isinstance(row.get("text"), str):
                raise ValueError(f"{path.name}: a row without a text or a known label: {line}")
            rows.append(row)
    return rows


def evaluate(labelled: Iterable[tuple[str, str]], *, model: Model | None = None) -> Evaluation:
    """Run the coach on each (text, label) and count what it said, timing each call. `model`
    replaces the shipped learned model (cross-validation trains one per fold)."""
    confusion: Counter[tuple[str, str]] = Counter()
    timings: list[float] = []
    for text, label in labelled:
        started = time.perf_counter()
        verdict = analyse(text, model=model)
        timings.append((time.perf_counter() - started) * 1000)
        confusion[(label, verdict.level)] += 1
    return Evaluation(confusion=dict(confusion), milliseconds=tuple(timings))
