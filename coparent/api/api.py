"""The HTTP API under /api/v1 (django-ninja).

One authentication path (coparent.api.auth), one access path per family object
(coparent.families.selectors), errors as JSON with field messages (coparent.api.errors).
The OpenAPI schema is at /api/v1/openapi.json. Ninja's Swagger page is off: it loads its
script from a CDN, which the site's Content-Security-Policy ('self' only) rightly blocks.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from coparent.api import errors
from coparent.api.auth import AUTH
from coparent.api.endpoints import (
    agreements,
    documents,
    events,
    exchanges,
    expenses,
    families,
    infobank,
    insights,
    invitations,
    journal,
    me,
    members,
    messages,
    notifications,
    records,
    requests,
    schedule,
    tokens,
    tone,
)
from coparent.api.links import add_links


def _json_method_not_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """Ninja answers a method a path does not serve with a plain-text 405; keep it JSON like
    every other API error (the Allow header stays)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        answer = api.create_response(
            request, {"detail": _("This method is not allowed here.")}, status=405
        )
        answer["Allow"] = response["Allow"]
        return answer

    return wrapper


# Answered by coparent.api.errors before the operation runs, to any request with a body.
BODY_ERRORS = {
    400: "Bad Request: the body is not valid JSON (or a service refused the input)",
    413: "Content Too Large: the body is over the size limit",
}


def _document_body_errors(responses: dict[int | str, Any]) -> None:
    """Every operation that reads a body can answer 400 (not JSON at all) and 413 (too large):
    say so in its schema, with the shape coparent.api.errors gives them."""
    for code, description in BODY_ERRORS.items():
        if code in responses or str(code) in responses:
            continue
        responses.setdefault(
            code,
            {
                "description": description,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                },
            },
        )
    ordered = dict(sorted(responses.items(), key=lambda item: str(item[0])))
    responses.clear()
    responses.update(ordered)


class CoparentAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view's own name ("child_create"): short and stable for generated clients. Names
        # are unique across modules (tests/api/test_openapi.py checks it).
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for methods in schema["paths"].values():
            for operation in methods.values():
                if "requestBody" in operation:
                    _document_body_errors(operation["responses"])
                add_links(operation)
        return schema

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_not_allowed(pattern.callback)
        return patterns, app_name, namespace


api = CoparentAPI(
    title="Coparent API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    docs_url=None,
    description=(
        "Send `Authorization: Bearer TOKEN` with a personal token (create one under your "
        "account's API tokens). Errors are JSON: `detail`, and `errors` keyed by field for "
        "input problems. Every operation's answers, errors included, are listed below. Ids "
        "and offsets go up to 9223372036854775807, dates from 1901-01-01 to 2198-12-31, lists "
        "of ids to 1000 items; beyond, a 422 names the field."
    ),
)
errors.install(api)

for module in (me, families, members, invitations, records, tokens):
    api.add_router("/", module.router)
api.add_router("/", messages.router)
api.add_router("/", events.router)
api.add_router("/", exchanges.router)
api.add_router("/", journal.router)
api.add_router("/", expenses.router)
api.add_router("/", schedule.router)
api.add_router("/", tone.router)
api.add_router("/", notifications.router)
api.add_router("/", agreements.router)
api.add_router("/", requests.router)
api.add_router("/", documents.router)
api.add_router("/", infobank.router)
api.add_router("/", insights.router)
