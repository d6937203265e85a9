"""The backup file: a gzip-compressed tar holding the manifest, the database, the keys and the
messages' attachments.

Writing it (owner-only, atomically) and reading it back, refusing anything that is not such an
archive or whose checksums fail. The format is described in coparent.backup.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, NotRequired, TypedDict, cast

from django.utils import timezone

from coparent.infra.keys import SECRET_KEY_FILE, SIGNING_KEY_FILE, VAPID_KEY_FILE

FORMAT = "coparent-backup/1"
MANIFEST = "coparent-backup.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KEY_MEMBERS = {
    SIGNING_KEY_FILE: "keys/record_signing_key.pem",
    SECRET_KEY_FILE: "keys/secret_key",
    # Without it every device would have to turn web push on again after a restore.
    VAPID_KEY_FILE: "keys/vapid_private_key.pem",
}

# What people sent (messages' photos and PDFs; the record holds each one's SHA-256). Thumbnails
# are left out: each is made again from its photo on first view.
UPLOADS_MEMBER = "uploads/attachments/"


class FileFacts(TypedDict):
    sha256: str
    size: NotRequired[int]  # read with a default: a backup's word is checked, not trusted


class Manifest(TypedDict):
    """coparent-backup.json: what a backup holds (`_check_manifest` checks it on reading)."""

    format: str
    created_at: str
    engine: str
    coparent_version: NotRequired[str]
    migrations: Sequence[object]  # "app.name" of each applied migration, as written
    row_counts: dict[str, int]
    files: dict[str, FileFacts]
    # Absent from backups made before attachments were included: restoring one of those leaves
    # the data folder's attachments as they are.
    uploads: NotRequired[bool]


# One line per attachment (about 150 bytes): room for a few hundred thousand files.
_MAX_MANIFEST_BYTES = 64_000_000
_MAX_KEY_BYTES = 100_000
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """Why a backup or a restore cannot go ahead; the message is for the operator."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_private(path: Path, content: bytes) -> None:
    """Replace ``path`` atomically with an owner-only file holding ``content``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_archive(target: Path, manifest: Manifest, files: dict[str, Path]) -> None:
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
        fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def upload_member(name: str) -> str | None:
    """The path under the attachments folder that an archive member names; None when the
    member is not an attachment or could point anywhere else (an absolute path, `..`)."""
    if not name.startswith(UPLOADS_MEMBER):
        return None
    relative = PurePosixPath(name[len(UPLOADS_MEMBER) :])
    parts = relative.parts
    if not parts or relative.is_absolute() or any(p in ("", ".", "..") for p in parts):
        return None
    if any("\\" in p or "\x00" in p for p in parts):
        return None
    return relative.as_posix()


def upload_files(folder: Path) -> dict[str, Path]:
    """Each regular file under the attachments folder, as its archive member; links and
    anything else that is not a plain file are not followed."""
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
            found[UPLOADS_MEMBER + path.relative_to(folder).as_posix()] = path
    return found


def _not_ours(path: Path, why: str) -> BackupError:
    return BackupError(f"{path} is not a Coparent backup: {why}.")


def _check_manifest(path: Path, manifest: object) -> Manifest:
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
            (member not in allowed and upload_member(member) is None)
            or not isinstance(facts, dict)
            or not isinstance(facts.get("sha256"), str)
        ):
            raise _not_ours(path, f"its manifest lists an unexpected file {member!r}")
    return cast(Manifest, manifest)  # the shape checked above


@contextmanager
def open_backup(path: Path) -> Iterator[tuple[tarfile.TarFile, Manifest]]:
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


def copy_checked(
    tar: tarfile.TarFile, manifest: Manifest, member_name: str, out: IO[bytes]
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


def read_keys(tar: tarfile.TarFile, manifest: Manifest) -> dict[str, bytes]:
    keys = {}
    for filename, member in KEY_MEMBERS.items():
        if member in manifest["files"]:
            if manifest["files"][member].get("size", 0) > _MAX_KEY_BYTES:
                raise BackupError(f"The backup's {member} is far too large to be a key.")
            buffer = io.BytesIO()
            copy_checked(tar, manifest, member, buffer)
            keys[filename] = buffer.getvalue()
    return keys


def stage_uploads(tar: tarfile.TarFile, manifest: Manifest, staging: Path) -> int:
    """Copy the backup's attachments into ``staging``, each checked against its SHA-256 before
    anything is replaced; the number copied."""
    count = 0
    for member in sorted(manifest["files"]):
        relative = upload_member(member)
        if relative is None:
            continue
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            copy_checked(tar, manifest, member, out)
        count += 1
    return count


def read_manifest(path: Path) -> Manifest:
    """The manifest of a backup file; raises ``BackupError`` when it is not a Coparent backup."""
    with open_backup(path) as (_, manifest):
        return manifest
