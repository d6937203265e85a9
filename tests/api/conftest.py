"""API test helpers: the fixed cast (tests/conftest.py), each with a personal bearer token
(`as_`, the callers in tests/kit.py)."""

from __future__ import annotations

from typing import Any

from tests.conftest import as_  # noqa: F401 - the fixture, by its older import path
from tests.kit import API, AUTH_QUERIES, Caller, issue_token  # noqa: F401 - older import path


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
