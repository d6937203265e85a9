"""The ``coparent`` command: serve, worker, demo, export, verify, backup, restore, manage.

Django is set up only by the commands that need it, so ``coparent verify`` runs with nothing but
the standalone verifier - the same code a court's expert would read.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from coparent import __version__, cli_plan, cli_tone

if TYPE_CHECKING:
    from coparent.backup import RestoreResult
    from coparent.demo import DemoFamily

DEMO_LOGINS_FILE = "demo-logins.txt"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coparent.settings")
    import django

    django.setup()


def _fail(message: str) -> int:
    print(f"coparent: {message}", file=sys.stderr)
    return 1


def _migrate_quietly() -> bool:
    """Apply pending migrations; True when there were some."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def _login_url(base: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return base + reverse("account_login")
    except NoReverseMatch:
        return base + "/"


# --- serve and worker ---------------------------------------------------------------------


def _demo_lines(families: list[DemoFamily]) -> list[str]:
    lines = []
    for demo in families:
        lines.append(f"  {demo.family.name}")
        for member in demo.users:
            name = member.user.display_name
            lines.append(f"    {member.role:<13} {name:<16} {member.user.email}")
    return lines


def _demo_banner(url: str, people: list[str], saved: Path) -> str:
    from coparent.demo import DEMO_PASSWORD

    return "\n".join(
        [
            f"Demo data loaded. Log in at {_login_url(url)} as any of these people,",
            f'each with the password "{DEMO_PASSWORD}":',
            *people,
            f"(These demo logins are kept in {saved}.)",
        ]
    )


def _serve_demo(url: str) -> Path | None:
    """Load the demo families into an empty database and print who can log in, at the address
    this server really answers on; on later runs print the kept list again. Returns where the
    list is kept, or None when there is none."""
    from django.conf import settings

    from coparent.accounts.models import User
    from coparent.demo import DEMO_PASSWORD, build_demo

    saved = Path(settings.DATA_DIR) / DEMO_LOGINS_FILE
    if User.objects.exists():
        if not saved.exists():
            print("The database already has accounts, so no demo data was added.")
            return None
        # The people only (indented lines): the address is this run's, whatever it was before.
        people = [line for line in saved.read_text().splitlines() if line.startswith("  ")]
        print(_demo_banner(url, people, saved))
        return saved
    people = _demo_lines(build_demo())
    print(_demo_banner(url, people, saved))
    # Kept so the next `make run` can show the logins again (they are demo accounts only).
    fd = os.open(saved, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(
            "\n".join(
                [
                    "Coparent demo accounts (log in at the address `coparent serve` prints),",
                    f'each with the password "{DEMO_PASSWORD}":',
                    *people,
                ]
            )
            + "\n"
        )
    return saved


@dataclass
class _Child:
    """A process `coparent serve` minds: its name, how to start it again, and the process."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes]
    restart: bool = False  # start it again when it dies, rather than stop everything
    started_at: float = field(default_factory=time.monotonic)
    backoff: float = 0.0  # the last wait before a restart
    due: float | None = None  # when a dead worker starts again


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Own process groups: a Ctrl+C reaches only this command, which then stops the web server
    # and the worker once each.
    return subprocess.Popen(command, env=env, process_group=0)  # noqa: S603


def _stop(children: list[_Child], grace: float = 15.0) -> None:
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


WORKER_FIRST_BACKOFF = 1.0  # seconds before the first restart of a worker that died
WORKER_MAX_BACKOFF = 60.0
WORKER_STEADY = 60.0  # a worker that ran this long before dying starts again at once


def _revive(child: _Child, env: dict[str, str] | None) -> None:
    """Start a dead worker again: at once if it had been running a while, else after a wait
    that doubles with each quick death (a worker that cannot start must not spin). Called on
    every round of the supervisor's loop, so a stop signal is never held up by the wait."""
    now = time.monotonic()
    if child.due is None:
        quick = now - child.started_at < WORKER_STEADY
        child.backoff = (
            min(max(child.backoff * 2, WORKER_FIRST_BACKOFF), WORKER_MAX_BACKOFF) if quick else 0.0
        )
        child.due = now + child.backoff
        print(
            f"coparent: the {child.name} stopped (exit code {child.process.returncode}); "
            + (f"starting it again in {child.backoff:g} s." if quick else "starting it again."),
            file=sys.stderr,
            flush=True,
        )
    if now >= child.due:
        child.started_at, child.due = time.monotonic(), None
        try:
            child.process = _start(child.command, env or dict(os.environ))
        except OSError as exc:  # counted as one more quick death: the next wait is longer
            print(f"coparent: cannot start the {child.name}: {exc}", file=sys.stderr)


def _supervise(children: list[_Child], env: dict[str, str] | None = None) -> int:
    """Wait until a signal asks us to stop; start a dead worker again; stop every child when
    the web server dies (gunicorn restarts its own workers, so that is beyond repair here)."""
    asked: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        asked.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not asked:
            for child in children:
                if child.process.poll() is None or asked:
                    continue
                if child.restart:
                    _revive(child, env)
                    continue
                code = child.process.returncode
                print(
                    f"coparent: the {child.name} stopped (exit code {code}); stopping the rest.",
                    file=sys.stderr,
                )
                _stop(children)
                return code or 1
            time.sleep(0.2)
        print("Stopping Coparent…", flush=True)
        _stop(children)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve(ns: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    engine = "SQLite" if connection.vendor == "sqlite" else connection.vendor
    print(f"Coparent {__version__}: data folder {settings.DATA_DIR}, {engine} database.")
    call_command("migrate", interactive=False, verbosity=0)
    # The manifest static storage (DEBUG off) serves only collected files.
    call_command("collectstatic", interactive=False, verbosity=0)
    host = f"[{ns.host}]" if ":" in ns.host else ns.host
    url = f"http://{host}:{ns.port}"
    logins = _serve_demo(url) if ns.with_demo else None
    connections.close_all()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coparent.settings"}
    if ns.host not in ("0.0.0.0", "::"):  # noqa: S104 - compared, not bound
        # Links in emails name this server's real address unless the operator set another.
        env.setdefault("COPARENT_BASE_URL", url)
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "coparent.wsgi:application",
        "--config",
        "python:coparent.gunicorn_conf",  # no "Server: gunicorn" banner (see that module)
        "--bind",
        f"{host}:{ns.port}",
        "--workers",
        str(ns.workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    from gunicorn import config as gunicorn_config

    if hasattr(gunicorn_config, "ControlSocketDisable"):
        # gunicorn 25.1+ opens a control socket in $HOME by default; two servers on one
        # machine would fight over it, and nothing here uses it.
        web.append("--no-control-socket")
    worker = [sys.executable, "-m", "coparent.cli", "worker"]
    children: list[_Child] = []
    for name, command, restart in (("web server", web, False), ("task worker", worker, True)):
        try:
            process = _start(command, env)
        except OSError as exc:
            _stop(children)
            return _fail(f"cannot start the {name}: {exc}")
        children.append(_Child(name=name, command=command, process=process, restart=restart))
    where = f"demo logins in {logins}; " if logins else ""
    print(f"Coparent is running at {url}/ ({where}press Ctrl+C to stop).", flush=True)
    return _supervise(children, env)


def _worker(ns: argparse.Namespace) -> int:
    _setup()
    from coparent import worker

    print("Coparent task worker started (press Ctrl+C to stop).", flush=True)
    # Every queue, so tasks of any feature run; a busy or restarting database only pauses it.
    worker.run()
    return 0


# --- demo -----------------------------------------------------------------------------------


def _demo(ns: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings

    from coparent.demo import DEMO_PASSWORD, build_demo

    _migrate_quietly()
    families = build_demo()
    if ns.json:
        print(json.dumps({"families": [demo.as_json() for demo in families]}, indent=2))
        return 0
    print(f'Created {len(families)} demo families. Every demo password is "{DEMO_PASSWORD}".')
    print(f"Log in at {_login_url(settings.BASE_URL)}")
    for demo in families:
        print()
        print(f"{demo.family.name} (family id {demo.family.pk})")
        for member in demo.users:
            print(f"  {member.role:<13} {member.user.display_name:<16} {member.user.email}")
            print(f"  {'':<13} API token: {member.token}")
    return 0


# --- export and verify ----------------------------------------------------------------------


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-14") from None


def _export(ns: argparse.Namespace) -> int:
    _setup()
    from coparent.core.record.chain import key_fingerprint
    from coparent.families.models import Family
    from coparent.records.export import ChainBroken, build_export, render_pdf
    from coparent.records.models import Kind

    try:
        family_id = uuid.UUID(ns.family)
    except ValueError:
        return _fail(f"{ns.family!r} is not a family id (a UUID).")
    # The operator's command acts with the server's own authority, not a member's, so it
    # fetches the family directly rather than through a member's access path.
    family = Family.objects.filter(pk=family_id).first()
    if family is None:
        return _fail(f"there is no family with id {family_id}.")
    unknown = sorted(set(ns.kinds or []) - set(Kind.values))
    if unknown:
        return _fail(f"unknown kind {', '.join(unknown)}; the kinds are: {', '.join(Kind.values)}.")
    try:
        export = build_export(
            family=family, kinds=ns.kinds, date_from=ns.date_from, date_to=ns.date_to
        )
    except ChainBroken as exc:
        return _fail(
            f"refusing to export: the stored record of {family.name} is broken at entry "
            f"{exc.seq} ({exc.reason}). Restore a backup, or have the database examined."
        )
    except ValueError as exc:
        return _fail(str(exc))
    out = Path(ns.out)
    out.write_text(json.dumps(export, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    entries = export["entries"]
    stubs = sum(1 for entry in entries if "at" not in entry)
    head = export["head"]
    print(
        f"Exported {len(entries)} entries of {family.name} to {out}"
        + (f" ({stubs} outside the scope, kept as stubs)." if stubs else ".")
    )
    print(
        f"Head: entry {head['seq']}, hash {head['hash']}, signed by key "
        f"{key_fingerprint(export['public_key'])}."
    )
    if ns.pdf:
        Path(ns.pdf).write_bytes(render_pdf(export, family=family))
        print(f"PDF: {ns.pdf}")
    print(f"Check it with: coparent verify {out}")
    return 0


def _verify(ns: argparse.Namespace) -> int:
    # Deliberately no Django: the standalone verifier alone decides.
    from coparent.core.record.verify import main as verify_main

    return verify_main([ns.file])


# --- backup and restore ---------------------------------------------------------------------


def _size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def _backup(ns: argparse.Namespace) -> int:
    _setup()
    from coparent.backup import KEY_MEMBERS, BackupError, create_backup

    target = Path(ns.file)
    try:
        manifest = create_backup(target)
    except BackupError as exc:
        return _fail(str(exc))
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
    from coparent.keys import SIGNING_KEY_FILE

    if SIGNING_KEY_FILE in result.keys_replaced:
        print("Record signing key restored: exports are signed with the backup's key again.")
    if result.keys_replaced:
        print("Keys restored from the backup: " + ", ".join(result.keys_replaced) + ".")
        for kept in result.kept_copies:
            print(f"  The key it replaced is kept as {kept}.")
    else:
        print("The data folder's keys already matched the backup's.")
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


def _restore(ns: argparse.Namespace) -> int:
    _setup()
    from coparent.backup import BackupError, restore_backup

    try:
        result = restore_backup(Path(ns.file))
    except BackupError as exc:
        return _fail(str(exc))
    _print_restore(result)
    if result.mismatches:
        print("coparent: the restored row counts differ from the backup's.", file=sys.stderr)
    return 0 if result.ok else 1


# --- manage and the parser ------------------------------------------------------------------


def _manage(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coparent.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["coparent manage", *args])
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coparent",
        description="Coparent: a calm, verifiable place for separated parents.",
    )
    parser.add_argument("--version", action="version", version=f"coparent {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="migrate, then run the web server and the task worker"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=2, help="web server processes")
    serve.add_argument(
        "--with-demo",
        action="store_true",
        help="load the demo families when the database has no accounts yet",
    )
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser("worker", help="run the background task worker alone")
    worker.set_defaults(handler=_worker)

    demo = commands.add_parser("demo", help="create two demo families with a year of history")
    demo.add_argument("--json", action="store_true", help="print the accounts as JSON")
    demo.set_defaults(handler=_demo)

    export = commands.add_parser(
        "export", help="export a family's record as signed JSON (and a PDF)"
    )
    export.add_argument("--family", required=True, metavar="ID", help="the family's id")
    export.add_argument("--out", required=True, metavar="FILE.json")
    export.add_argument("--pdf", metavar="FILE.pdf", help="also write a PDF for people")
    export.add_argument(
        "--kind",
        dest="kinds",
        action="append",
        metavar="KIND",
        help="only entries of this kind (repeatable); others become stubs",
    )
    export.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD")
    export.set_defaults(handler=_export)

    verify = commands.add_parser("verify", help="check an export file offline")
    verify.add_argument("file", metavar="FILE.json")
    verify.set_defaults(handler=_verify)

    backup = commands.add_parser("backup", help="write a backup of the database and the keys")
    backup.add_argument("file", metavar="FILE")
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser(
        "restore",
        help="replace the database and the keys with a backup's (stop the server first)",
    )
    restore.add_argument("file", metavar="FILE")
    restore.set_defaults(handler=_restore)

    cli_plan.add_parser(commands)
    cli_tone.add_parser(commands)

    commands.add_parser("manage", help="Django's management commands (coparent manage help)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["manage"]:
        # Everything after `manage` belongs to Django, --help included.
        return _manage(args[1:])
    parser = _parser()
    ns = parser.parse_args(args)
    handler = getattr(ns, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    result: int = handler(ns)
    return result


if __name__ == "__main__":
    sys.exit(main())
