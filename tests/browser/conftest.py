"""Browser tests drive Debian's Chromium through Playwright against a real `coparent serve`:
the same command an operator runs, on its own data folder (SQLite) or its own scratch database
(PostgreSQL when the suite runs with DATABASE_URL), with the real task worker sending email to
files in the data folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ScratchPostgres:
    """A throw-away database on the PostgreSQL server the suite uses."""

    def __init__(self, url: str) -> None:
        import psycopg

        self._psycopg = psycopg
        parts = urlsplit(url)
        self.name = f"cp_browser_{uuid.uuid4().hex[:10]}"
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def __enter__(self) -> ScratchPostgres:
        with self._psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        with self._psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    env = {
        **os.environ,
        "COPARENT_DATA_DIR": str(data_dir),
        "DEBUG": "1",
        "COPARENT_BASE_URL": f"http://127.0.0.1:{port}",
        "COPARENT_LOGIN_FAILURE_LIMIT": "50",
        # Every browser test signs up from 127.0.0.1 against this one server.
        "COPARENT_RATE_LIMITS": "signup.ip=1000/h,message.ip=5000/h,upload.ip=5000/h",
    }
    scratch = None
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        scratch = ScratchPostgres(os.environ["DATABASE_URL"]).__enter__()
        env["DATABASE_URL"] = scratch.url
    else:
        env.pop("DATABASE_URL", None)
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own command
        [
            str(Path(sys.executable).parent / "coparent"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(
                        "coparent serve did not start:\n" + (data_dir / "server.log").read_text()
                    ) from None
                time.sleep(0.5)
        yield {"url": base, "data_dir": data_dir}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        if scratch is not None:
            scratch.__exit__(None, None, None)


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screens")
