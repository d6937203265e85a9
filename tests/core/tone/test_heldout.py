"""The coach's held-out sets (LABELS.md): the spent ones, and the frozen one of the round.

A held-out set is written before a round of tuning, committed alone with its SHA-256 pinned
here, and kept apart: nobody tuning the coach reads its texts or looks at which of them fail.
Once the round's coach is final it is evaluated once; the figures it gave are then asserted with
a small margin (MEASURED, MARGIN) and it is spent: it may join the labelled set as training data
(a split of eval_set.jsonl) and a new set is written for the next round. A failure reports ids
and counts, never a text.

- heldout.jsonl (round 1) was evaluated once on commit 92d35a3 and is now split "heldout1";
- heldout2.jsonl (round 2) was evaluated once on commit 4cb805b and is now split "heldout2"
  (its figures here are a floor, no longer a measure: the coach has trained on it);
- heldout3.jsonl (round 3) was written and frozen before any round-3 change to the coach,
  evaluated once on commit 1f546f5, and is now split "heldout3" (a floor, no longer a measure);
- heldout4.jsonl (round 4) was written and frozen before any round-4 change to the coach
  (HELDOUT4.md), evaluated once on commit 155c96d, and is now split "heldout4" (a floor, no
  longer a measure);
- heldout5.jsonl (round 5) is written by another session, which never tunes the coach, in its
  own branch; the round-5 tuner never reads it. The integrator merges it, pins its SHA-256 here
  (HELDOUT5_SHA256) and measures it once, on the round-5 coach as committed, by recording the
  figures in HELDOUT5.measured: evaluated once on commit 5dafb65 (hostile 0.920, caution 0.778,
  false alarms 5.1%, one text over its target), and is now split "heldout5" (a floor, no longer
  a measure);
- heldout6.jsonl (round 6) was written the same way (HELDOUT6.md) while the round-6 tuner worked
  blind on cross-validation; the integrator pinned HELDOUT6_SHA256 and measures it once, on the
  round-6 coach as merged, recording the figures in HELDOUT6.measured: evaluated once on
  commit eae34fc (hostile 0.869, caution 0.632, false alarms 3.9%: two of three targets missed),
  and is now split "heldout6" (a floor, no longer a measure);
- heldout7.jsonl (round 7) was written the same way (HELDOUT7.md), merged while the round-7
  tuner worked blind on cross-validation grouped by writer; the integrator pinned
  HELDOUT7_SHA256 and measures it once, on the round-7 coach as merged, recording the figures in
  HELDOUT7.measured: evaluated once on commit 0b3511b (hostile 0.852, caution 0.664, false
  alarms 3.9%: two of three targets missed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coparent.core import tone
from coparent.core.tone.evaluate import evaluate, load_set

HERE = Path(__file__).parent
FIELDS = {"id", "text", "label", "situation", "family"}
LABELS = {"ok", "caution", "hostile"}
TARGETS = {"hostile_recall": 0.90, "caution_recall": 0.75, "false_alarm_rate": 0.05}
MARGIN = 0.02


@dataclass(frozen=True)
class HeldOut:
    name: str
    sha256: str
    # The figures its one evaluation gave (None until then): the coach may not fall below them
    # by more than MARGIN. They may miss the targets, which stay printed beside them.
    measured: dict[str, float] | None
    # Ids of texts that coincide with the labelled set or the coach's data, found after the
    # evaluation and included in its figures; no other text may ever coincide while held out.
    coincident: frozenset[str] = field(default_factory=frozenset)
    # A spent set whose texts were then folded into the labelled set as training data.
    in_training: bool = False

    @property
    def path(self) -> Path:
        return HERE / self.name


HELDOUT2 = HeldOut(
    name="heldout2.jsonl",
    sha256="c07e8caf6564815d7c7cc487d6403ad590f4a3d1c9e74b06410b9796a53bfd70",
    # Measured once, by bench/tone.py on commit 4cb805b (docs/tone.md).
    measured={"hostile_recall": 0.859, "caution_recall": 0.649, "false_alarm_rate": 0.058},
    # "Nope. Not happening.", "Grow up." and an order to text on leaving, written alike by
    # chance by the held-out writer and the round-2 writer in branches that never met.
    coincident=frozenset({"h0006", "h0140", "h0342"}),
    # Spent: folded into eval_set.jsonl as split "heldout2" in round 3 (all but the two texts
    # the labelled set already held).
    in_training=True,
)
# Round 3's set: written and committed alone (33879fc) before any round-3 change (HELDOUT3.md).
HELDOUT3 = HeldOut(
    name="heldout3.jsonl",
    sha256="4534dae74dd04b6b6db2d2d7940a423ab477b2eab517d0469523130403b6c8ed",
    # Measured once, by bench/tone.py on commit 1f546f5 (docs/tone.md): hostile 89 of 111,
    # caution 83 of 108, false alarms 4 of 130. Hostile recall misses its target.
    measured={"hostile_recall": 0.802, "caution_recall": 0.769, "false_alarm_rate": 0.031},
    # Spent: folded into eval_set.jsonl as split "heldout3" in round 4 (all 349 texts; none
    # was already in the set).
    in_training=True,
)
# Round 4's set: written and committed alone (145bd25) before any round-4 change (HELDOUT4.md).
HELDOUT4 = HeldOut(
    name="heldout4.jsonl",
    sha256="ce1d1ae9a1031c9d3ccf7001f63b672e0c9a3565d91659a50c4dc77938be5c1f",
    # Measured once, by bench/tone.py on commit 155c96d (docs/tone.md): hostile 107 of 125,
    # caution 86 of 108, false alarms 5 of 117. Hostile recall misses its target.
    measured={"hostile_recall": 0.856, "caution_recall": 0.796, "false_alarm_rate": 0.043},
    # Spent: folded into eval_set.jsonl as split "heldout4" in round 5 (all 350 texts; none
    # was already in the set).
    in_training=True,
)
# Round 5's set: written by another session that never tunes the coach, in its own branch; the
# round-5 tuner never saw it. The integrator pinned the SHA-256 of the file as merged, ran
# bench/tone.py once and recorded the figures in `measured`.
HELDOUT5_SHA256 = "8738d440ca3929b743c8c43d6421105f7c9350456863a21cc36e693dc36d5f2b"
HELDOUT5 = HeldOut(
    name="heldout5.jsonl",
    sha256=HELDOUT5_SHA256,
    # Measured once, by bench/tone.py on commit 5dafb65 (docs/tone.md): hostile 115 of 125,
    # caution 84 of 108, false alarms 6 of 117. False alarms miss their target by one text.
    measured={"hostile_recall": 0.920, "caution_recall": 0.778, "false_alarm_rate": 0.051},
    # Spent: folded into eval_set.jsonl as split "heldout5" in round 6 (all 350 texts; none
    # was already in the set).
    in_training=True,
)
# Round 6's set: written by another session that never tunes the coach (HELDOUT6.md), merged
# (f648f2e) while the round-6 tuner worked on cross-validation only and never saw it.
HELDOUT6_SHA256 = "ccd02db708ce0a3c3b2f4027c12a069f7ec40093871449a99277a52b9d2152c6"
HELDOUT6 = HeldOut(
    name="heldout6.jsonl",
    sha256=HELDOUT6_SHA256,
    # Measured once, by bench/tone.py on commit eae34fc (docs/tone.md): hostile 113 of 130,
    # caution 74 of 117, false alarms 5 of 128. Hostile recall and caution warned miss their
    # targets: the false-alarm budget the round bought cost recall on texts it never saw.
    measured={"hostile_recall": 0.869, "caution_recall": 0.632, "false_alarm_rate": 0.039},
    # Spent: folded into eval_set.jsonl as split "heldout6" in round 7 (all 375 texts; none
    # was already in the set; `situation` kept as `topic`).
    in_training=True,
)
# Round 7's set: written by another session that never tunes the coach (HELDOUT7.md), merged
# (7a2575d) while the round-7 tuner worked on cross-validation only and never saw it.
HELDOUT7_SHA256 = "ebb6ea3b0854f3ade24d571370b5b25a26dc886c43c3750e836dd61d431940b4"
HELDOUT7 = HeldOut(
    name="heldout7.jsonl",
    sha256=HELDOUT7_SHA256,
    # Measured once, by bench/tone.py on commit 0b3511b (docs/tone.md): hostile 115 of 135,
    # caution 83 of 125, false alarms 5 of 128. Hostile recall and caution warned miss.
    measured={"hostile_recall": 0.852, "caution_recall": 0.664, "false_alarm_rate": 0.039},
    # A one-word text of three characters, found on wiring (before the evaluation) inside the
    # coach's data files: the check matches any substring of their whole text, and three letters
    # occur there by chance. It is not in the labelled set, and counts in the figures.
    coincident=frozenset({"t0035"}),
)
SETS = [HELDOUT2, HELDOUT3, HELDOUT4, HELDOUT5, HELDOUT6, HELDOUT7]


def _normal(text: str) -> str:
    """Case, spacing and curly quotes aside, the same words are the same text."""
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.casefold().split())


def _rows(held: HeldOut) -> list[dict[str, str]]:
    found = []
    for number, line in enumerate(held.path.read_text(encoding="utf-8").split("\n"), start=1):
        if line == "":
            continue
        row = json.loads(line)
        assert isinstance(row, dict), f"{held.name} line {number} is not a JSON object"
        found.append(row)
    return found


@pytest.fixture(params=SETS, ids=[held.name for held in SETS])
def held(request: pytest.FixtureRequest) -> HeldOut:
    held = request.param
    assert isinstance(held, HeldOut)
    if not held.path.exists():
        pytest.skip(f"{held.name} is not present")
    return held


def test_each_held_out_set_is_frozen(held):
    assert hashlib.sha256(held.path.read_bytes()).hexdigest() == held.sha256, (
        f"{held.name} is frozen; a change needs a new file, not an edit (see LABELS.md)"
    )


def test_each_line_is_one_labelled_text_in_the_documented_shape(held):
    raw = held.path.read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw and b"\n\n" not in raw
    rows = _rows(held)
    for row in rows:
        assert FIELDS <= set(row), row.get("id")
        assert row["label"] in LABELS, row["id"]
        assert isinstance(row["text"], str) and row["text"] == row["text"].strip(), row["id"]
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", row["family"]), row["id"]
    assert len({row["id"] for row in rows}) == len(rows)


def test_there_are_enough_texts_at_each_level(held):
    rows = _rows(held)
    assert len(rows) >= 300
    assert set(Counter(row["label"] for row in rows)) == LABELS


def test_no_text_appears_twice_even_in_another_case_or_spacing(held):
    normal = Counter(_normal(row["text"]) for row in _rows(held))
    assert sum(count - 1 for count in normal.values()) == 0


def test_no_held_out_text_is_in_the_labelled_set(held):
    """While a set is held out, none of its texts may be training data. A spent set folded into
    training is there whole, under its own split."""
    dev = [json.loads(line) for line in (HERE / "eval_set.jsonl").read_text("utf-8").splitlines()]
    split = held.name.removesuffix(".jsonl")
    seen = {_normal(row["text"]) for row in dev if row.get("split") != split}
    # Ids only: a failure must not print the held-out texts into a log.
    found = {row["id"] for row in _rows(held) if _normal(row["text"]) in seen}
    assert found <= held.coincident
    folded = sum(row.get("split") == split for row in dev)
    assert folded == (len(_rows(held)) - len(found) if held.in_training else 0)


def test_no_held_out_text_is_in_the_coachs_own_data(held):
    """Rules carry `examples` and `not_examples`; a held-out text there would be tuning on it."""
    if held.in_training:
        pytest.skip(f"{held.name} is spent and now training data")
    data = Path(tone.__file__).with_name("data")
    files = sorted(path for path in data.rglob("*") if path.suffix in {".toml", ".txt"})
    assert files
    known = " ".join(_normal(path.read_text("utf-8")) for path in files)
    assert {row["id"] for row in _rows(held) if _normal(row["text"]) in known} <= held.coincident


def test_the_held_out_figures_are_measured_and_printed_beside_the_targets(held, capsys):
    """Measures, prints beside the targets, and holds the coach to its one measurement. Before
    that measurement nothing is run on the set: its figures are not even printed."""
    if held.measured is None:
        pytest.skip(f"{held.name} is not yet evaluated: it is measured once, when the round ends")
    result = evaluate((row["text"], row["label"]) for row in load_set(held.path))
    assert sum(result.confusion.values()) > 0
    figures = {
        "hostile_recall": result.hostile_recall,
        "caution_recall": result.caution_recall,
        "false_alarm_rate": result.false_alarm_rate,
    }
    with capsys.disabled():
        spent = " (spent: now training data)" if held.in_training else ""
        print(f"\n{held.name}{spent}:\n{result.table()}")
        for name, value in figures.items():
            target = TARGETS[name]
            met = value <= target if name == "false_alarm_rate" else value >= target
            print(f"  {name}: {value:.3f} (target {target}) {'ok' if met else 'MISSED'}")
    assert figures["hostile_recall"] >= held.measured["hostile_recall"] - MARGIN
    assert figures["caution_recall"] >= held.measured["caution_recall"] - MARGIN
    assert figures["false_alarm_rate"] <= held.measured["false_alarm_rate"] + MARGIN
