"""Issue #17 (backups), as an operator lives it: the task worker takes the day's backup by
itself, and that backup, restored into a fresh data folder, holds the same rows, every family's
record verifies, and the restored site serves its pages and its API.

Real processes throughout (`coparent manage migrate`, bench/crash.py's two families with API
tokens, `coparent worker`, `coparent restore`, `coparent serve`), on the suite's engine: SQLite,
or on PostgreSQL a scratch database per site. (The demo's year of history, attachments
included, goes through `coparent backup` and `coparent restore` in test_end_to_end.py.)
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench import crash
from bench.crash import Server
from tests.cli.sites import COPARENT

pytestmark = pytest.mark.slow

# Tables the worker itself writes to after its backup (its tasks' results, the notifications
# of the other periodic scans it started): the backup is a snapshot, and these moved on since.
WORKER_TABLES = {"django_tasks_database_dbtaskresult"}


def _worker_takes_the_days_backup(site, folder: Path) -> Path:
    worker = subprocess.Popen(
        [COPARENT, "worker"],
        env=site.env(COPARENT_BACKUP_DIR=str(folder), COPARENT_BACKUP_KEEP="3"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # A guard against a hang: the worker starts its periodic tasks at once, the backup last.
        deadline = time.monotonic() + 180
        while not (found := sorted(folder.glob("coparent-backup-*.tar.gz"))):
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
            assert time.monotonic() < deadline, "the worker took no backup"
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0, output
    return found[0]


def _get(url: str, token: str = "") -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the local test server
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_workers_daily_backup_restores_into_a_fresh_folder_that_serves(make_site):
    old = make_site("daily-old")
    old.run("manage", "migrate", "--noinput", "-v", "0", timeout=600)
    built = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(crash.HERE), "--build", "2"],
        env=old.env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    families = json.loads(built.stdout)
    folder = old.data_dir / "backups"

    backup = _worker_takes_the_days_backup(old, folder)

    # One backup, owner-only, complete (its name appears only once it is whole).
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == [backup.name]
    assert not [p for p in folder.iterdir() if p.name.startswith(".coparent-backup-")]
    assert backup.stat().st_mode & 0o777 == 0o600
    with tarfile.open(backup) as tar:
        manifest = json.load(tar.extractfile("coparent-backup.json"))
    assert manifest["row_counts"]["records_recordentry"] > 0

    new = make_site("daily-new")
    restored = new.run("restore", str(backup), timeout=600)

    assert "every chain intact" in restored.stdout
    counts = new.row_counts()
    assert {t: counts[t] for t in manifest["row_counts"]} == manifest["row_counts"]
    now = old.row_counts()
    assert {t: n for t, n in counts.items() if t not in WORKER_TABLES} == {
        t: n for t, n in now.items() if t not in WORKER_TABLES
    }

    server = Server(new.data_dir, new.database_url, workers=1)
    try:
        server.start()
        family = families[0]
        token = family["tokens"]["Sam"]

        assert _get(f"{server.url}/healthz")[0] == 200
        status, page = _get(f"{server.url}/accounts/login/")
        assert status == 200 and b"<form" in page
        status, body = _get(f"{server.url}/api/v1/families/{family['id']}/threads", token)
        assert status == 200, body
        assert json.loads(body)["count"] == 1  # the family's conversation, from the backup
    finally:
        server.stop()

    exported = new.data_dir / "record.json"
    new.run("export", "--family", family["id"], "--out", str(exported))
    assert new.run("verify", str(exported)).stdout.startswith("VALID: ")
