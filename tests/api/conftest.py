"""API test helpers: the fixed cast (tests/conftest.py), each with a personal bearer token."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from coparent.accounts.models import User
from coparent.accounts.services import token_create

API = "/api/v1"

# What authenticating a bearer token costs once the token has been used in the last minute:
# one SELECT of the unrevoked token joined with its active user (user_for_token). Tests call
# the API once before counting, so the once-a-minute `last_used_at` UPDATE is not in the count.
AUTH_QUERIES = 1


@dataclass
class Caller:
    """One person (or nobody) calling the API with a token, the way a script would."""

    token: str | None
    client: Client = field(default_factory=Client)

    def _headers(self) -> dict[str, str]:
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
            return handler(url, query or None, headers=self._headers(), secure=True)
        return handler(
            url, data, content_type="application/json", headers=self._headers(), secure=True
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


def issue_token(user: User, name: str = "tests") -> str:
    return token_create(user=user, name=name)[1]


@pytest.fixture
def as_(cast: Any) -> Any:
    """`as_(cast.alex)` is Alex calling the API with a fresh personal token; `as_(None)` is an
    anonymous caller."""
    tokens: dict[int, str] = {}

    def caller(user: User | None) -> Caller:
        if user is None:
            return Caller(token=None)
        if user.pk not in tokens:
            tokens[user.pk] = issue_token(user)
        return Caller(token=tokens[user.pk])

    return caller


def family_path(cast: Any, suffix: str = "", family: Any = None) -> str:
    return f"/families/{(family or cast.family).pk}{suffix}"


def operations() -> list[tuple[str, str]]:
    """Every (METHOD, path template) the API serves, read from its own OpenAPI schema, so a new
    endpoint is enumerated without anyone remembering to add it."""
    from coparent.api.api import api

    schema = api.get_openapi_schema()
    return sorted(
        (method.upper(), path) for path, methods in schema["paths"].items() for method in methods
    )


def fill(template: str, **ids: Any) -> str:
    """A path template from the schema, such as /api/v1/families/{family_id}, with ids in."""
    return template.format(**{k: str(v) for k, v in ids.items()})
