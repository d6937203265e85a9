"""The learned signal beside the rules: a small linear model shipped as package data, scored
in plain Python, reproducible from the labelled set and a seed (`make tone-model`)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from coparent.core.tone import analyse
from coparent.core.tone.coach import LEARNED_CAUTION, LEARNED_HOSTILE
from coparent.core.tone.model import MODEL_FILE, ModelError, features, load_model, read_model
from coparent.core.tone.rules import load_rules
from coparent.core.tone.training import build, data_digest, prepare, write_model

EVAL_SET = Path(__file__).with_name("eval_set.jsonl")


@pytest.fixture(scope="module")
def retrained():
    return build(EVAL_SET)


def test_the_shipped_model_is_what_make_tone_model_gives_from_the_data_and_seed(retrained):
    shipped = load_model()
    assert shipped.meta == retrained.meta  # the same data (by SHA-256), seed and settings
    assert shipped.warn_threshold == pytest.approx(retrained.warn_threshold, abs=1e-3)
    assert shipped.hostile_threshold == pytest.approx(retrained.hostile_threshold, abs=1e-3)
    assert shipped.caution_threshold == pytest.approx(retrained.caution_threshold, abs=1e-3)
    assert shipped.veto_threshold == retrained.veto_threshold
    assert set(shipped.weights) == set(retrained.weights)
    for name, pair in shipped.weights.items():
        assert pair == pytest.approx(retrained.weights[name], abs=2e-3), name


def test_writing_the_shipped_model_again_gives_the_same_file_byte_for_byte(tmp_path):
    """The file is a pure function of the model (no time stamp, a fixed key order), so a diff of
    it shows a real change. Retraining matches the shipped weights within the tolerance above,
    not to the last bit: a newer numpy or scikit-learn may move the last digits (it did on
    2026-12-01, with numpy 2.4.6 and scikit-learn 1.9.1), which a byte-for-byte check made red."""
    path = tmp_path / "model.json.gz"
    write_model(load_model(), path)
    assert path.read_bytes() == MODEL_FILE.read_bytes()


def test_the_shipped_model_was_trained_on_the_labelled_set_as_it_is_now():
    """Change a text or a label without `make tone-model` and this fails."""
    from coparent.core.tone.evaluate import load_set

    rows = load_set(EVAL_SET)
    assert load_model().meta["data_sha256"] == data_digest(prepare(rows))


def test_the_model_file_is_small_package_data():
    assert MODEL_FILE.stat().st_size < 200_000
    pyproject = (Path(__file__).parents[3] / "pyproject.toml").read_text("utf-8")
    assert '"data/model.json.gz"' in pyproject


def test_the_coach_imports_no_training_library_at_run_time():
    code = (
        "import sys\n"
        "from coparent.core.tone import analyse\n"
        "analyse('What sort of fool leaves a kid waiting at practice?')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sklearn', 'scipy', 'numpy', 'torch', 'transformers'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_a_sentence_no_rule_explains_gets_the_models_flag_with_a_plain_reason():
    text = "The trip is £40. Shame your priorities are the pub and not your kids."
    verdict = analyse(text)
    assert verdict.level != "ok"
    (flag,) = [f for f in verdict.flags if f.kind in (LEARNED_HOSTILE, LEARNED_CAUTION)]
    assert flag.kind == LEARNED_HOSTILE and verdict.level == "hostile"
    assert flag.text == "Shame your priorities are the pub and not your kids."
    assert text[flag.start : flag.end] == flag.text
    assert flag.why and flag.suggestion
    assert set(flag.as_dict()) == {"start", "end", "text", "kind", "why", "suggestion"}
    assert verdict.rewrite == "Hi,\n\nThe trip is £40.\n\nThanks."


def test_the_model_raises_no_flag_where_the_rules_already_say_as_much():
    verdict = analyse("You're a liar and everyone knows it.")
    assert verdict.level == "hostile"
    assert [f.kind for f in verdict.flags] == ["insult"]


def test_the_model_kinds_are_documented_in_kinds_toml():
    kinds = load_rules().kinds
    assert kinds[LEARNED_HOSTILE].fold and not kinds[LEARNED_CAUTION].fold
    assert "contempt" in kinds[LEARNED_HOSTILE].why


def test_features_are_the_same_however_the_apostrophes_are_typed():
    assert features("You\u2019re only doing this") == features("You're only doing this")
    assert features("") == set()


def test_a_broken_model_file_fails_loudly(tmp_path):
    broken = tmp_path / "model.json.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(ModelError):
        read_model(broken)
    with gzip.open(broken, "wt", encoding="utf-8") as handle:
        json.dump({"format": 99}, handle)
    with pytest.raises(ModelError, match="format"):
        read_model(broken)


def test_a_sentence_opening_with_an_order_verb_reads_as_an_order_unless_asked():
    assert "m:order" in features("Send me the receipt. Then we'll talk.")
    assert "m:order" in features("Just get him there on time.")
    assert "m:request" in features("Send me the receipt when you can, please.")
    assert "m:order" not in features("Please send me the receipt.")
    assert not {"m:order", "m:request"} & features("The receipt is in the post.")
