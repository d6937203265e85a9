"""Backups that restore: the database, the keys, and a manifest to check them against.

A backup is one gzip-compressed tar file holding

- ``coparent-backup.json``: format ``coparent-backup/1``, when it was made, the database engine,
  Coparent's version, the applied migrations, the row count of every table and the SHA-256 of
  every other file in the archive;
- ``database.sqlite3`` (SQLite's ``VACUUM INTO``: a consistent snapshot taken while the server
  runs, never a raw copy of a file that may be mid-write) or ``database.pgdump``
  (``pg_dump --format=custom``, taken in the same snapshot as the row counts);
- ``keys/record_signing_key.pem`` and ``keys/secret_key`` from the data folder, so exports made
  after a restore are signed with the same key, and invitation links keep working.

Restoring refuses anything that is not such an archive, whose checksums fail, or whose engine is
not the configured one, and checks everything before it replaces anything. Stop the server
first: a restore replaces the whole database under it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from coparent import __version__
from coparent.core.record.chain import format_at
from coparent.keys import SECRET_KEY_FILE, SIGNING_KEY_FILE, ensure_signing_key

FORMAT = "coparent-backup/1"
MANIFEST = "coparent-backup.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KEY_MEMBERS = {SIGNING_KEY_FILE: "keys/record_signing_key.pem", SECRET_KEY_FILE: "keys/secret_key"}
_MAX_MANIFEST_BYTES = 1_000_000
_MAX_KEY_BYTES = 100_000
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """Why a backup or a restore cannot go ahead; the message is for the operator."""


@dataclass(frozen=True)
class ChainReport:
    family_id: str
    name: str
    entries: int
    problem: str | None  # None: every hash and link recomputes


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    row_counts: dict[str, int]
    mismatches: dict[str, tuple[int, int | None]]  # table: (in the backup, now)
    keys_replaced: list[str]
    kept_copies: list[Path]
    migrated: bool
    chains: list[ChainReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and all(c.problem is None for c in self.chains)


# --- Small helpers --------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_private(path: Path, content: bytes) -> None:
    """Replace ``path`` atomically with an owner-only file holding ``content``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    db = settings.DATABASES["default"]
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


def _sqlite_facts(path: Path) -> tuple[dict[str, int], list[str]]:
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


def _live_facts() -> tuple[dict[str, int], list[str]]:
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


# --- Backup ---------------------------------------------------------------------------------


def _dump_sqlite(out: Path) -> tuple[dict[str, int], list[str]]:
    if not _sqlite_path().exists():
        # sqlite3.connect would quietly create an empty database and back that up.
        raise BackupError(f"There is no database at {_sqlite_path()} yet: nothing to back up.")
    source = sqlite3.connect(_sqlite_path(), timeout=30)
    try:
        # VACUUM INTO writes a consistent, compact snapshot even while the server writes.
        source.execute("VACUUM INTO ?", (str(out),))
    finally:
        source.close()
    return _sqlite_facts(out)


def _dump_postgresql(out: Path) -> tuple[dict[str, int], list[str]]:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts, migrations = _live_facts()
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


def create_backup(target: Path) -> dict[str, Any]:
    """Write a backup of the database and the data folder's keys to ``target``; return the
    manifest. The file is owner-only: it holds every family's data and the server's keys."""
    engine = connection.vendor
    if engine not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    # The snapshot is written next to the target, not to /tmp, which is often a small tmpfs.
    with tempfile.TemporaryDirectory(prefix=".coparent-backup-", dir=target.parent) as tmp:
        database = Path(tmp) / DATABASE_MEMBERS[engine]
        dump = _dump_sqlite if engine == "sqlite" else _dump_postgresql
        counts, migrations = dump(database)
        files = {DATABASE_MEMBERS[engine]: database}
        # Made now if no export has needed it yet, so the key that signs every later export
        # is the one in this backup.
        ensure_signing_key(settings.DATA_DIR)
        for filename, member in KEY_MEMBERS.items():
            if (settings.DATA_DIR / filename).exists():
                files[member] = settings.DATA_DIR / filename
        manifest = {
            "format": FORMAT,
            "created_at": format_at(timezone.now()),
            "engine": engine,
            "coparent_version": __version__,
            "migrations": migrations,
            "row_counts": counts,
            "files": {
                member: {"sha256": _sha256_file(path), "size": path.stat().st_size}
                for member, path in files.items()
            },
        }
        _write_archive(target, manifest, files)
    return manifest


def _write_archive(target: Path, manifest: dict[str, Any], files: dict[str, Path]) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(body), 0o600, int(timezone.now().timestamp())
                tar.addfile(info, io.BytesIO(body))
                for member, path in files.items():
                    info = tar.gettarinfo(str(path), arcname=member)
                    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
                    with path.open("rb") as handle:
                        tar.addfile(info, handle)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


# --- Restore --------------------------------------------------------------------------------


def _not_ours(path: Path, why: str) -> BackupError:
    return BackupError(f"{path} is not a Coparent backup: {why}.")


def _check_manifest(path: Path, manifest: object) -> dict[str, Any]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_ours(path, f'its manifest does not say format "{FORMAT}"')
    engine, files = manifest.get("engine"), manifest.get("files")
    if engine not in DATABASE_MEMBERS:
        raise _not_ours(path, "its manifest names no supported database engine")
    if not isinstance(manifest.get("row_counts"), dict) or not isinstance(
        manifest.get("migrations"), list
    ):
        raise _not_ours(path, "its manifest lacks the row counts or the migrations")
    allowed = {DATABASE_MEMBERS[engine], *KEY_MEMBERS.values()}
    if not isinstance(files, dict) or DATABASE_MEMBERS[engine] not in files:
        raise _not_ours(path, "its manifest does not list the database")
    for member, facts in files.items():
        if (
            member not in allowed
            or not isinstance(facts, dict)
            or not isinstance(facts.get("sha256"), str)
        ):
            raise _not_ours(path, f"its manifest lists an unexpected file {member!r}")
    return manifest


@contextmanager
def _open_backup(path: Path) -> Iterator[tuple[tarfile.TarFile, dict[str, Any]]]:
    try:
        tar = tarfile.open(path, mode="r:gz")  # closed in the finally below
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist.") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise _not_ours(path, "it is not a gzip-compressed tar archive") from None
    try:
        try:
            member = tar.getmember(MANIFEST)
        except KeyError:
            raise _not_ours(path, f"it has no {MANIFEST}") from None
        except (tarfile.TarError, OSError, EOFError, zlib.error):
            raise _not_ours(path, "the archive is damaged") from None
        if not member.isfile() or member.size > _MAX_MANIFEST_BYTES:
            raise _not_ours(path, f"its {MANIFEST} is not a small file")
        handle = tar.extractfile(member)
        try:
            manifest = json.loads(handle.read() if handle else b"")
        except ValueError:
            raise _not_ours(path, f"its {MANIFEST} is not JSON") from None
        yield tar, _check_manifest(path, manifest)
    finally:
        tar.close()


def _copy_checked(
    tar: tarfile.TarFile, manifest: dict[str, Any], member_name: str, out: IO[bytes]
) -> None:
    """Copy one archive member to ``out``, refusing it unless its SHA-256 is the manifest's."""
    try:
        member = tar.getmember(member_name)
        source = tar.extractfile(member) if member.isfile() else None
        if source is None:
            raise KeyError(member_name)
        digest = hashlib.sha256()
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    except KeyError:
        raise BackupError(f"The backup is incomplete: {member_name} is missing.") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"The backup is damaged: {member_name} cannot be read ({exc}).") from None
    if digest.hexdigest() != manifest["files"][member_name]["sha256"]:
        raise BackupError(
            f"The backup is damaged or was altered: the checksum of {member_name} does not "
            "match its manifest. Nothing was restored."
        )


def _read_keys(tar: tarfile.TarFile, manifest: dict[str, Any]) -> dict[str, bytes]:
    keys = {}
    for filename, member in KEY_MEMBERS.items():
        if member in manifest["files"]:
            if manifest["files"][member].get("size", 0) > _MAX_KEY_BYTES:
                raise BackupError(f"The backup's {member} is far too large to be a key.")
            buffer = io.BytesIO()
            _copy_checked(tar, manifest, member, buffer)
            keys[filename] = buffer.getvalue()
    return keys


def _check_migrations(manifest: dict[str, Any]) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    unknown = sorted(
        m
        for m in manifest["migrations"]
        if isinstance(m, str) and m.split(".")[0] in loader.migrated_apps and m not in known
    )
    if unknown:
        raise BackupError(
            "This backup was made by a newer version of Coparent: it has migrations this "
            f"version does not know ({', '.join(unknown[:5])}). Upgrade Coparent, then restore."
        )


def _restore_keys(keys: dict[str, bytes]) -> tuple[list[str], list[Path]]:
    """Put the backup's keys in the data folder, keeping a copy of any key they replace (it
    signed earlier exports, whose fingerprints people may still compare)."""
    replaced, kept = [], []
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    for filename, content in keys.items():
        path = settings.DATA_DIR / filename
        current = path.read_bytes() if path.exists() else None
        if current == content:
            continue
        if current is not None:
            copy = path.with_name(f"{filename}.before-restore-{stamp}")
            _write_private(copy, current)
            kept.append(copy)
        _write_private(path, content)
        replaced.append(filename)
    return replaced, kept


def _restore_sqlite(
    tar: tarfile.TarFile, manifest: dict[str, Any]
) -> tuple[dict[str, int], dict[str, bytes]]:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written next to the database so the final os.replace is one atomic rename.
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.restore-", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            _copy_checked(tar, manifest, DATABASE_MEMBERS["sqlite"], out)
            out.flush()
            os.fsync(out.fileno())
        counts, _ = _sqlite_facts(tmp)
        if counts != manifest["row_counts"]:
            raise BackupError("The backup's database does not hold the rows its manifest lists.")
        keys = _read_keys(tar, manifest)  # checked before the database is replaced
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
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return counts, keys


def _restore_postgresql(
    tar: tarfile.TarFile, manifest: dict[str, Any]
) -> tuple[dict[str, int], dict[str, bytes]]:
    with tempfile.TemporaryDirectory(prefix=".coparent-restore-") as tmp:
        dump = Path(tmp) / DATABASE_MEMBERS["postgresql"]
        with dump.open("wb") as out:
            _copy_checked(tar, manifest, DATABASE_MEMBERS["postgresql"], out)
        keys = _read_keys(tar, manifest)
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
    counts, _ = _live_facts()
    return counts, keys


def _migrate_if_needed() -> bool:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def verify_chains() -> list[ChainReport]:
    """Recompute the record chain of every family in the database."""
    from coparent.families.models import Family
    from coparent.records.export import ChainBroken, check_chain, family_entries

    reports = []
    for family in Family.objects.order_by("created_at", "pk"):
        entries = family_entries(family)
        try:
            check_chain(entries)
            problem = None
        except ChainBroken as exc:
            problem = str(exc)
        reports.append(ChainReport(str(family.pk), family.name, len(entries), problem))
    return reports


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a backup file; raises ``BackupError`` when it is not a Coparent backup."""
    with _open_backup(path) as (_, manifest):
        return manifest


def restore_backup(path: Path) -> RestoreResult:
    """Replace the configured database and the data folder's keys with the backup's.

    Checks first - the archive, its manifest, every checksum, the engine, the migrations - and
    replaces nothing unless all pass. Then compares the row counts, applies any migrations the
    backup predates, and recomputes every family's record chain.
    """
    with _open_backup(path) as (tar, manifest):
        engine = connection.vendor
        if manifest["engine"] != engine:
            raise BackupError(
                f"This backup holds a {manifest['engine']} database, but Coparent is configured "
                f"for {engine}. Point DATABASE_URL at a {manifest['engine']} database to restore "
                "it. Nothing was restored."
            )
        _check_migrations(manifest)
        restore = _restore_sqlite if engine == "sqlite" else _restore_postgresql
        counts, keys = restore(tar, manifest)
    replaced, kept = _restore_keys(keys)
    expected: dict[str, int] = manifest["row_counts"]
    mismatches = {
        table: (n, counts.get(table)) for table, n in expected.items() if counts.get(table) != n
    }
    migrated = _migrate_if_needed()
    return RestoreResult(
        manifest=manifest,
        row_counts={t: counts.get(t, 0) for t in expected},
        mismatches=mismatches,
        keys_replaced=replaced,
        kept_copies=kept,
        migrated=migrated,
        chains=verify_chains(),
    )
