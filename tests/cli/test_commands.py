"""The `coparent` command in-process: export, verify, manage, and how serve minds its children."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time

import pytest

from coparent.cli import main
from coparent.cli import serve as cli
from coparent.cli.serve import _Child, _supervise


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
    # The PDF alone is enough: its JSON twin is attached inside it.
    assert main(["verify", str(tmp_path / "r.pdf")]) == 0
    said = capsys.readouterr().out
    assert "attached inside r.pdf" in said and "\nVALID: " in said


def test_verify_takes_a_checkpoint_the_parent_kept(cast, tmp_path, capsys):
    from coparent.records.checkpoints import checkpoint_now

    kept = tmp_path / "checkpoint.txt"
    signed = checkpoint_now(cast.family)
    kept.write_text(signed.note)
    _export(cast, tmp_path, capsys)

    assert main(["verify", str(tmp_path / "r.json"), "--checkpoint", str(kept)]) == 0
    assert "it extends the checkpoint" in capsys.readouterr().out
    seq_hash = f"{signed.seq}:{'0' * 64}"
    assert main(["verify", str(tmp_path / "r.json"), "--checkpoint", seq_hash]) == 1
    assert capsys.readouterr().out.startswith("INVALID against the checkpoint: entry ")


def test_verify_says_so_of_a_pdf_without_a_record_inside(tmp_path, capsys):
    import weasyprint

    (tmp_path / "report.pdf").write_bytes(weasyprint.HTML(string="<p>Report</p>").write_pdf())
    assert main(["verify", str(tmp_path / "report.pdf")]) == 1
    assert (
        capsys.readouterr().out.strip() == "INVALID: the PDF carries no Coparent record inside it"
    )


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
        "timezone": "UTC",  # the command's dates are UTC days
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


def _sleepers() -> list[_Child]:
    """Two stand-ins for the web server and the worker, minded as `coparent serve` minds them."""
    return [
        _Child(
            name=name,
            command=["sleep", "30"],
            process=subprocess.Popen(["sleep", "30"], process_group=0),
            restart=name == "task worker",
        )
        for name in ("web server", "task worker")
    ]


def test_serve_starts_the_worker_again_when_it_dies_and_the_site_keeps_running(capsys, monkeypatch):
    """Issue #8: a worker that died used to take the whole site down with it."""
    monkeypatch.setattr(cli, "WORKER_FIRST_BACKOFF", 0.2)
    children = _sleepers()
    web, first_worker = children[0].process, children[1].process
    seen = {}

    def kill_the_worker_then_look():
        first_worker.kill()
        deadline = time.monotonic() + 5
        while children[1].process is first_worker and time.monotonic() < deadline:
            time.sleep(0.05)
        seen["web running"] = web.poll() is None
        seen["new worker running"] = children[1].process.poll() is None
        seen["a new process"] = children[1].process is not first_worker
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Timer(0.3, kill_the_worker_then_look).start()
    assert _supervise(children) == 0

    assert seen == {"web running": True, "new worker running": True, "a new process": True}
    assert "the task worker stopped (exit code -9); starting it again in 0.2 s." in (
        capsys.readouterr().err
    )
    assert [c.process.returncode for c in children] == [-signal.SIGTERM, -signal.SIGTERM]


def test_a_worker_that_keeps_dying_waits_longer_each_time(capsys, monkeypatch):
    """A worker that cannot start must not spin: 1 s, 2 s, 4 s … up to a minute; one that ran
    for a while before dying starts again at once."""
    child = _Child(name="task worker", command=["true"], process=subprocess.Popen(["true"]))
    child.process.wait()
    waits = []
    for _ in range(8):
        cli._revive(child, None)
        waits.append(child.backoff)
        child.due = time.monotonic()  # let the wait pass
        cli._revive(child, None)
        child.process.wait()
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]

    child.started_at -= cli.WORKER_STEADY  # it ran a minute this time
    cli._revive(child, None)
    assert child.backoff == 0.0 and child.due is None  # started again at once
    child.process.wait()
    assert "starting it again." in capsys.readouterr().err


def test_serve_stops_everything_when_the_web_server_dies(capsys):
    children = _sleepers()
    children[0].process.kill()

    started = time.monotonic()
    code = _supervise(children)

    assert code != 0
    assert time.monotonic() - started < 5
    assert children[1].process.returncode == -signal.SIGTERM  # the worker was stopped
    assert "the web server stopped" in capsys.readouterr().err


def test_serve_passes_a_stop_signal_on_to_both_children(capsys):
    children = _sleepers()
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM)).start()

    assert _supervise(children) == 0
    assert [c.process.returncode for c in children] == [-signal.SIGTERM, -signal.SIGTERM]
    assert "Stopping Coparent" in capsys.readouterr().out
