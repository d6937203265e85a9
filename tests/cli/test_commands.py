"""The `coparent` command in-process: export, verify, manage, and how serve minds its children."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time

import pytest

from coparent.cli import _supervise, main


def _export(cast, tmp_path, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(
        ["export", "--family", str(cast.family.pk), "--out", str(tmp_path / "r.json"), *extra]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_a_parent_exports_the_record_and_the_export_verifies(cast, tmp_path, capsys):
    code, out, _ = _export(cast, tmp_path, capsys, "--pdf", str(tmp_path / "r.pdf"))

    assert code == 0
    assert f"of Rivera family to {tmp_path / 'r.json'}" in out
    assert "Check it with: coparent verify" in out
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    assert main(["verify", str(tmp_path / "r.json")]) == 0
    assert capsys.readouterr().out.startswith("VALID: ")


def test_a_selective_export_from_the_command_line_counts_its_stubs(cast, tmp_path, capsys):
    code, out, _ = _export(
        cast,
        tmp_path,
        capsys,
        "--kind",
        "child.added",
        "--kind",
        "child.changed",
        "--from",
        "2000-01-01",
        "--to",
        "2999-12-31",
    )

    document = json.loads((tmp_path / "r.json").read_text())
    assert code == 0
    assert "outside the scope, kept as stubs" in out
    assert document["scope"] == {
        "kinds": ["child.added", "child.changed"],
        "from": "2000-01-01",
        "to": "2999-12-31",
    }


def test_verify_names_the_first_entry_someone_changed(cast, tmp_path, capsys):
    _export(cast, tmp_path, capsys)
    path = tmp_path / "r.json"
    document = json.loads(path.read_text())
    document["entries"][3]["data"]["name"] = "Leonard"  # entry 4: Alex added Leo
    path.write_text(json.dumps(document))

    assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().out.strip() == (
        "INVALID at entry 4: hash does not match its contents"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--family", "not-a-uuid"], "'not-a-uuid' is not a family id"),
        (["--family", "00000000-0000-4000-8000-000000000000"], "there is no family with id"),
    ],
)
def test_export_explains_a_family_it_cannot_find(db, tmp_path, capsys, args, message):
    assert main(["export", *args, "--out", str(tmp_path / "r.json")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_export_lists_the_kinds_when_given_an_unknown_one(cast, tmp_path, capsys):
    code, _, err = _export(cast, tmp_path, capsys, "--kind", "gossip.spread")

    assert code == 1
    assert "unknown kind gossip.spread; the kinds are: family.created" in err


def test_export_refuses_a_date_that_is_not_one(cast, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        _export(cast, tmp_path, capsys, "--from", "14/03/2027")
    assert stopped.value.code == 2
    assert "is not a date like 2027-03-14" in capsys.readouterr().err


def test_manage_passes_everything_to_django(db, capsys):
    assert main(["manage", "showmigrations", "records"]) == 0
    assert "[X] 0001_initial" in capsys.readouterr().out


def test_without_a_command_coparent_shows_its_commands(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    for command in ("serve", "worker", "demo", "export", "verify", "backup", "restore", "manage"):
        assert command in out


def _sleepers() -> list[tuple[str, subprocess.Popen[bytes]]]:
    return [
        (name, subprocess.Popen(["sleep", "30"], process_group=0))
        for name in ("web server", "task worker")
    ]


def test_serve_stops_the_web_server_when_the_worker_dies(capsys):
    children = _sleepers()
    children[1][1].kill()

    started = time.monotonic()
    code = _supervise(children)

    assert code != 0
    assert time.monotonic() - started < 5
    assert children[0][1].returncode == -signal.SIGTERM  # the web server was stopped
    assert "the task worker stopped" in capsys.readouterr().err


def test_serve_passes_a_stop_signal_on_to_both_children(capsys):
    children = _sleepers()
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM)).start()

    assert _supervise(children) == 0
    assert [p.returncode for _, p in children] == [-signal.SIGTERM, -signal.SIGTERM]
    assert "Stopping Coparent" in capsys.readouterr().out
