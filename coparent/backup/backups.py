"""Backups that restore: the database, the keys, the attachments, and a manifest to check them
against.

A backup is one gzip-compressed tar file holding

- ``coparent-backup.json``: format ``coparent-backup/1``, when it was made, the database engine,
  Coparent's version, the applied migrations, the row count of every table and the SHA-256 of
  every other file in the archive;
- ``database.sqlite3`` (SQLite's ``VACUUM INTO``: a consistent snapshot taken while the server
  runs, never a raw copy of a file that may be mid-write) or ``database.pgdump``
  (``pg_dump --format=custom``, taken in the same snapshot as the row counts);
- ``keys/record_signing_key.pem``, ``keys/secret_key`` and ``keys/vapid_private_key.pem`` from
  the data folder, so exports made after a restore are signed with the same key, invitation
  links keep working, and every device's web push subscription still matches the server's key;
- ``uploads/attachments/…``: every photo and PDF sent with a message or a note, and every
  version of the family's documents, as stored (the record holds each one's SHA-256, which
  the restore checks again). Thumbnails are made again.

Restoring refuses anything that is not such an archive, whose checksums fail, or whose engine is
not the configured one, and checks everything before it replaces anything. Stop the server
first: a restore replaces the whole database under it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from coparent import __version__
from coparent.backup import databases
from coparent.backup.archive import (
    DATABASE_MEMBERS,
    FORMAT,
    KEY_MEMBERS,
    MANIFEST,
    BackupError,
    Manifest,
    fsync_dir,
    open_backup,
    read_manifest,
    sha256_file,
    stage_uploads,
    upload_files,
    write_archive,
    write_private,
)
from coparent.core.record.chain import format_at
from coparent.documents.models import DocumentVersion
from coparent.exchanges.models import NotePhoto
from coparent.families.models import Family
from coparent.infra.keys import ensure_signing_key
from coparent.messaging.models import Attachment
from coparent.records.export import ChainBroken, check_chain, family_entries

__all__ = [
    "FORMAT",
    "KEY_MEMBERS",
    "MANIFEST",
    "BackupError",
    "ChainReport",
    "RestoreResult",
    "create_backup",
    "read_manifest",
    "restore_backup",
    "verify_chains",
]


@dataclass(frozen=True)
class ChainReport:
    family_id: str
    name: str
    entries: int
    problem: str | None  # None: every hash and link recomputes


@dataclass
class RestoreResult:
    manifest: Manifest
    row_counts: dict[str, int]
    mismatches: dict[str, tuple[int, int | None]]  # table: (in the backup, now)
    keys_replaced: list[str]
    kept_copies: list[Path]
    migrated: bool
    chains: list[ChainReport] = field(default_factory=list)
    attachments: int | None = None  # restored; None for a backup made before they were kept
    attachment_problems: list[str] = field(default_factory=list)
    attachments_kept: Path | None = None  # the folder the restored attachments replaced

    @property
    def ok(self) -> bool:
        return (
            not self.mismatches
            and all(c.problem is None for c in self.chains)
            and not self.attachment_problems
        )


def _attachments_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments"


def create_backup(target: Path) -> Manifest:
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
        dump = databases.dump_sqlite if engine == "sqlite" else databases.dump_postgresql
        counts, migrations = dump(database)
        files = {DATABASE_MEMBERS[engine]: database}
        # Made now if no export has needed it yet, so the key that signs every later export
        # is the one in this backup.
        ensure_signing_key(settings.DATA_DIR)
        for filename, member in KEY_MEMBERS.items():
            if (settings.DATA_DIR / filename).exists():
                files[member] = settings.DATA_DIR / filename
        # After the database snapshot: an attachment written since has no row in it and is
        # left out; one whose row is in the snapshot was written before its row committed.
        files.update(upload_files(_attachments_folder()))
        manifest: Manifest = {
            "format": FORMAT,
            "created_at": format_at(timezone.now()),
            "engine": engine,
            "coparent_version": __version__,
            "migrations": migrations,
            "row_counts": counts,
            "files": {
                member: {"sha256": sha256_file(path), "size": path.stat().st_size}
                for member, path in files.items()
            },
            "uploads": True,
        }
        write_archive(target, manifest, files)
    return manifest


def _check_migrations(manifest: Manifest) -> None:
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
            write_private(copy, current)
            kept.append(copy)
        write_private(path, content)
        replaced.append(filename)
    return replaced, kept


def _migrate_if_needed() -> bool:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def _swap_attachments(staging: Path) -> Path | None:
    """Put the staged attachments in place of the data folder's; the folder they replace is
    kept beside it (renamed), never deleted."""
    folder = _attachments_folder()
    kept = None
    if folder.exists():
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        kept = folder.with_name(f"attachments.before-restore-{stamp}")
        os.replace(folder, kept)
    os.replace(staging, folder)
    fsync_dir(folder.parent)
    return kept


def check_attachments() -> list[str]:
    """Each attachment (a message's, an exchange note's, a version of a family document) whose
    file is missing or differs from the SHA-256 the database holds."""
    folder = _attachments_folder()
    problems = []
    kept = [
        *Attachment.objects.order_by("created_at", "pk").values_list("stored_name", "sha256"),
        *NotePhoto.objects.order_by("created_at", "pk").values_list("stored_name", "sha256"),
        *DocumentVersion.objects.order_by("created_at", "pk").values_list("stored_name", "sha256"),
    ]
    for stored_name, sha256 in kept:
        path = folder / stored_name
        if not path.is_file():
            problems.append(f"{stored_name}: missing")
        elif sha256_file(path) != sha256:
            problems.append(f"{stored_name}: differs from the SHA-256 the record holds")
    return problems


def verify_chains() -> list[ChainReport]:
    """Recompute the record chain of every family in the database."""
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


def restore_backup(path: Path) -> RestoreResult:
    """Replace the configured database and the data folder's keys with the backup's.

    Checks first - the archive, its manifest, every checksum, the engine, the migrations - and
    replaces nothing unless all pass. Then compares the row counts, applies any migrations the
    backup predates, and recomputes every family's record chain.
    """
    with open_backup(path) as (tar, manifest):
        engine = connection.vendor
        if manifest["engine"] != engine:
            raise BackupError(
                f"This backup holds a {manifest['engine']} database, but Coparent is configured "
                f"for {engine}. Point DATABASE_URL at a {manifest['engine']} database to restore "
                "it. Nothing was restored."
            )
        _check_migrations(manifest)
        restore = databases.restore_sqlite if engine == "sqlite" else databases.restore_postgresql
        uploads = manifest.get("uploads") is True
        # Staged beside the attachments folder (one filesystem, so the swap is a rename) and
        # checked before the database is replaced.
        parent = _attachments_folder().parent
        parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        staging = Path(tempfile.mkdtemp(prefix=".attachments-restore-", dir=parent))
        try:
            attachments = stage_uploads(tar, manifest, staging) if uploads else None
            counts, keys = restore(tar, manifest)
            kept_folder = _swap_attachments(staging) if uploads else None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
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
        attachments=attachments,
        attachments_kept=kept_folder,
        attachment_problems=check_attachments() if uploads else [],
    )
