"""The tone coach on its evaluation set (tests/core/tone/eval_set.jsonl): recall on hostile
texts, false alarms on ok ones, the confusion table, and time per text.

Runs alone (`python bench/tone.py`) or from bench/run.py. No database: the coach is pure.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "tests" / "core" / "tone" / "eval_set.jsonl"
PASSES = 5  # the set is timed this many times, for a steadier median and p99

Line = Callable[[str, str, str, bool], None]


def _measure() -> tuple[list[tuple[str, str, str, bool]], str]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from coparent.core.tone.evaluate import Evaluation, evaluate, load_set

    rows = load_set(EVAL_SET)
    whole = evaluate((row["text"], row["label"]) for row in rows)
    holdout = evaluate((row["text"], row["label"]) for row in rows if row["split"] == "holdout")
    timings: list[float] = []
    for _ in range(PASSES):
        timings += evaluate((row["text"], row["label"]) for row in rows).milliseconds
    timed = Evaluation(confusion=whole.confusion, milliseconds=tuple(timings))
    n_holdout = sum(1 for row in rows if row["split"] == "holdout")
    figures = [
        (
            f"tone: recall on hostile ({whole.count('hostile')} texts)",
            f"{whole.hostile_recall:.2f}",
            "≥ 0.90",
            whole.hostile_recall >= 0.90,
        ),
        (
            f"tone: false alarms on ok ({whole.count('ok')} texts)",
            f"{whole.false_alarm_rate:.1%}",
            "≤ 5%",
            whole.false_alarm_rate <= 0.05,
        ),
        ("tone: hostile rated hostile", f"{whole.hostile_exact:.2f}", "none yet", True),
        ("tone: caution texts warned about", f"{whole.caution_recall:.2f}", "none yet", True),
        (
            f"tone: held-out recall on hostile ({holdout.count('hostile')} unseen texts)",
            f"{holdout.hostile_recall:.2f}",
            "≥ 0.90",
            holdout.hostile_recall >= 0.90,
        ),
        (
            "tone: held-out false alarms on ok",
            f"{holdout.false_alarm_rate:.1%}",
            "≤ 5%",
            holdout.false_alarm_rate <= 0.05,
        ),
        (
            "tone: median time per text",
            f"{timed.median_ms:.2f} ms",
            "≤ 2 ms",
            timed.median_ms <= 2.0,
        ),
        ("tone: p99 time per text", f"{timed.p99_ms:.2f} ms", "none yet", True),
    ]
    table = f"tone: confusion on all {len(rows)} texts\n{whole.table()}"
    table += f"\ntone: confusion on the {n_holdout} held-out texts\n{holdout.table()}"
    return figures, table


def run() -> list[tuple[str, str, str]]:
    """The figures as (name, figure, target) rows; prints the confusion tables."""
    figures, table = _measure()
    print(table)
    return [(name, figure, target) for name, figure, target, _ in figures]


def report(line: Line) -> list[bool]:
    """bench/run.py's way: print each figure with its line helper, return which targets held."""
    figures, table = _measure()
    print(table)
    for name, figure, target, ok in figures:
        line(name, figure, target, ok)
    return [ok for *_, ok in figures]


if __name__ == "__main__":
    for name, figure, target in run():
        print(f"{name:<52} {figure:>14}   (target {target})")
