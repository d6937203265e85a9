"""The evaluation set's figures, asserted with a margin so they cannot fall unnoticed.

The set (eval_set.jsonl, beside this file) was written for the project: co-parenting texts on
logistics, schedules, money, health, school, new partners, holidays and social media, labelled
ok / caution / hostile, with hard negatives that share words with hostile texts. "dev" texts
were read while the rules were written; "holdout" texts were written afterwards and never used
to change a rule, so their figures say how the coach does on wording it has not seen.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coparent.core.tone import analyse
from coparent.core.tone.evaluate import evaluate, load_set

ROWS = load_set(Path(__file__).with_name("eval_set.jsonl"))


@pytest.fixture(scope="module")
def whole():
    return evaluate((row["text"], row["label"]) for row in ROWS)


@pytest.fixture(scope="module")
def holdout():
    return evaluate((row["text"], row["label"]) for row in ROWS if row["split"] == "holdout")


def test_the_set_is_big_varied_and_labelled():
    labels = Counter(row["label"] for row in ROWS)
    topics = Counter(row["topic"] for row in ROWS)
    assert len(ROWS) >= 300
    assert labels["ok"] >= 150 and labels["caution"] >= 80 and labels["hostile"] >= 100
    assert {
        "logistics",
        "schedule",
        "money",
        "health",
        "school",
        "partners",
        "holidays",
        "social",
    } <= set(topics)
    assert sum(1 for row in ROWS if row.get("hard_negative")) >= 40
    assert sum(1 for row in ROWS if row["split"] == "holdout") >= 60
    assert len({row["text"] for row in ROWS}) == len(ROWS)


def test_the_coach_catches_hostile_texts_and_leaves_kind_ones_alone(whole):
    # Targets: recall on hostile >= 0.90, false alarms on ok <= 5%. Measured: 0.96 and 0.
    assert whole.hostile_recall >= 0.93
    assert whole.false_alarm_rate <= 0.02
    assert whole.hostile_exact >= 0.88
    assert whole.caution_recall >= 0.80
    assert whole.accuracy >= 0.90


def test_on_unseen_wording_it_still_raises_no_false_alarms(holdout):
    # The held-out part shows the limits of hand-written rules (docs/tone.md): most hostile
    # texts are caught, subtle passive aggression mostly is not, and kind texts stay clean.
    assert holdout.false_alarm_rate == 0
    assert holdout.hostile_recall >= 0.65


def test_every_hard_negative_is_ok():
    wrong = [
        row["text"]
        for row in ROWS
        if row.get("hard_negative")
        if analyse(row["text"]).level != "ok"
    ]
    assert not wrong


def test_every_suggested_rewrite_would_pass_the_coach():
    for row in ROWS:
        rewrite = analyse(row["text"]).rewrite
        if rewrite is not None:
            assert analyse(rewrite).level == "ok", (row["text"], rewrite)


def test_the_coach_is_fast(whole):
    # Target median <= 2 ms per text (bench/tone.py measures it); a loose bound here, so a
    # busy test machine does not fail it.
    assert whole.median_ms <= 10
