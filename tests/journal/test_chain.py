"""A journal is tamper-evident: each version is a link of its author's own chain, the server
signs the head, and `coparent verify` checks an export offline (format coparent-journal/1)
beside the family record's (coparent-record/1)."""

from __future__ import annotations

import copy
import json

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from coparent.core.record.journal import VERSION_KEYS, anchor_commitment, make_version, version_hash
from coparent.core.record.verify_journal import main as verify_main
from coparent.core.record.verify_journal import verify_any as verify_document
from coparent.journal import services
from coparent.journal.export import build_journal
from coparent.journal.models import Link, Version


def _fields(**overrides):
    base = {
        "at": "2027-03-14T15:05:09.000000Z",
        "entry": "e1",
        "version": 1,
        "happened_on": "2027-03-14",
        "text": "Late again",
        "tags": ["exchange"],
        "files": [],
        "link": None,
    }
    return {**base, **overrides}


def test_a_version_hash_covers_every_field_but_its_own():
    body = make_version(prev_hash=None, seq=1, **_fields())
    assert set(body) == {*VERSION_KEYS, "hash"}
    assert body["prev"] == "0" * 64
    assert version_hash({k: body[k] for k in VERSION_KEYS}) == body["hash"]
    with pytest.raises(ValueError):
        make_version(prev_hash="ab" * 32, seq=1, **_fields())


@given(st.text(max_size=200), st.lists(st.text(max_size=20), max_size=5))
def test_any_change_of_text_or_tags_changes_the_hash(text, tags):
    first = make_version(prev_hash=None, seq=1, **_fields())
    other = make_version(prev_hash=None, seq=1, **_fields(text=text, tags=tags))
    assert (first["hash"] == other["hash"]) == (text == "Late again" and tags == ["exchange"])


def test_an_anchor_commitment_needs_the_salt():
    head = "ab" * 32
    assert anchor_commitment("00" * 32, head) != anchor_commitment("01" * 32, head)


@pytest.fixture
def journal(cast, write):
    first = write("Sam was 40 minutes late at the gate.", tags="exchange, late")
    write("Mia came back with a fever and no medicine.", tags="health")
    services.entry_correct(
        access=cast.access(cast.alex), entry=first, text="Sam was 45 minutes late at the gate."
    )
    return first


def test_alexs_export_verifies_with_every_version_in_its_chain(cast, journal, tmp_path, capsys):
    document = build_journal(cast.access(cast.alex))
    assert document["format"] == "coparent-journal/1"
    assert [link["seq"] for link in document["chain"]] == [1, 2, 3]
    (first,) = [e for e in document["entries"] if e["id"] == str(journal.pk)]
    assert [v["text"] for v in first["versions"]] == [
        "Sam was 40 minutes late at the gate.",
        "Sam was 45 minutes late at the gate.",
    ]
    assert verify_document(document).ok
    path = tmp_path / "journal.json"
    path.write_text(json.dumps(document))
    assert verify_main([str(path)]) == 0
    assert "VALID: journal of 3 versions" in capsys.readouterr().out


def test_sams_journal_is_a_chain_of_its_own(cast, journal, write):
    write("Alex forgot the school bag.", by=cast.sam)
    document = build_journal(cast.access(cast.sam))
    assert [link["seq"] for link in document["chain"]] == [1]
    assert "gate" not in json.dumps(document)
    assert verify_document(document).ok


def _drop_triggers(table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")


def test_a_version_changed_behind_the_apps_back_fails_verification(cast, journal, tmp_path, capsys):
    """The tamper test: someone with the database drops the triggers and rewrites what Alex
    wrote; Alex's export no longer verifies, and the verifier names the version."""
    target = Version.objects.get(entry=journal, number=1)
    seq = Link.objects.get(version=target).seq
    with transaction.atomic():
        _drop_triggers("journal_version")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE journal_version SET text = %s WHERE id = %s",
                ["Sam was on time.", target.pk.hex if connection.vendor == "sqlite" else target.pk],
            )
    assert Version.objects.get(pk=target.pk).text == "Sam was on time."
    document = build_journal(cast.access(cast.alex))
    verdict = verify_document(document)
    assert not verdict.ok and verdict.bad_seq == seq
    assert "hash does not match" in verdict.reason and str(journal.pk) in verdict.reason
    path = tmp_path / "journal.json"
    path.write_text(json.dumps(document))
    assert verify_main([str(path)]) == 1
    assert f"INVALID at entry {seq}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["entries"][0]["versions"].pop(),
        lambda d: d["chain"].pop(),
        lambda d: d["head"].update(author="someone-else"),
        lambda d: d["head"].update(seq=1),
        lambda d: d["entries"][0]["versions"][0].update(tags=["other"]),
        lambda d: d["chain"].reverse(),
    ],
)
def test_any_edit_of_the_export_fails_verification(cast, journal, edit):
    document = build_journal(cast.access(cast.alex))
    tampered = copy.deepcopy(document)
    edit(tampered)
    assert not verify_document(tampered).ok


def test_a_journal_head_cannot_pass_for_a_record_head(cast, journal):
    document = build_journal(cast.access(cast.alex))
    pretending = {**document, "format": "coparent-record/1"}
    assert not verify_document(pretending).ok


def test_the_journal_verifier_copied_beside_verify_py_runs_alone(cast, journal, tmp_path):
    """What a court's expert does: copy the two files next to the export and run them."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import coparent.core.record as package

    folder = Path(package.__file__).parent
    for name in ("verify.py", "verify_journal.py"):
        shutil.copy(folder / name, tmp_path / name)
    (tmp_path / "journal.json").write_text(json.dumps(build_journal(cast.access(cast.alex))))
    done = subprocess.run(  # noqa: S603 - our own interpreter and files
        [sys.executable, "-I", "verify_journal.py", "journal.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("VALID: journal of 3 versions")


def test_coparent_verify_checks_a_journal_file_and_names_the_first_bad_version(
    cast, journal, tmp_path, capsys
):
    from coparent.cli import main

    document = build_journal(cast.access(cast.alex))
    path = tmp_path / "journal.json"
    path.write_text(json.dumps(document))
    assert main(["verify", str(path)]) == 0
    assert "VALID: journal of 3 versions" in capsys.readouterr().out
    document["entries"][0]["versions"][0]["text"] = "Nothing happened."
    path.write_text(json.dumps(document))
    assert main(["verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID at entry 1:") and "hash does not match its contents" in out
