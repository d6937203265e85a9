"""The coach on the frozen held-out set (heldout.jsonl, LABELS.md): figures asserted with a
margin, so they cannot fall unnoticed.

The set was written before the coach's rules and model were tuned, by someone who never ran
the coach on it; nobody tuning the coach reads its texts. Its figures were measured once, after
the rules, data and model of issue #15 were final and committed, and they miss the issue's
targets (docs/tone.md, "Evaluation"): recall on hostile 0.833 (target 0.90), caution texts
warned 0.546 (target 0.75), false alarms on ok 9.1% (target 5%). The bounds below are those
figures less a small margin, not the targets. A failure reports counts only, never a text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coparent.core.tone.evaluate import evaluate, load_set

HELDOUT = Path(__file__).with_name("heldout.jsonl")


@pytest.fixture(scope="module")
def heldout():
    return evaluate((row["text"], row["label"]) for row in load_set(HELDOUT))


def test_the_held_out_figures_do_not_fall(heldout):
    counts = {label: heldout.count(label) for label in ("ok", "caution", "hostile")}
    assert counts == {"ok": 121, "caution": 97, "hostile": 138}
    # Measured once: 0.833, 0.546, 9.1%, 0.725.
    assert heldout.hostile_recall >= 0.80, heldout.table()
    assert heldout.caution_recall >= 0.50, heldout.table()
    assert heldout.false_alarm_rate <= 0.11, heldout.table()
    assert heldout.hostile_exact >= 0.69, heldout.table()
