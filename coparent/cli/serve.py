"""`coparent serve` (migrate, then the web server and the task worker, minded until asked to
stop) and `coparent worker` (the task worker alone)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

from coparent import __version__
from coparent.cli.common import fail, setup
from coparent.cli.demo import serve_demo


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


def serve(ns: argparse.Namespace) -> int:
    setup()
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
    logins = serve_demo(url) if ns.with_demo else None
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
        "python:coparent.cli.gunicorn_conf",  # no "Server: gunicorn" banner (see that module)
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
            return fail(f"cannot start the {name}: {exc}")
        children.append(_Child(name=name, command=command, process=process, restart=restart))
    where = f"demo logins in {logins}; " if logins else ""
    print(f"Coparent is running at {url}/ ({where}press Ctrl+C to stop).", flush=True)
    return _supervise(children, env)


def worker(ns: argparse.Namespace) -> int:
    setup()
    from coparent.cli import worker as task_worker

    print("Coparent task worker started (press Ctrl+C to stop).", flush=True)
    # Every queue, so tasks of any feature run; a busy or restarting database only pauses it.
    task_worker.run()
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve", help="migrate, then run the web server and the task worker"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--workers", type=int, default=2, help="web server processes")
    parser.add_argument(
        "--with-demo",
        action="store_true",
        help="load the demo families when the database has no accounts yet",
    )
    parser.set_defaults(handler=serve)

    parser = commands.add_parser("worker", help="run the background task worker alone")
    parser.set_defaults(handler=worker)
