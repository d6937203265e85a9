"""The operator's side: production settings pass Django's deploy checks, secrets are generated
with owner-only permissions, SQLite is durable, and /healthz answers without the database."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.test import Client

from coparent.infra.keys import ensure_secret_key, ensure_signing_key

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_checks(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "coparent.example.org",
        "COPARENT_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "coparent.settings",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_keys_are_generated_once_with_owner_only_permissions(tmp_path):
    secret = ensure_secret_key(tmp_path)
    key = ensure_signing_key(tmp_path)
    assert ensure_secret_key(tmp_path) == secret
    assert ensure_signing_key(tmp_path).public_key().public_bytes_raw() == (
        key.public_key().public_bytes_raw()
    )
    for name in ("secret_key", "record_signing_key.pem"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
    assert len(secret) >= 50


def test_sqlite_runs_in_wal_mode_with_full_synchronous_writes(db):
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    # The test database lives in memory, where WAL does not apply; check a file database.
    script = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coparent.settings", "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    env["COPARENT_DATA_DIR"] = str(Path(os.environ.get("COPARENT_DATA_DIR", "var")) / "walcheck")
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "wal"


def test_healthz_answers_without_touching_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
