"""Story 8, a year on: Sam kept the weekly checkpoint of March. In September Alex produces an
export in court. If anyone — even the server's operator, who holds the signing key and can
re-sign a whole rewritten chain — changed, dropped or reordered anything up to March's entry,
the export no longer extends Sam's checkpoint, and the verifier says so."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from coparent.core.record.chain import make_checkpoint, make_entry
from coparent.core.record.verify import checkpoint_problem, main, verify_document
from tests.core.record.test_verify import EXPORTED_AT, FAMILY, SERVER_KEY, export

FORGER_KEY = Ed25519PrivateKey.generate()


def _chain(n: int):
    chain = []
    for i in range(n):
        fact = {"kind": "message.sent", "actor": "alex", "data": {"n": i}, "at": EXPORTED_AT}
        chain.append(make_entry(prev=chain[-1] if chain else None, **fact))
    return chain


def _checkpoint(chain, seq: int, key: Ed25519PrivateKey = SERVER_KEY) -> str:
    head = chain[seq - 1].hash
    return make_checkpoint(key, family=FAMILY["id"], seq=seq, hash=head)


def _rewritten(chain, seq: int):
    """The operator's forgery: entry `seq` changed and every later entry re-chained."""
    facts = [
        {"kind": e.kind, "actor": e.actor, "data": copy.deepcopy(e.data), "at": e.at} for e in chain
    ]
    facts[seq - 1]["data"] = {"n": "rewritten"}
    forged = []
    for fact in facts:
        forged.append(make_entry(prev=forged[-1] if forged else None, **fact))
    return forged


def test_a_later_export_extends_the_checkpoint_in_both_forms():
    chain = _chain(12)
    march = _checkpoint(chain[:5], 5)
    september = export(chain)
    assert verify_document(september).ok
    assert checkpoint_problem(september, march) is None
    assert checkpoint_problem(september, f"5:{chain[4].hash}") is None
    assert checkpoint_problem(september, f"0:{'0' * 64}") is None


@given(seq=st.integers(1, 8), changed=st.integers(1, 8))
def test_a_rewritten_and_re_signed_past_fails_against_the_checkpoint(seq, changed):
    chain = _chain(8)
    held = _checkpoint(chain, seq)
    forged = export(_rewritten(chain, changed))
    # The forgery is a perfectly valid export on its own: same key, whole chain.
    assert verify_document(forged).ok
    problem = checkpoint_problem(forged, held)
    if changed <= seq:
        assert problem is not None and f"entry {seq} is not the one the checkpoint holds" in problem
    else:
        assert problem is None  # what came after the checkpoint is not the checkpoint's business


def test_dropping_entries_back_before_the_checkpoint_is_caught():
    chain = _chain(10)
    held = _checkpoint(chain, 9)
    shorter = export(chain[:7])
    assert (
        checkpoint_problem(shorter, held) == "the checkpoint holds 9 entries but the export only 7"
    )


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda note: note.replace("\n4\n", "\n3\n", 1), "does not verify"),
        (lambda note: note.replace(FAMILY["id"], "fam-other"), "another family's record"),
        (lambda note: note.split("\n\n")[0] + "\n", "not a signed checkpoint"),
        (lambda note: "four:abc", "neither SEQ:HASH nor a signed checkpoint"),
    ],
)
def test_a_tampered_or_malformed_checkpoint_is_refused_with_a_reason(tamper, reason):
    chain = _chain(6)
    note = _checkpoint(chain, 4)
    assert reason in (checkpoint_problem(export(chain), tamper(note)) or "")


def test_a_checkpoint_signed_by_another_key_does_not_count():
    chain = _chain(4)
    forged = _checkpoint(chain, 4, key=FORGER_KEY)
    assert checkpoint_problem(export(chain), forged) == (
        "the checkpoint is not signed by this export's key"
    )


def test_the_command_line_takes_a_checkpoint_file_or_seq_and_hash(tmp_path: Path, capsys):
    import json

    chain = _chain(6)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(chain)))
    kept = tmp_path / "checkpoint.txt"
    kept.write_text(_checkpoint(chain, 3))

    assert main([str(path), "--checkpoint", str(kept)]) == 0
    assert "it extends the checkpoint" in capsys.readouterr().out
    assert main([str(path), "--checkpoint", f"3:{chain[2].hash}"]) == 0
    capsys.readouterr()

    path.write_text(json.dumps(export(_rewritten(chain, 2))))
    assert main([str(path), "--checkpoint", str(kept)]) == 1
    assert capsys.readouterr().out.startswith(
        "INVALID against the checkpoint: entry 3 is not the one the checkpoint holds"
    )
