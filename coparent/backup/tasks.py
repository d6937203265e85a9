"""The worker's daily backup: once each UTC day, `coparent backup` into the backups folder
(`COPARENT_BACKUP_DIR`, by default `backups/` in the data folder), keeping the newest
`COPARENT_BACKUP_KEEP` (default 7).

The worker scans every hour (coparent.infra.periodic) and takes the day's backup at the first
scan of a day that has none, so a worker that was down takes it within an hour of coming back,
and a restart, a second scan or a second worker on the same folder takes no second one (a lock
file in the folder; the day's backup already there). Each backup is written to a hidden
temporary file and renamed into place once complete and on disk (coparent.backup.archive), so
the folder never holds half a backup under a backup's name; older backups are deleted only
after the new one is in place. Temporary files that a killed worker left behind are cleared
once they are a day old.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from coparent.backup.backups import BackupError, create_backup
from coparent.infra import periodic

logger = logging.getLogger(__name__)

SCAN_EVERY = timedelta(hours=1)
# Temporary files (".coparent-backup-…", ".coparent-backup-….tar.gz.PID.tmp") older than this
# belong to a backup that was killed: no backup takes a day.
STALE_AFTER = timedelta(days=1)
LOCK_FILE = ".daily-backup.lock"
NAME = re.compile(r"^coparent-backup-(\d{8}T\d{6}Z)\.tar\.gz$")


def backup_name(moment: datetime) -> str:
    return f"coparent-backup-{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar.gz"


def taken_at(path: Path) -> datetime | None:
    """When the backup named `path` was taken (its name says, in UTC); None for any other file."""
    found = NAME.match(path.name)
    if found is None:
        return None
    return datetime.strptime(found.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def daily_backups(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and taken_at(p) is not None),
        key=lambda p: p.name,
    )


@dataclass
class DailyBackup:
    written: Path | None = None  # None: today's was already there, another worker was taking
    # it, or backups are off
    deleted: list[Path] = field(default_factory=list)  # older backups beyond the number kept
    cleared: list[Path] = field(default_factory=list)  # a killed backup's temporary files


def _clear_stale(folder: Path, now: datetime) -> list[Path]:
    cleared = []
    for path in folder.iterdir():
        if not path.name.startswith(".coparent-backup-"):
            continue
        age = now.timestamp() - path.lstat().st_mtime
        if age < STALE_AFTER.total_seconds():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        cleared.append(path)
    return cleared


def daily_backup(
    *,
    folder: Path,
    keep: int,
    now: datetime,
    write: Callable[[Path], object] | None = None,
) -> DailyBackup:
    """Take today's backup into `folder` unless it holds one of `now`'s UTC date; then keep the
    newest `keep`. `write` writes one backup to the path it is given, atomically (by default
    `create_backup`, what `coparent backup` does)."""
    done = DailyBackup()
    if keep <= 0:
        return done
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return done  # another worker is taking it now
        done.cleared = _clear_stale(folder, now)
        today = now.astimezone(UTC).date()
        existing = daily_backups(folder)
        if not any((taken_at(p) or now).date() == today for p in existing):
            target = folder / backup_name(now)
            (write or create_backup)(target)
            done.written = target
            existing.append(target)
        for old in existing[:-keep]:
            old.unlink(missing_ok=True)
            done.deleted.append(old)
    finally:
        os.close(fd)  # releases the lock
    return done


@task()
def take_daily_backup() -> str:
    """The periodic scan (registered in BackupConfig.ready): the day's backup, if not taken yet.
    Returns the file written, or "" when there was nothing to do."""
    periodic.schedule_next(take_daily_backup)  # first, so a failing backup never ends the chain
    started = time.monotonic()
    try:
        done = daily_backup(
            folder=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP, now=timezone.now()
        )
    except (BackupError, OSError) as error:
        logger.error("Daily backup failed: %s", error)
        raise
    if done.written is not None:
        logger.info(
            "Daily backup written to %s in %.1f s (%d older deleted, %d kept).",
            done.written,
            time.monotonic() - started,
            len(done.deleted),
            settings.BACKUP_KEEP,
        )
    return str(done.written or "")
