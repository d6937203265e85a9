"""`coparent backup` and `coparent restore`: the commands and what they print; the archive and
the databases are coparent.backup's."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coparent.cli.common import fail, setup

if TYPE_CHECKING:
    from coparent.backup.backups import RestoreResult


def _size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def backup(ns: argparse.Namespace) -> int:
    setup()
    from coparent.backup.archive import UPLOADS_MEMBER
    from coparent.backup.backups import KEY_MEMBERS, BackupError, create_backup

    target = Path(ns.file)
    try:
        manifest = create_backup(target)
    except BackupError as exc:
        return fail(str(exc))
    counts: dict[str, int] = manifest["row_counts"]
    keys = [member for member in KEY_MEMBERS.values() if member in manifest["files"]]
    print(
        f"Backup written to {target} ({_size(target.stat().st_size)}): the {manifest['engine']} "
        f"database, {sum(counts.values())} rows in {len(counts)} tables."
    )
    if keys:
        print(
            "It includes the data folder's record signing key and secret key, so after a "
            "restore exports are signed with the same key."
        )
    attachments = sum(1 for member in manifest["files"] if member.startswith(UPLOADS_MEMBER))
    print(f"It holds the {attachments} photos and PDFs sent with messages.")
    print("It holds every family's data and the server's keys: keep it private.")
    return 0


def _print_restore(result: RestoreResult) -> None:
    manifest = result.manifest
    print(
        f"Restored the {manifest['engine']} backup made at {manifest['created_at']} "
        f"by Coparent {manifest.get('coparent_version', '?')}."
    )
    print("Rows per table:")
    for table, count in sorted(result.row_counts.items()):
        problem = ""
        if table in result.mismatches:
            problem = f"  <- the backup lists {result.mismatches[table][0]}"
        print(f"  {table:<40} {count:>8}{problem}")
    from coparent.infra.keys import SIGNING_KEY_FILE

    if SIGNING_KEY_FILE in result.keys_replaced:
        print("Record signing key restored: exports are signed with the backup's key again.")
    if result.keys_replaced:
        print("Keys restored from the backup: " + ", ".join(result.keys_replaced) + ".")
        for kept in result.kept_copies:
            print(f"  The key it replaced is kept as {kept}.")
    else:
        print("The data folder's keys already matched the backup's.")
    if result.attachments is None:
        print(
            "This backup predates attachments in backups: the data folder's uploads/attachments/"
            " were left as they are."
        )
    else:
        print(f"Attachments restored: {result.attachments}.")
        if result.attachments_kept is not None:
            print(f"  The attachments folder they replaced is kept as {result.attachments_kept}.")
    for problem in result.attachment_problems:
        print(f"  Attachment {problem}.")
    if result.migrated:
        print("Applied the migrations that are newer than the backup.")
    broken = [chain for chain in result.chains if chain.problem]
    print(
        f"Family records: {len(result.chains)} checked, "
        + ("every chain intact." if not broken else f"{len(broken)} BROKEN.")
    )
    for chain in result.chains:
        state = "intact" if chain.problem is None else f"BROKEN: {chain.problem}"
        print(f"  {chain.name} ({chain.family_id}): {chain.entries} entries, {state}")


def restore(ns: argparse.Namespace) -> int:
    setup()
    from coparent.backup.backups import BackupError, restore_backup

    try:
        result = restore_backup(Path(ns.file))
    except BackupError as exc:
        return fail(str(exc))
    _print_restore(result)
    if result.mismatches:
        print("coparent: the restored row counts differ from the backup's.", file=sys.stderr)
    if result.attachment_problems:
        print(
            "coparent: some attachments are missing or differ from what the record holds.",
            file=sys.stderr,
        )
    return 0 if result.ok else 1


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "backup", help="write a backup of the database, the keys and the attachments"
    )
    parser.add_argument("file", metavar="FILE")
    parser.set_defaults(handler=backup)

    parser = commands.add_parser(
        "restore",
        help="replace the database and the keys with a backup's (stop the server first)",
    )
    parser.add_argument("file", metavar="FILE")
    parser.set_defaults(handler=restore)
