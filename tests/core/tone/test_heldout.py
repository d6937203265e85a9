"""The coach's frozen held-out set, heldout2.jsonl, when it is present (LABELS.md).

The set is written by someone other than whoever tunes the coach, from the situations alone,
and kept apart: nobody tuning the coach reads its texts or looks at which of them fail. These
tests skip while the file is absent. When it is present they check its shape, that none of its
texts has found its way into the labelled set or the coach's own data, and they print its
figures beside the targets. It was evaluated once, on commit 4cb805b: its SHA-256 is pinned in
FROZEN_SHA256 and the figures it gave are asserted with a small margin (MEASURED, MARGIN). A
failure reports ids and counts, never a text.

The first held-out set (heldout.jsonl) was evaluated once, on commit 92d35a3, and is now part
of the labelled set (split "heldout1"); docs/tone.md keeps its figures as history.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from coparent.core import tone
from coparent.core.tone.evaluate import evaluate, load_set

HERE = Path(__file__).parent
HELDOUT = HERE / "heldout2.jsonl"
# Set by whoever evaluates the set, with the figures it gave: from then on it is frozen.
FROZEN_SHA256: str | None = "c07e8caf6564815d7c7cc487d6403ad590f4a3d1c9e74b06410b9796a53bfd70"
# Measured once, by bench/tone.py on commit 4cb805b (docs/tone.md): the coach may not fall below
# them by more than the margin. They miss the targets, which stay printed beside them.
MEASURED = {"hostile_recall": 0.859, "caution_recall": 0.649, "false_alarm_rate": 0.058}
MARGIN = 0.02
# Three short texts the held-out writer and the round-2 writer (and a rule's example) wrote
# alike by chance, each in a branch the other never saw ("Nope. Not happening.", "Grow up.",
# an order to text on leaving). Found by these tests after the one evaluation; the figures
# above include them (3 of 398); no other text may ever coincide.
COINCIDENT = {"h0006", "h0140", "h0342"}

FIELDS = {"id", "text", "label", "situation", "family"}
LABELS = {"ok", "caution", "hostile"}
TARGETS = {"hostile_recall": 0.90, "caution_recall": 0.75, "false_alarm_rate": 0.05}

pytestmark = pytest.mark.skipif(
    not HELDOUT.exists(), reason="no held-out set is present (tests/core/tone/heldout2.jsonl)"
)


def _normal(text: str) -> str:
    """Case, spacing and curly quotes aside, the same words are the same text."""
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.casefold().split())


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    found = []
    for number, line in enumerate(HELDOUT.read_text(encoding="utf-8").split("\n"), start=1):
        if line == "":
            continue
        row = json.loads(line)
        assert isinstance(row, dict), f"line {number} is not a JSON object"
        found.append(row)
    return found


def test_the_held_out_set_is_frozen_once_evaluated():
    if FROZEN_SHA256 is None:
        pytest.skip("not yet evaluated: FROZEN_SHA256 is set with the figures it gives")
    assert hashlib.sha256(HELDOUT.read_bytes()).hexdigest() == FROZEN_SHA256, (
        "the held-out set is frozen; a change needs a new file, not an edit (see LABELS.md)"
    )


def test_each_line_is_one_labelled_text_in_the_documented_shape(rows):
    raw = HELDOUT.read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw and b"\n\n" not in raw
    for row in rows:
        assert FIELDS <= set(row), row.get("id")
        assert row["label"] in LABELS, row["id"]
        assert isinstance(row["text"], str) and row["text"] == row["text"].strip(), row["id"]
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", row["family"]), row["id"]
    assert len({row["id"] for row in rows}) == len(rows)


def test_there_are_enough_texts_at_each_level(rows):
    labels = Counter(row["label"] for row in rows)
    assert len(rows) >= 300
    assert set(labels) == LABELS


def test_no_text_appears_twice_even_in_another_case_or_spacing(rows):
    normal = Counter(_normal(row["text"]) for row in rows)
    assert sum(count - 1 for count in normal.values()) == 0


def test_no_held_out_text_is_in_the_labelled_set(rows):
    dev = HERE / "eval_set.jsonl"
    seen = {_normal(json.loads(line)["text"]) for line in dev.read_text("utf-8").splitlines()}
    # Ids only: a failure must not print the held-out texts into a log.
    found = {row["id"] for row in rows if _normal(row["text"]) in seen}
    assert found <= COINCIDENT


def test_no_held_out_text_is_in_the_coachs_own_data(rows):
    """Rules carry `examples` and `not_examples`; a held-out text there would be tuning on it."""
    data = Path(tone.__file__).with_name("data")
    files = sorted(path for path in data.rglob("*") if path.suffix in {".toml", ".txt"})
    assert files
    known = " ".join(_normal(path.read_text("utf-8")) for path in files)
    assert {row["id"] for row in rows if _normal(row["text"]) in known} <= COINCIDENT


def test_the_held_out_figures_are_measured_and_printed_beside_the_targets(capsys):
    """Measures, prints beside the targets, and holds the coach to its one measurement."""
    result = evaluate((row["text"], row["label"]) for row in load_set(HELDOUT))
    assert sum(result.confusion.values()) > 0
    figures = {
        "hostile_recall": result.hostile_recall,
        "caution_recall": result.caution_recall,
        "false_alarm_rate": result.false_alarm_rate,
    }
    with capsys.disabled():
        print(f"\n{HELDOUT.name}:\n{result.table()}")
        for name, value in figures.items():
            target = TARGETS[name]
            met = value <= target if name == "false_alarm_rate" else value >= target
            print(f"  {name}: {value:.3f} (target {target}) {'ok' if met else 'MISSED'}")
    assert figures["hostile_recall"] >= MEASURED["hostile_recall"] - MARGIN
    assert figures["caution_recall"] >= MEASURED["caution_recall"] - MARGIN
    assert figures["false_alarm_rate"] <= MEASURED["false_alarm_rate"] + MARGIN
