"""Issue #8, as an operator sees it: a real `coparent serve` (gunicorn and the task worker, SQLite
in a fresh data folder, a free port), driven through the API with a demo token.

- The 223-byte animated GIF that once took 12 s and 2 GB inside the write transaction, and then
  brought the whole site down with the worker, is refused at once; afterwards the site answers
  and the worker still runs jobs: a message sent next is emailed to the other parent.
- Five large photos (12 megapixels, a few MB each, as phones send them) sent at the same time
  all arrive.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.messaging.images import gif_bomb, photo

pytestmark = pytest.mark.slow

COPARENT = str(Path(sys.executable).with_name("coparent"))


@dataclass
class Site:
    url: str
    data_dir: Path
    server: subprocess.Popen[str]
    family: str
    tokens: dict[str, str]  # first name -> API token
    emails: dict[str, str]  # first name -> address

    def call(
        self, method: str, path: str, who: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310 - the local test server
            f"{self.url}/api/v1/families/{self.family}{path}",
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {self.tokens[who]}", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def send_json(self, path: str, who: str, fields: dict[str, Any]) -> tuple[int, Any]:
        body = json.dumps(fields).encode()
        return self.call("POST", path, who, body, **{"Content-Type": "application/json"})

    def upload(self, path: str, who: str, body: str, files: list[tuple[str, bytes]]) -> Any:
        boundary = secrets.token_hex(12)
        field = f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n{body}\r\n'
        parts = [field.encode()]
        for name, content in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.call(
            "POST",
            path,
            who,
            b"".join(parts),
            **{"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )

    def healthz(self) -> int:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as answer:  # noqa: S310
            return answer.status

    def emails_to(self, address: str) -> list[str]:
        folder = self.data_dir / "emails"
        texts = [p.read_text() for p in folder.glob("*")] if folder.exists() else []
        return [text for text in texts if f"To: {address}" in text]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "COPARENT_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "COPARENT_SECURE_SSL_REDIRECT": "0",
        # Emails as files in the data folder, so the test sees what the worker sent.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    }
    env.pop("DATABASE_URL", None)  # SQLite: where one writer holding the lock stops the rest
    demo = subprocess.run(
        [COPARENT, "demo", "--json"], env=env, capture_output=True, text=True, check=True
    )
    family = json.loads(demo.stdout)["families"][0]
    port = _free_port()
    server = subprocess.Popen(
        [COPARENT, "serve", "--port", str(port), "--workers", "3"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    people = {u["username"].split(".")[0].capitalize(): u for u in family["users"]}
    up = Site(
        url=f"http://127.0.0.1:{port}",
        data_dir=data_dir,
        server=server,
        family=family["id"],
        tokens={name: u["token"] for name, u in people.items()},
        emails={name: u["username"] for name, u in people.items()},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if up.healthz() == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        yield up
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
        print(output)
    assert "stopped (exit code" not in output, output  # neither child ever died


def _new_thread(site: Site, subject: str) -> str:
    status, created = site.send_json(
        "/threads", "Jordan", {"subject": subject, "topic": "children", "body": "Photos below."}
    )
    assert status == 201, created
    return created["thread"]["id"]


def _wait_for(condition: Any, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    return condition()


def test_the_gif_bomb_is_refused_and_the_site_and_its_worker_carry_on(site):
    thread = _new_thread(site, "Birthday party")
    status, refused = site.upload(
        f"/threads/{thread}/messages/upload", "Casey", "Look!", [("party.gif", gif_bomb())]
    )
    assert status == 422, refused
    assert (
        "is an animated image; only still photos can be attached" in (refused["errors"]["files"][0])
    )

    assert site.healthz() == 200
    # A job queued after the attack still gets done: Casey's reply reaches Jordan by email.
    before = len(site.emails_to(site.emails["Jordan"]))
    status, sent = site.send_json(
        f"/threads/{thread}/messages", "Casey", {"body": "Sorry, here is a still one later."}
    )
    assert status == 201, sent
    assert _wait_for(lambda: len(site.emails_to(site.emails["Jordan"])) > before), (
        "the worker did not send the email"
    )
    assert site.server.poll() is None


def test_five_large_photos_sent_at_the_same_time_all_arrive(site):
    thread = _new_thread(site, "Holiday photos")
    photos = [photo(seed=n) for n in range(5)]
    assert all(2_000_000 < len(p) < 10 * 1024 * 1024 for p in photos)
    senders = ["Jordan", "Casey", "Jordan", "Casey", "Jordan"]

    def send(n: int) -> tuple[int, Any]:
        return site.upload(
            f"/threads/{thread}/messages/upload",
            senders[n],
            f"Photo {n + 1}",
            [(f"IMG_{n}.jpg", photos[n])],
        )

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(send, range(5)))

    assert [status for status, _ in answers] == [201] * 5, answers
    assert sorted(a["body"] for _, a in answers) == [f"Photo {n}" for n in range(1, 6)]
    assert all(a["attachments"][0]["content_type"] == "image/jpeg" for _, a in answers)
    status, listed = site.call("GET", f"/threads/{thread}/messages", "Casey")
    assert status == 200
    assert len(listed["items"]) == 6  # the first message and the five photos
    assert site.healthz() == 200
