"""`coparent tone [--json] [TEXT]`: the tone coach at the command line, no database needed."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from coparent.cli import main

STORY = "You ALWAYS do this, you're a terrible father."


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["tone", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_parent_checks_a_draft_and_reads_the_advice(capsys):
    code, out, _ = _run(capsys, STORY)
    assert code == 0  # advice, never a failure
    assert out.startswith("Tone: hostile: this is likely to escalate (score ")
    assert '[insult] "you\'re a terrible father" (characters 20-44)' in out
    assert 'Try: Write it in normal case: "always"' in out
    assert "A calmer version you could send:" in out


def test_the_json_has_exactly_the_fixed_shape(capsys):
    code, out, _ = _run(capsys, "--json", STORY)
    document = json.loads(out)
    assert code == 0
    assert list(document) == ["level", "score", "flags", "rewrite"]
    assert document["level"] == "hostile"
    assert isinstance(document["score"], float) and 0 <= document["score"] <= 1
    assert isinstance(document["rewrite"], str)
    for flag in document["flags"]:
        assert list(flag) == ["start", "end", "text", "kind", "why", "suggestion"]
        assert STORY[flag["start"] : flag["end"]] == flag["text"]


def test_a_kind_message_is_ok_with_a_null_rewrite(capsys):
    _, out, _ = _run(capsys, "--json", "See you at 6, thanks for swapping!")
    document = json.loads(out)
    assert document["level"] == "ok" and document["rewrite"] is None
    assert [f["kind"] for f in document["flags"]] == ["supportive"]


def test_without_text_it_reads_standard_input(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(STORY.encode())))
    code, out, _ = _run(capsys, "--json")
    assert code == 0
    assert json.loads(out)["level"] == "hostile"


def test_standard_input_with_binary_junk_still_gets_a_verdict(capsys, monkeypatch):
    junk = bytes(range(256)) + b"\xff\xfe you idiot \x00"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(junk)))
    code, out, _ = _run(capsys, "--json")
    document = json.loads(out)
    assert code == 0 and document["level"] == "hostile"


def test_an_empty_text_is_ok(capsys):
    code, out, _ = _run(capsys, "--json", "")
    assert code == 0
    assert json.loads(out) == {"level": "ok", "score": 0.0, "flags": [], "rewrite": None}


@pytest.mark.slow
def test_the_command_reads_a_pipe_in_a_fresh_process_without_loading_django(tmp_path):
    # The way a person runs it: `echo ... | coparent tone --json`.
    script = (
        "import sys; from coparent.cli import main; code = main(['tone', '--json']); "
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.startswith('django')))); "
        "sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input="😊 Zoë says: see you in court".encode(),
        capture_output=True,
        check=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "COPARENT_DATA_DIR": str(tmp_path)},
    )
    document = json.loads(result.stdout.decode("utf-8"))
    (flag,) = [f for f in document["flags"] if f["kind"] == "threat"]
    assert flag["text"] == "see you in court" and flag["start"] == 12
    assert result.stderr.decode() == "[]"
