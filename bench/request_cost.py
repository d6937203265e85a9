"""The cost of a request for `make bench` (issue #17, point 2): an unloaded API list and a family
page, each against the bare `/healthz` served by the same process, in the same run.

What is measured is what a person's phone waits for: a real `coparent serve` (gunicorn, one web
process, the task worker beside it, production settings with DEBUG off) on loopback, asked over
a new TCP connection per request as a TLS proxy in front would (`X-Forwarded-Proto: https`,
`COPARENT_BEHIND_PROXY=1`). In-process figures through Django's test client would leave out
gunicorn's parsing and the socket, which `/healthz` is almost all made of, and so would
overstate the ratios.

The family: two parents, two children, eight conversations of five messages, a dozen child
events (a few weeks of real use). Three targets, asked in turn round after round so that any
slowdown of the shared machine falls on all three alike; each figure is the median.

- `/healthz`: no session, no token, no query;
- the API list: `GET /api/v1/families/{id}/threads` with a bearer token (the inbox of an app);
- the family page: `/families/{id}/messages/` (the inbox) in a logged-in browser session.

Beside the ratios, the same three requests in this process through Django's test client: the
processor time each takes (its mean) and the queries it runs. They leave out the server and the
socket, and the database connection a server opens, but a busy shared machine hardly moves them,
so they show a change in the request's own work when the ratios are lost in the noise.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROUNDS = 150
WARM_UP = 10
IN_PROCESS_ROUNDS = 100
TARGET_RATIO = 3.0


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    headers: dict[str, str]


def _family() -> tuple[str, str, str]:
    """The bench family, through the services as people would make it; returns its id, a
    parent's API token and that parent's session cookie."""
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from coparent.accounts.models import User
    from coparent.accounts.services import token_create
    from coparent.events.services import event_add
    from coparent.families.selectors import get_family_access
    from coparent.families.services import (
        child_add,
        family_create,
        invitation_accept,
        invitation_create,
    )
    from coparent.infra.notifications import notifications_off
    from coparent.messaging.services import message_send, thread_start

    with notifications_off():
        alex = User.objects.create(email="cost-alex@example.org", display_name="Alex")
        sam = User.objects.create(email="cost-sam@example.org", display_name="Sam")
        family = family_create(user=alex, name="Request cost")
        access = get_family_access(alex, family.pk)
        issued = invitation_create(access=access, email=sam.email, role="parent", send_email=False)
        invitation_accept(user=sam, token=issued.token)
        access = get_family_access(alex, family.pk)
        sams = get_family_access(sam, family.pk)
        mia = child_add(access=access, name="Mia", date_of_birth=date(2016, 5, 2))
        child_add(access=access, name="Leo", date_of_birth=date(2019, 9, 14))
        for i in range(8):
            first = thread_start(
                access=access, subject=f"Week {i}", topic="school", body=f"Pickup plan {i}?"
            )
            for j in range(4):
                message_send(
                    access=sams if j % 2 == 0 else access,
                    thread=first.thread,
                    body=f"Answer {j} about week {i}",
                )
        start = timezone.now()
        for week in range(12):
            moment = start + timedelta(days=7 * week)
            event_add(
                access=access,
                title=f"Swimming {week}",
                kind="sports",
                children=[mia],
                timezone_name="Europe/Paris",
                starts_at=moment,
                ends_at=moment + timedelta(hours=1),
                notify=False,
            )
    _, token = token_create(user=alex, name="bench")
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(alex)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return str(family.pk), token, f"{settings.SESSION_COOKIE_NAME}={cookie}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(port: int, target: Target) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", target.path, headers=target.headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _serve(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "COPARENT_BEHIND_PROXY": "1",
        # The worker beside the server sends what the set-up queued nowhere.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    command = [sys.executable, "-m", "coparent.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1"]
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own command
            command, env=env, stdout=out, stderr=subprocess.STDOUT, process_group=0
        )
    deadline = time.monotonic() + 60
    health = Target("", "/healthz", {})
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"coparent serve stopped; see {log}")
        try:
            if _get(port, health) == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"coparent serve did not answer in 60 s; see {log}")


def measure(family_id: str, token: str, cookie: str, port: int) -> dict[str, float]:
    """Median milliseconds of each target, asked in turn."""
    https = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    targets = [
        Target("healthz", "/healthz", https),
        Target(
            "api",
            f"/api/v1/families/{family_id}/threads",
            {**https, "Authorization": f"Bearer {token}"},
        ),
        Target("page", f"/families/{family_id}/messages/", {**https, "Cookie": cookie}),
    ]
    for target in targets:
        for _ in range(WARM_UP):
            status = _get(port, target)
            if status != 200:
                raise RuntimeError(f"{target.path} answered {status}")
    times: dict[str, list[float]] = {target.label: [] for target in targets}
    for _ in range(ROUNDS):
        for target in targets:
            start = time.perf_counter()
            _get(port, target)
            times[target.label].append(time.perf_counter() - start)
    return {label: statistics.median(values) * 1000 for label, values in times.items()}


def in_process(family_id: str, token: str, cookie: str) -> dict[str, tuple[float, int]]:
    """Mean processor milliseconds and the queries of each target through the test client."""
    from django.db import connection
    from django.test import Client

    name, _, value = cookie.partition("=")
    requests = {
        "healthz": ("/healthz", {}),
        "api": (f"/api/v1/families/{family_id}/threads", {"Authorization": f"Bearer {token}"}),
        "page": (f"/families/{family_id}/messages/", {}),
    }
    clients = {label: Client(HTTP_HOST="127.0.0.1") for label in requests}
    clients["page"].cookies[name] = value

    def ask(label: str) -> None:
        path, headers = requests[label]
        status = clients[label].get(path, headers=headers, secure=True).status_code
        if status != 200:
            raise RuntimeError(f"{path} answered {status} in process")

    figures = {}
    for label in requests:
        for _ in range(WARM_UP):
            ask(label)
        queries: list[str] = []

        def counted(
            execute: Callable[..., Any], sql: str, *args: Any, seen: list[str] = queries
        ) -> Any:
            seen.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(counted):
            ask(label)
        start = time.process_time()
        for _ in range(IN_PROCESS_ROUNDS):
            ask(label)
        cpu = (time.process_time() - start) / IN_PROCESS_ROUNDS * 1000
        figures[label] = (cpu, len(queries))
    return figures


def report(line: Callable[[str, str, str, bool], None]) -> list[bool]:
    from django.conf import settings

    family_id, token, cookie = _family()
    port = _free_port()
    server = _serve(port, Path(settings.DATA_DIR) / "serve.log")
    try:
        ms = measure(family_id, token, cookie, port)
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = in_process(family_id, token, cookie)
    healthz = ms["healthz"]
    line("(h) /healthz, coparent serve on loopback", f"{healthz:,.1f} ms", "none", True)
    results = []
    for label, name in (("api", "(i) API list …/threads"), ("page", "(j) family page: the inbox")):
        ratio = ms[label] / healthz
        results.append(ratio <= TARGET_RATIO)
        value = f"{ratio:.1f}× ({ms[label]:,.1f} ms)"
        line(f"{name} ÷ /healthz", value, f"≤ {TARGET_RATIO:g}×", results[-1])
    for label, name in (
        ("healthz", "    in process: /healthz"),
        ("api", "    in process: API list"),
        ("page", "    in process: the inbox page"),
    ):
        cpu, queries = figures[label]
        line(name, f"{cpu:,.1f} ms CPU, {queries} q", "none", True)
    return results


if __name__ == "__main__":
    # `python bench/request_cost.py`: these figures alone, on a fresh SQLite database in a
    # temporary data folder like `make bench`'s, without waiting for the rest of the bench.
    import shutil
    import tempfile

    data_dir = tempfile.mkdtemp(prefix="coparent-bench-")
    os.environ["COPARENT_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "coparent.settings"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)

        def _print(label: str, value: str, target: str, ok: bool) -> None:
            print(f"{label:<52} {value:>14}   (target {target}) {'ok' if ok else 'MISSED'}")

        report(_print)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
