"""The tone coach's held-out set (issue #15) is frozen.

heldout.jsonl beside this file holds co-parenting texts written from the situations alone,
before the coach's rules or any model were tuned, and labelled by LABELS.md. Its figures are
honest only while nobody tunes on it and nobody edits it: these tests pin its bytes, check its
shape, and check that none of its texts has found its way into the development set or the
coach's own data. They read the set; they never run the coach on it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from coparent.core import tone

HERE = Path(__file__).parent
HELDOUT = HERE / "heldout.jsonl"

# The held-out set is frozen; a change needs a new file, not an edit (LABELS.md).
FROZEN_SHA256 = "f9b300758f6b1d301f3ee19eca3494a6c7ca5b61c631f8bed556743e45aad062"

FIELDS = {"id", "text", "label", "situation", "family"}
LABELS = {"ok", "caution", "hostile"}
SITUATIONS = {
    "pickups-gates",
    "new-partners",
    "social-media",
    "trips",
    "money",
    "school",
    "health",
    "holidays",
    "lawyers-court",
    "public-posts",
    "devices",
    "activities",
    "other",
}


def _normal(text: str) -> str:
    """Case, spacing and curly quotes aside, the same words are the same text."""
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.casefold().split())


def _load() -> list[dict[str, str]]:
    rows = []
    for number, line in enumerate(HELDOUT.read_text(encoding="utf-8").split("\n"), start=1):
        if line == "":
            continue
        row = json.loads(line)
        assert isinstance(row, dict), f"line {number} is not a JSON object"
        rows.append(row)
    return rows


ROWS = _load()


def test_the_held_out_set_is_frozen():
    digest = hashlib.sha256(HELDOUT.read_bytes()).hexdigest()
    assert digest == FROZEN_SHA256, (
        "the held-out set is frozen; a change needs a new file, not an edit (see LABELS.md)"
    )


def test_each_line_is_one_labelled_text_in_the_documented_shape():
    raw = HELDOUT.read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw and b"\n\n" not in raw
    for row in ROWS:
        assert set(row) == FIELDS, row.get("id")
        assert all(isinstance(row[field], str) and row[field] for field in FIELDS), row["id"]
        assert row["text"] == row["text"].strip(), row["id"]
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", row["family"]), row["id"]


def test_there_are_enough_texts_with_unique_ids_in_file_order():
    assert len(ROWS) >= 300
    assert [row["id"] for row in ROWS] == [f"h{n:04d}" for n in range(1, len(ROWS) + 1)]


def test_no_text_appears_twice_even_in_another_case_or_spacing():
    normal = Counter(_normal(row["text"]) for row in ROWS)
    assert [text for text, count in normal.items() if count > 1] == []


def test_only_the_three_levels_each_well_represented():
    labels = Counter(row["label"] for row in ROWS)
    assert set(labels) == LABELS
    assert labels["hostile"] >= 120 and labels["caution"] >= 80 and labels["ok"] >= 100


def test_the_ok_texts_include_hard_negatives_and_only_ok_texts_are_hard_negatives():
    hard = [row for row in ROWS if row["family"] == "hard-negative"]
    assert len(hard) >= 40
    assert {row["label"] for row in hard} == {"ok"}


@pytest.mark.parametrize("situation", sorted(SITUATIONS))
def test_each_situation_is_there_with_all_three_levels(situation):
    labels = {row["label"] for row in ROWS if row["situation"] == situation}
    assert labels == LABELS


def test_no_other_situation_is_used():
    assert {row["situation"] for row in ROWS} == SITUATIONS


def test_no_held_out_text_is_in_the_development_set():
    dev = HERE / "eval_set.jsonl"
    seen = {_normal(json.loads(line)["text"]) for line in dev.read_text("utf-8").splitlines()}
    # Ids only: a failure must not print the held-out texts into a log.
    assert [row["id"] for row in ROWS if _normal(row["text"]) in seen] == []


def test_no_held_out_text_is_in_the_coachs_own_data():
    """Rules carry `examples` and `not_examples`; a held-out text there would be tuning on it."""
    data = Path(tone.__file__).with_name("data")
    files = sorted(path for path in data.rglob("*") if path.suffix in {".toml", ".txt"})
    assert files
    known = " ".join(_normal(path.read_text("utf-8")) for path in files)
    assert [row["id"] for row in ROWS if _normal(row["text"]) in known] == []
