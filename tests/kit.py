"""The test kit every folder shares (docs/testing.md): browsers and API callers for the people
of the fixed cast. The fixtures built on these (`as_`, `client_for`) live in tests/conftest.py;
the older import paths (tests.api.conftest, tests.families.helpers, tests.accounts.conftest)
still name the same objects."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from coparent.accounts.models import User
from coparent.accounts.services import token_create

API = "/api/v1"

# What authenticating a bearer token costs once the token has been used in the last minute:
# one SELECT of the unrevoked token joined with its active user (user_for_token). Tests call
# the API once before counting, so the once-a-minute `last_used_at` UPDATE is not in the count.
AUTH_QUERIES = 1


class HttpsClient(Client):
    """A browser over https: production settings redirect plain http to https."""

    def generic(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def client_for(user: User | None, **defaults: Any) -> Client:
    """A browser over https logged in as `user` (or anonymous when None); `defaults` are the
    test client's request defaults, such as REMOTE_ADDR."""
    client = HttpsClient(**defaults)
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class Caller:
    """One person (or nobody) calling the API with a token, the way a script would."""

    token: str | None
    client: Client = field(default_factory=Client)

    def headers(self) -> dict[str, str]:
        """The Authorization header of this caller's token (none for nobody)."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        **query: Any,
    ) -> Any:
        data: bytes | str | dict[str, Any] | None = raw
        if raw is None and body is not None:
            data = json.dumps(body)
        handler = getattr(self.client, method.lower())
        url = path if path.startswith(API) else API + path
        # secure=True: production settings redirect plain http to https, as a real client sees.
        if method.upper() == "GET":
            return handler(url, query or None, headers=self.headers(), secure=True)
        return handler(
            url, data, content_type="application/json", headers=self.headers(), secure=True
        )

    def get(self, path: str, **query: Any) -> Any:
        return self.call("GET", path, **query)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("PATCH", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("PUT", path, body, **kwargs)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)

    def upload(self, path: str, fields: dict[str, Any]) -> Any:
        """A multipart POST (files as `SimpleUploadedFile`s among `fields`), as a script sends
        a photo or a PDF."""
        url = path if path.startswith(API) else API + path
        return self.client.post(url, fields, headers=self.headers(), secure=True)


def issue_token(user: User, name: str = "tests") -> str:
    """A new personal API token of `user`, made as the token page makes it."""
    return token_create(user=user, name=name)[1]


def callers() -> Callable[[User | None], Caller]:
    """`caller(user)` is `user` calling the API with a personal token issued on first use (one
    per person per test); `caller(None)` is an anonymous caller."""
    tokens: dict[int, str] = {}

    def caller(user: User | None) -> Caller:
        if user is None:
            return Caller(token=None)
        if user.pk not in tokens:
            tokens[user.pk] = issue_token(user)
        return Caller(token=tokens[user.pk])

    return caller
