"""`coparent restore` refuses anything that is not a sound Coparent backup, before it touches
the database. (The full backup-then-restore round trip runs as real commands in
test_end_to_end.py.)"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from coparent.backup.backups import FORMAT, MANIFEST, BackupError, read_manifest, restore_backup

DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def _archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return path


def _backup(path: Path, *, engine: str | None = None, **changes: Any) -> Path:
    """A well-formed backup archive (with a nonsense database) that differs only by
    ``changes`` to its manifest."""
    engine = engine or connection.vendor
    database = b"not really a database"
    manifest = {
        "format": FORMAT,
        "created_at": "2027-03-14T15:05:09.000000Z",
        "engine": engine,
        "coparent_version": "0.1.0",
        "migrations": ["records.0001_initial"],
        "row_counts": {"records_recordentry": 0},
        "files": {DATABASE[engine]: {"sha256": hashlib.sha256(database).hexdigest(), "size": 21}},
        **changes,
    }
    return _archive(path, {MANIFEST: json.dumps(manifest).encode(), DATABASE[engine]: database})


def test_restore_refuses_a_file_that_is_not_an_archive(tmp_path):
    photo = tmp_path / "holiday.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 certainly not a backup" * 100)

    with pytest.raises(BackupError, match="is not a Coparent backup: it is not a gzip"):
        restore_backup(photo)


def test_restore_refuses_an_archive_without_a_manifest(tmp_path):
    other = _archive(tmp_path / "other.tar.gz", {"notes.txt": b"hello"})

    with pytest.raises(BackupError, match="is not a Coparent backup: it has no coparent-backup"):
        restore_backup(other)


def test_restore_refuses_another_format(tmp_path):
    backup = _backup(tmp_path / "b.tar.gz", format="someone-elses-backup/3")

    with pytest.raises(BackupError, match="does not say format"):
        read_manifest(backup)


def test_restore_refuses_a_manifest_that_lists_files_it_should_not(tmp_path):
    backup = _backup(
        tmp_path / "b.tar.gz",
        files={DATABASE[connection.vendor]: {"sha256": "0" * 64}, "../../etc/passwd": {}},
    )

    with pytest.raises(BackupError, match="unexpected file '../../etc/passwd'"):
        restore_backup(backup)


def test_restore_refuses_a_backup_of_the_other_database_engine(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    backup = _backup(tmp_path / "b.tar.gz", engine=other)

    with pytest.raises(BackupError, match=f"holds a {other} database, but Coparent is config"):
        restore_backup(backup)


def test_restore_refuses_a_backup_from_a_newer_coparent(tmp_path):
    backup = _backup(
        tmp_path / "b.tar.gz", migrations=["records.0001_initial", "records.9999_from_the_future"]
    )

    with pytest.raises(BackupError, match="newer version of Coparent.*9999_from_the_future"):
        restore_backup(backup)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(BackupError, match="does not exist"):
        restore_backup(tmp_path / "nowhere.tar.gz")


def test_restore_refuses_an_attachment_that_would_land_outside_its_folder(tmp_path):
    backup = _backup(
        tmp_path / "b.tar.gz",
        files={
            DATABASE[connection.vendor]: {"sha256": "0" * 64},
            "uploads/attachments/../../record_signing_key.pem": {"sha256": "0" * 64},
        },
    )

    with pytest.raises(BackupError, match="unexpected file 'uploads/attachments/../../record"):
        restore_backup(backup)


def test_an_altered_attachment_stops_the_restore_before_anything_is_replaced(tmp_path, settings):
    """The attachments are checked, like the database, before the data folder is touched: the
    attachments already there stay, and no half-restored folder is left behind."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    ours = tmp_path / "uploads" / "attachments" / "ours.pdf"
    ours.parent.mkdir(parents=True)
    ours.write_bytes(b"%PDF- the data folder's own")
    engine = connection.vendor
    database, photo = b"not really a database", b"a photo, altered after the backup"
    manifest = {
        "format": FORMAT,
        "created_at": "2027-03-14T15:05:09.000000Z",
        "engine": engine,
        "migrations": ["records.0001_initial"],
        "row_counts": {"records_recordentry": 0},
        "uploads": True,
        "files": {
            DATABASE[engine]: {"sha256": hashlib.sha256(database).hexdigest()},
            "uploads/attachments/a1.jpg": {"sha256": hashlib.sha256(b"the photo").hexdigest()},
        },
    }
    backup = _archive(
        tmp_path / "b.tar.gz",
        {
            MANIFEST: json.dumps(manifest).encode(),
            DATABASE[engine]: database,
            "uploads/attachments/a1.jpg": photo,
        },
    )

    with pytest.raises(BackupError, match="checksum of uploads/attachments/a1.jpg does not"):
        restore_backup(backup)

    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["attachments"]
    assert [p.name for p in ours.parent.iterdir()] == ["ours.pdf"]
