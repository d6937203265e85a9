"""The two database engines a backup holds: a consistent snapshot of each (SQLite's ``VACUUM
INTO``, PostgreSQL's ``pg_dump`` in an exported snapshot) with the row counts and migrations
that describe it, and the restore of each from a checked archive."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from coparent.backup.archive import (
    DATABASE_MEMBERS,
    BackupError,
    Manifest,
    copy_checked,
    fsync_dir,
    read_keys,
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _run(command: list[str], env: dict[str, str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"{command[0]} was not found. Install PostgreSQL's client tools in the version of "
            "your server (on Debian: apt-get install postgresql-client)."
        )
    done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        [program, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip() or done.returncode}")


def _pg_env() -> dict[str, str]:
    """The configured database as libpq environment variables (the password never shows up
    in a process list)."""
    db: Mapping[str, Any] = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def sqlite_facts(path: Path) -> tuple[dict[str, int], list[str]]:
    """Row counts and applied migrations of a SQLite file (which must pass its integrity
    check)."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        verdict = con.execute("PRAGMA integrity_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            raise BackupError("The database in the backup fails SQLite's integrity check.")
        tables = [
            row[0]
            for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            # Table names come from the file's own catalogue, quoted as identifiers.
            table: con.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0]  # noqa: S608
            for table in tables
        }
        migrations = (
            [
                f"{app}.{name}"
                for app, name in con.execute(
                    "SELECT app, name FROM django_migrations ORDER BY app, name"
                )
            ]
            if "django_migrations" in counts
            else []
        )
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"The database in the backup cannot be read: {exc}") from exc
    finally:
        con.close()
    return counts, migrations


def live_facts() -> tuple[dict[str, int], list[str]]:
    """Row counts and applied migrations of the configured database, in the current
    transaction."""
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            # Table names come from the database's own catalogue, quoted by the backend.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        migrations = []
        if "django_migrations" in counts:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    return counts, migrations


def dump_sqlite(out: Path) -> tuple[dict[str, int], list[str]]:
    if not _sqlite_path().exists():
        # sqlite3.connect would quietly create an empty database and back that up.
        raise BackupError(f"There is no database at {_sqlite_path()} yet: nothing to back up.")
    source = sqlite3.connect(_sqlite_path(), timeout=30)
    try:
        # VACUUM INTO writes a consistent, compact snapshot even while the server writes.
        source.execute("VACUUM INTO ?", (str(out),))
    finally:
        source.close()
    return sqlite_facts(out)


def dump_postgresql(out: Path) -> tuple[dict[str, int], list[str]]:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts, migrations = live_facts()
        # pg_dump reads the very snapshot the counts came from, so they describe the dump.
        _run(
            [
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={out}",
                f"--dbname={settings.DATABASES['default']['NAME']}",
            ],
            _pg_env(),
        )
    return counts, migrations


def restore_sqlite(
    tar: tarfile.TarFile, manifest: Manifest
) -> tuple[dict[str, int], dict[str, bytes]]:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written next to the database so the final os.replace is one atomic rename.
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.restore-", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            copy_checked(tar, manifest, DATABASE_MEMBERS["sqlite"], out)
            out.flush()
            os.fsync(out.fileno())
        counts, _ = sqlite_facts(tmp)
        if counts != manifest["row_counts"]:
            raise BackupError("The backup's database does not hold the rows its manifest lists.")
        keys = read_keys(tar, manifest)  # checked before the database is replaced
        connections.close_all()
        if target.exists():
            # Fold the write-ahead log into the old file first: a stale -wal left beside the
            # new file would be replayed into it on the next open.
            old = sqlite3.connect(target, timeout=30)
            try:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                old.close()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return counts, keys


def restore_postgresql(
    tar: tarfile.TarFile, manifest: Manifest
) -> tuple[dict[str, int], dict[str, bytes]]:
    with tempfile.TemporaryDirectory(prefix=".coparent-restore-") as tmp:
        dump = Path(tmp) / DATABASE_MEMBERS["postgresql"]
        with dump.open("wb") as out:
            copy_checked(tar, manifest, DATABASE_MEMBERS["postgresql"], out)
        keys = read_keys(tar, manifest)
        connections.close_all()
        # --clean drops each table before creating it again; dropping a table does not fire the
        # append-only row triggers. One transaction: a failed restore leaves the database as
        # it was.
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(dump),
            ],
            _pg_env(),
        )
    counts, _ = live_facts()
    return counts, keys
