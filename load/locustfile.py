"""`make load`: parents of many families using Coparent at once (docs/operations.md, "Load").

Each simulated user is one parent of a synthetic family (`coparent generate --tokens N --json`,
read from the file named by LOAD_ACCOUNTS). It signs in through the login page, as a browser
does, and then, with a short pause between actions:

- opens the calendar, the inbox or the expenses (pages, with its session);
- sends a message in one of its conversations (the API, with its bearer token, as the app does);
- checks in at an exchange of the day before or after, when there is a step left to tap, or
  else opens that exchange (the API).

LOAD_HOSTS (comma-separated base URLs) spreads the users over several `coparent serve`
processes, round robin; otherwise every user talks to locust's --host.

The server is expected behind a TLS proxy (COPARENT_BEHIND_PROXY=1): each request says it came
over https (X-Forwarded-Proto), so the production settings (secure cookies, https redirect) hold.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, task
from locust.util.timespan import parse_timespan

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BODIES = [
    "Pickup at six as planned. Thanks.",
    "The school trip form needs both signatures by Friday.",
    "Mia left her football boots at mine; they are in her bag now.",
    "Dentist moved to Tuesday at 4, I can take them.",
]


def load_accounts(path: str | None = None) -> list[dict[str, Any]]:
    """Every parent of the generated families, each with its family's id and its letter in
    the plan (A for the first parent, B for the second)."""
    with open(path or os.environ["LOAD_ACCOUNTS"]) as handle:
        families = json.load(handle)["families"]
    return [
        {**person, "family": family["id"], "letter": "AB"[i]}
        for family in families
        for i, person in enumerate(family["users"])
    ]


_accounts: list[dict[str, Any]] = []
_signed_in = itertools.count(1)
_next_account = itertools.count()
_next_host = itertools.count()
_hosts = [h.strip().rstrip("/") for h in os.environ.get("LOAD_HOSTS", "").split(",") if h.strip()]


def _take_account() -> dict[str, Any]:
    # Loaded on first use, so importing this file needs no accounts. More users than accounts
    # share them in turn.
    if not _accounts:
        _accounts.extend(load_accounts())
    return _accounts[next(_next_account) % len(_accounts)]


class Parent(HttpUser):
    wait_time = between(
        float(os.environ.get("LOAD_WAIT_MIN", "0.5")), float(os.environ.get("LOAD_WAIT_MAX", "1.5"))
    )

    def on_start(self) -> None:
        self.account = _take_account()
        if _hosts:
            self.client.base_url = _hosts[next(_next_host) % len(_hosts)]
        origin = urlsplit(self.client.base_url)
        self.origin = f"https://{origin.netloc}"
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.family = self.account["family"]
        self.api = {"Authorization": f"Bearer {self.account['token']}"}
        self.log_in()
        me = self.client.get("/api/v1/me", headers=self.api, name="api me").json()
        self.user_id = me["id"]
        self.threads = [
            t["id"]
            for t in self.client.get(
                f"/api/v1/families/{self.family}/threads", headers=self.api, name="api threads"
            ).json()["items"]
        ]
        # Signing in hashes a password on purpose slowly (argon2): the figures are of the
        # parents' use of the app, measured for LOAD_DURATION from when the last of them has
        # signed in.
        runner = self.environment.runner
        if runner is not None and next(_signed_in) == runner.target_user_count:
            self.environment.stats.reset_all()
            print(f"All {runner.target_user_count} parents signed in; measuring.", flush=True)
            gevent.spawn_later(parse_timespan(os.environ.get("LOAD_DURATION", "60s")), runner.quit)

    def log_in(self) -> None:
        page = self.client.get("/accounts/login/", name="login page")
        self._cookies_over_http()
        token = CSRF_FIELD.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "login": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Origin": self.origin, "Referer": f"{self.origin}/accounts/login/"},
            name="log in",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"login answered {answer.status_code}")
        self._cookies_over_http()

    def _cookies_over_http(self) -> None:
        # The cookies are Secure (https behind the proxy); this client talks plain http to the
        # loopback, as the proxy would.
        for cookie in self.client.cookies:
            cookie.secure = False

    def _page(self, path: str, name: str) -> None:
        """A page as a signed-in parent sees it: a redirect (to the login page) is a failure."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{name} answered {answer.status_code}")

    @task(3)
    def open_calendar(self) -> None:
        self._page(f"/families/{self.family}/schedule/", "calendar page")

    @task(3)
    def open_inbox(self) -> None:
        self._page(f"/families/{self.family}/messages/", "inbox page")

    @task(2)
    def open_expenses(self) -> None:
        self._page(f"/families/{self.family}/expenses/", "expenses page")

    @task(1)
    def send_message(self) -> None:
        if not self.threads:
            return
        thread = random.choice(self.threads)  # noqa: S311 - picking a conversation, not a secret
        self.client.post(
            f"/api/v1/families/{self.family}/threads/{thread}/messages",
            json={"body": random.choice(BODIES)},  # noqa: S311
            headers=self.api,
            name="api send message",
        )

    @task(1)
    def check_in(self) -> None:
        now = datetime.now(UTC)
        window = {
            "from": (now - timedelta(days=1)).isoformat(),
            "to": (now + timedelta(days=1)).isoformat(),
        }
        exchanges = self.client.get(
            f"/api/v1/families/{self.family}/exchanges",
            params=window,
            headers=self.api,
            name="api exchanges",
        ).json()
        for exchange in exchanges:
            step = self._step_left(exchange)
            if step is not None:
                self.client.post(
                    f"/api/v1/families/{self.family}/exchanges/{exchange['key']}/check-ins",
                    json={"step": step},
                    headers=self.api,
                    name="api check in",
                )
                return
        if exchanges:
            self.client.get(
                f"/api/v1/families/{self.family}/exchanges/{exchanges[0]['key']}",
                headers=self.api,
                name="api exchange",
            )

    def _step_left(self, exchange: dict[str, Any]) -> str | None:
        """A step this parent may still tap at this exchange: "I'm here", then "handed over"
        (the giver) or "received" (the receiver)."""
        me = self.account["letter"]
        if me not in (exchange["from_parent"], exchange["to_parent"]):
            return None
        planned = datetime.fromisoformat(exchange["planned_at"].replace("Z", "+00:00"))
        if abs(datetime.now(UTC) - planned) >= timedelta(hours=23):
            return None  # at the edge of the check-in window: it may close before we arrive
        mine = {c["step"] for c in exchange["check_ins"] if c["user"]["id"] == self.user_id}
        own_step = "handed_over" if exchange["from_parent"] == me else "received"
        for step in ("arrived", own_step):
            if step not in mine:
                return step
        return None
