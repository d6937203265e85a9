"""The worker's daily backup (coparent.backup.tasks): one a UTC day into the backups folder, the
newest few kept, never half a file under a backup's name. The backup itself is `coparent
backup`'s (tests/cli); here a stand-in writes it, except where the real archive writer is the
point. The worker taking one and a restore of it serving are tests/cli/test_daily_backup.py."""

from __future__ import annotations

import fcntl
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coparent.backup import tasks
from coparent.backup.archive import write_archive
from coparent.backup.tasks import daily_backup
from coparent.infra import periodic

MORNING = datetime(2027, 3, 14, 3, 0, tzinfo=UTC)


def _fake(target: Path) -> None:
    target.write_bytes(b"a backup")


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != tasks.LOCK_FILE)


def test_the_first_scan_of_a_day_takes_its_backup_and_later_scans_that_day_take_none(tmp_path):
    folder = tmp_path / "backups"

    first = daily_backup(folder=folder, keep=7, now=MORNING, write=_fake)
    again = daily_backup(folder=folder, keep=7, now=MORNING + timedelta(hours=20), write=_fake)
    next_day = daily_backup(folder=folder, keep=7, now=MORNING + timedelta(days=1), write=_fake)

    assert first.written == folder / "coparent-backup-20270314T030000Z.tar.gz"
    assert again.written is None
    assert next_day.written == folder / "coparent-backup-20270315T030000Z.tar.gz"
    assert _names(folder) == [
        "coparent-backup-20270314T030000Z.tar.gz",
        "coparent-backup-20270315T030000Z.tar.gz",
    ]
    assert folder.stat().st_mode & 0o777 == 0o700


def test_the_newest_are_kept_and_other_files_left_alone(tmp_path):
    for day in range(1, 10):
        (tmp_path / f"coparent-backup-202703{day:02d}T030000Z.tar.gz").write_bytes(b"old")
    (tmp_path / "before-the-upgrade.tar.gz").write_bytes(b"the operator's own")

    done = daily_backup(folder=tmp_path, keep=3, now=MORNING, write=_fake)

    assert [p.name for p in done.deleted] == [
        f"coparent-backup-202703{day:02d}T030000Z.tar.gz" for day in range(1, 8)
    ]
    assert _names(tmp_path) == [
        "before-the-upgrade.tar.gz",
        "coparent-backup-20270308T030000Z.tar.gz",
        "coparent-backup-20270309T030000Z.tar.gz",
        "coparent-backup-20270314T030000Z.tar.gz",
    ]


def test_a_backup_that_fails_half_way_leaves_no_file_and_deletes_no_older_one(tmp_path):
    """The real archive writer: a file it cannot read stops it mid-archive. Nothing appears
    under a backup's name, its temporary file is gone, and the backups kept stay (the old ones
    are deleted only once the new one is in place)."""
    kept = [tmp_path / f"coparent-backup-202703{day:02d}T030000Z.tar.gz" for day in (12, 13)]
    for path in kept:
        path.write_bytes(b"yesterday's")
    unreadable = tmp_path / "not-a-file"
    unreadable.mkdir()

    def write(target: Path) -> None:
        manifest = {"format": "coparent-backup/1", "files": {}}
        write_archive(target, manifest, {"database.sqlite3": unreadable})

    with pytest.raises(IsADirectoryError):
        daily_backup(folder=tmp_path, keep=1, now=MORNING, write=write)

    assert _names(tmp_path) == [*(p.name for p in kept), "not-a-file"]


def test_what_a_killed_backup_left_is_cleared_once_a_day_old(tmp_path):
    stale_dir = tmp_path / ".coparent-backup-k2j3h4"
    stale_dir.mkdir()
    (stale_dir / "database.sqlite3").write_bytes(b"half")
    stale_file = tmp_path / ".coparent-backup-20270313T030000Z.tar.gz.4242.tmp"
    stale_file.write_bytes(b"half")
    fresh = tmp_path / ".coparent-backup-20270314T025900Z.tar.gz.4343.tmp"
    fresh.write_bytes(b"being written by another worker")
    two_days_ago = MORNING.timestamp() - 2 * 86400
    for path in (stale_dir, stale_file):
        os.utime(path, (two_days_ago, two_days_ago))
    os.utime(fresh, (MORNING.timestamp() - 60, MORNING.timestamp() - 60))

    done = daily_backup(folder=tmp_path, keep=7, now=MORNING, write=_fake)

    assert sorted(done.cleared) == sorted([stale_dir, stale_file])
    assert _names(tmp_path) == [fresh.name, "coparent-backup-20270314T030000Z.tar.gz"]


def test_a_second_worker_taking_it_at_the_same_moment_takes_none(tmp_path):
    tmp_path.joinpath(tasks.LOCK_FILE).touch()
    with tmp_path.joinpath(tasks.LOCK_FILE).open() as held:
        fcntl.flock(held, fcntl.LOCK_EX)

        done = daily_backup(folder=tmp_path, keep=7, now=MORNING, write=_fake)

    assert done.written is None
    assert _names(tmp_path) == []


def test_keeping_none_turns_the_daily_backup_off(tmp_path):
    done = daily_backup(folder=tmp_path / "backups", keep=0, now=MORNING, write=_fake)

    assert done.written is None
    assert not (tmp_path / "backups").exists()


def test_the_worker_runs_it_every_hour_into_the_configured_folder(tmp_path, settings, monkeypatch):
    settings.BACKUP_DIR = tmp_path / "elsewhere"
    settings.BACKUP_KEEP = 2
    monkeypatch.setattr(tasks, "create_backup", _fake)
    registered = {p.task.module_path: p.every for p in periodic.registered()}

    written = tasks.take_daily_backup.call()

    assert registered[tasks.take_daily_backup.module_path] == timedelta(hours=1)
    assert Path(written).parent == tmp_path / "elsewhere"
    assert tasks.taken_at(Path(written)) is not None
    assert time.time() - tasks.taken_at(Path(written)).timestamp() < 60
    assert tasks.take_daily_backup.call() == ""  # the day's is there
