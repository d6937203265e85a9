"""The operator's story, as real commands in real processes: load the demo, back it up, restore
it on a new site, export a family's record there and verify it; refuse a bad backup; serve.

The database engine is the one the suite runs with: SQLite when DATABASE_URL is empty, else a
scratch PostgreSQL database per site on the same server (dropped afterwards).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.cli.sites import COPARENT, Site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def old_site(make_site, tmp_path_factory) -> tuple[Site, dict, Path]:
    """A site with the demo families, and a backup of it."""
    site = make_site("old")
    demo = json.loads(site.run("demo", "--json").stdout)
    backup = tmp_path_factory.mktemp("backups") / "coparent.backup"
    site.run("backup", str(backup))
    return site, demo, backup


def test_demo_json_from_the_command_line(old_site):
    _, demo, _ = old_site

    assert [len(f["users"]) for f in demo["families"]] == [4, 4]
    for family in demo["families"]:
        for user in family["users"]:
            assert set(user) == {"username", "password", "token", "role"}
            assert user["token"].startswith("cpt_")


def test_the_backup_is_private_and_says_what_it_holds(old_site):
    _, _, backup = old_site

    assert backup.stat().st_mode & 0o777 == 0o600
    with tarfile.open(backup) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("coparent-backup.json"))
    assert manifest["format"] == "coparent-backup/1"
    assert {"keys/record_signing_key.pem", "keys/secret_key"} <= names
    assert manifest["row_counts"]["records_recordentry"] > 0


def test_a_restored_site_has_every_row_and_its_records_verify(old_site, make_site, tmp_path):
    old, demo, backup = old_site
    new = make_site("new")
    new.run("manage", "migrate", "--noinput", "-v", "0")

    restored = new.run("restore", str(backup))

    assert "every chain intact" in restored.stdout
    assert new.row_counts() == old.row_counts()
    # The photos and PDFs people sent come back byte for byte, checked against the record.
    sent = sorted((old.data_dir / "uploads" / "attachments").iterdir())
    assert sent and f"Attachments restored: {len(sent)}." in restored.stdout
    for path in sent:
        assert (new.data_dir / "uploads" / "attachments" / path.name).read_bytes() == (
            path.read_bytes()
        )
    assert (new.data_dir / "record_signing_key.pem").read_bytes() == (
        old.data_dir / "record_signing_key.pem"
    ).read_bytes()
    family = demo["families"][0]["id"]
    new.run(
        "export",
        "--family",
        family,
        "--out",
        str(tmp_path / "r.json"),
        "--pdf",
        str(tmp_path / "r.pdf"),
    )
    verified = new.run("verify", str(tmp_path / "r.json"))
    exported = json.loads((tmp_path / "r.json").read_text())["entries"]
    assert len(exported) > 15  # a year of the demo family's history
    assert verified.stdout.startswith(f"VALID: {len(exported)} entries")


def _tampered(backup: Path, target: Path) -> Path:
    """The same archive, manifest included, with one byte of the database changed."""
    out = io.BytesIO()
    with tarfile.open(backup) as source, tarfile.open(fileobj=out, mode="w") as copy:
        for member in source.getmembers():
            body = bytearray(source.extractfile(member).read())
            if member.name.startswith("database."):
                body[len(body) // 2] ^= 0x01
            copy.addfile(member, io.BytesIO(bytes(body)))
    target.write_bytes(gzip.compress(out.getvalue()))
    return target


def test_restore_refuses_a_random_file_and_a_tampered_backup(old_site, tmp_path):
    site, _, backup = old_site
    before = site.row_counts()
    random_file = tmp_path / "random.bin"
    random_file.write_bytes(secrets.token_bytes(4096))

    refused = site.run("restore", str(random_file), check=False)
    assert refused.returncode == 1
    assert "is not a Coparent backup" in refused.stderr

    refused = site.run("restore", str(_tampered(backup, tmp_path / "t.backup")), check=False)
    assert refused.returncode == 1
    assert "checksum of database." in refused.stderr
    assert site.row_counts() == before


def test_verify_runs_without_django(old_site, tmp_path):
    site, demo, _ = old_site
    site.run("export", "--family", demo["families"][1]["id"], "--out", str(tmp_path / "r.json"))
    probe = (
        "import sys; from coparent.cli import main; code = main(['verify', sys.argv[1]]);"
        " assert 'django' not in sys.modules, 'verify imported Django'; sys.exit(code)"
    )

    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("VALID: ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - local test server
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_serve_migrates_loads_the_demo_serves_and_stops_cleanly(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "COPARENT_DATA_DIR": str(tmp_path),
        "DEBUG": "0",
        "COPARENT_SECURE_SSL_REDIRECT": "0",
    }
    env.pop("DATABASE_URL", None)  # serve's own work is the same on both engines
    server = subprocess.Popen(
        [COPARENT, "serve", "--with-demo", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # A guard against a hang, not a speed target (the demo's load time is in make bench):
        # with the suite running on every core the migrations and the demo take a while.
        deadline = time.monotonic() + 240
        while True:
            try:
                if _get(f"http://127.0.0.1:{port}/healthz") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            assert server.poll() is None, server.stdout.read()
            time.sleep(0.2)
        # The landing page needs the collected, hashed static files (DEBUG off).
        assert _get(f"http://127.0.0.1:{port}/") == 200
        children = _children(server.pid)
        assert len(children) == 2  # gunicorn and the task worker
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)

    assert server.returncode == 0, output
    assert 'each with the password "calm-harbour-2027"' in output
    assert f"Coparent is running at http://127.0.0.1:{port}/" in output
    assert "task worker started" in output
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
