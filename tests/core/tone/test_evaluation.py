"""The labelled set and the coach's cross-validated figures, asserted with a margin so they
cannot fall unnoticed.

The set (eval_set.jsonl, beside this file) was written for the project and labelled by
LABELS.md: co-parenting texts across pickups, new partners, social media, trips, money, school,
health, holidays, lawyers and public posts, ok / caution / hostile, with hard negatives that
share words with hostile texts. The learned model is trained on it, so its figures here come
from 5-fold cross-validation: each text is judged by the whole coach with a model retrained (by
`make tone-model`'s own recipe) on the other four folds. The rules are fixed, and were written
by reading part of this set, so these figures flatter the rules a little; the frozen held-out
set of the round (test_heldout.py) is the honest measure.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coparent.core.tone import analyse
from coparent.core.tone.evaluate import LEVELS, evaluate, load_set
from coparent.core.tone.training import cross_validate, prepare

ROWS = load_set(Path(__file__).with_name("eval_set.jsonl"))
SITUATIONS = {
    "logistics",
    "pickups",
    "partners",
    "social",
    "public",
    "trips",
    "money",
    "school",
    "health",
    "holidays",
    "legal",
    "devices",
    "activities",
}
# Phrase families of issue #15 that the first rules rated ok; the set shows each many times.
FAMILIES = {
    "rhetorical-contempt",
    "order-with-taunt",
    "dismissal",
    "motive-accusation",
    "passive-aggression",
    "sarcasm",
    "threat-as-fact",
    "child-as-messenger",
    "child-as-weapon",
    "social-media-ultimatum",
    "security-barrier",
    "controlling-accusation",
    "public-shaming",
}


@pytest.fixture(scope="module")
def crossed():
    return cross_validate(prepare(ROWS))


def test_the_set_is_big_varied_and_labelled():
    labels = Counter(row["label"] for row in ROWS)
    assert len(ROWS) >= 2300
    assert labels["ok"] >= 850 and labels["caution"] >= 650 and labels["hostile"] >= 650
    splits = Counter(row["split"] for row in ROWS)
    # The first six held-out sets, spent (each evaluated once, docs/tone.md), are now training
    # data; two texts of the second were already in the set (test_heldout.py).
    assert splits["heldout1"] == 356 and splits["heldout2"] == 396 and splits["heldout3"] == 349
    assert splits["heldout4"] == 350 and splits["heldout5"] == 350
    assert splits["heldout6"] == 375
    # Round 4 added 150 texts for the families cross-validation still missed (split "round4").
    assert splits["round4"] == 150
    # Round 5 added 158 more, and hard negatives sharing their words (split "round5").
    assert splits["round5"] == 158
    # Round 6 added 66, mostly hard negatives for the families cross-validation warned about.
    assert splits["round6"] == 66
    assert set(splits) == {
        "dev",
        "holdout",
        "heldout1",
        "heldout2",
        "heldout3",
        "heldout4",
        "heldout5",
        "heldout6",
        "round4",
        "round5",
        "round6",
    }
    assert SITUATIONS <= {row["topic"] for row in ROWS}
    families = Counter(row.get("family") for row in ROWS)
    assert all(families[family] >= 5 for family in FAMILIES), families
    assert sum(1 for row in ROWS if row.get("hard_negative")) >= 180
    assert all(row["label"] == "ok" for row in ROWS if row.get("hard_negative"))
    normal = Counter(" ".join(row["text"].casefold().split()) for row in ROWS)
    assert [text for text, count in normal.items() if count > 1] == []


def test_cross_validated_the_coach_catches_hostile_texts_without_crying_wolf(crossed):
    # Measured (docs/tone.md, round 4): recall 0.916, false alarms 5.0%, caution warned 0.783,
    # hostile rated hostile 0.859, accuracy 0.839 (on 3,233 texts, the three spent held-out
    # sets among them; round 3 gave 0.896, 5.2%, 0.754, 0.852, 0.832 on 2,734). With heldout4
    # folded in (3,583 texts, round-4 recipe): 0.896, 4.8%, 0.794, 0.826, 0.839. Round 5 (3,741
    # texts, hostile texts counted three times in the warn model): 0.914, 4.6%, 0.796, 0.847,
    # 0.843. With heldout5 folded in (4,091 texts, round-5 recipe): 0.911, 5.1%, 0.785, 0.855,
    # 0.841. Round 6 (4,157 texts, rules narrowed on hard negatives, a 4% false-alarm budget and
    # hostile texts counted twice in the threshold choice): 0.916, 3.8%, 0.771, 0.846, 0.840.
    # With heldout6 folded in (4,532 texts, round-6 recipe): 0.915, 4.1%, 0.751. Round 7 (budget
    # 4.5%, chosen on cross-validation grouped by writer): 0.918, 4.8%, 0.796. These hard
    # negatives are written to trip the coach, so the bound here is the target itself.
    result, _levels = crossed
    assert result.hostile_recall >= 0.90
    assert result.false_alarm_rate <= 0.05
    assert result.caution_recall >= 0.75
    assert result.hostile_exact >= 0.83
    assert result.accuracy >= 0.82


def test_cross_validated_most_hard_negatives_stay_ok(crossed):
    _result, levels = crossed
    hard = [level for row, level in zip(ROWS, levels, strict=True) if row.get("hard_negative")]
    # Measured in round 3: 46 of 433 (10.6%; 10% or less before the caution model, which buys
    # caution recall partly here); in round 4, 50 of 499 (10.0%). Hard negatives are written
    # to trip the coach.
    assert sum(level != "ok" for level in hard) / len(hard) <= 0.12


def test_the_rules_alone_raise_few_false_alarms():
    """The rules still never need the model to stay quiet on ok texts: with a model that
    never fires, they warn about at most 3.5% of them (measured: 2.8% in round 4, most of them
    on the hard negatives of the spent held-out sets and of the round-2 texts). Their false alarms
    come out of the whole coach's budget (training.WARN_FALSE_ALARMS)."""
    from coparent.core.tone.model import Model

    silent = Model(
        weights={}, bias=(-9.0, -9.0, -9.0), warn_threshold=1.0, hostile_threshold=1.0, meta={}
    )
    result = evaluate(((row["text"], row["label"]) for row in ROWS), model=silent)
    assert result.false_alarm_rate <= 0.035
    assert set(level for _label, level in result.confusion) <= set(LEVELS)


def test_every_suggested_rewrite_is_calmer_than_hostile_and_most_are_ok():
    levels = Counter()
    for row in ROWS:
        rewrite = analyse(row["text"]).rewrite
        if rewrite is not None:
            levels[analyse(rewrite).level] += 1
    assert levels["hostile"] == 0
    # Measured in round 3: 1,510 of 1,599 (94.4%; 95% or more before the caution model, which
    # reads some polite requests with a deadline as firm); in round 4, 1,826 of 1,928 (94.7%);
    # with heldout4 folded in, 2,024 of 2,186 (92.6%); in round 5, 2,125 of 2,317 (91.7%: the
    # warn model, counting hostile texts three times, reads more kept orders as firm). The rest
    # read as caution, none hostile.
    assert levels["ok"] / sum(levels.values()) >= 0.91


def test_the_coach_is_fast():
    # Target median <= 2 ms per text with the model (bench/tone.py measures it); a loose bound
    # here, so a busy test machine does not fail it.
    result = evaluate((row["text"], row["label"]) for row in ROWS)
    assert result.median_ms <= 10
