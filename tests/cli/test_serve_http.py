"""What a real `coparent serve` (gunicorn with two workers) sends back over HTTP (issue #8): no
`Server: gunicorn` banner, a Permissions-Policy on every answer, and rate limits that hold
across the workers because they count in the shared database cache, whose table `migrate` made
on this fresh data folder."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

COPARENT = str(Path(sys.executable).with_name("coparent"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_open = urllib.request.build_opener(_NoRedirect).open


def _call(
    url: str, data: dict[str, str] | None = None, cookie: str = ""
) -> tuple[int, Message, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - local server
    try:
        with _open(request, timeout=10) as answer:  # local test server
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "COPARENT_DATA_DIR": str(tmp_path_factory.mktemp("serve-http")),
        "DEBUG": "0",
        "COPARENT_SECURE_SSL_REDIRECT": "0",
        "COPARENT_RATE_LIMITS": "password_reset.ip=3/h",
    }
    env.pop("DATABASE_URL", None)  # a fresh SQLite file: only `migrate` made its tables
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [COPARENT, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _call(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


@pytest.mark.parametrize(
    "path", ["/healthz", "/", "/accounts/login/", "/api/v1/openapi.json", "/api/v1/me", "/nope"]
)
def test_no_answer_names_the_server_software_and_all_carry_a_permissions_policy(server, path):
    status, headers, _body = _call(server + path)

    assert status in {200, 401, 404}
    servers = headers.get_all("Server") or []
    assert servers == ["Coparent"], servers
    policy = headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy, policy


def test_reset_requests_are_counted_across_both_workers(server):
    """Each request opens a new connection, which either worker may take: with a per-process
    cache each would allow three; shared, the fourth is refused whichever answers it."""
    answers = []
    for number in range(4):
        status, headers, page = _call(server + "/accounts/password/reset/")
        assert status == 200
        cookie = headers["Set-Cookie"].split(";", 1)[0]  # csrftoken=...
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page
        status, headers, page = _call(
            server + "/accounts/password/reset/",
            {"csrfmiddlewaretoken": token.group(1), "email": f"n{number}@example.org"},
            cookie=cookie,
        )
        answers.append(status)
    assert answers == [302, 302, 302, 429]
    assert int(headers["Retry-After"]) > 0
    assert "Too many attempts" in page
