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
from ninja.operation import Operation

from coparent.api import errors
from coparent.api.auth import AUTH
from coparent.api.endpoints import (
    events,
    families,
    invitations,
    me,
    members,
    messages,
    records,
    schedule,
    tokens,
    tone,
)


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


class CoparentAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view's own name ("child_create"): short and stable for generated clients. Names
        # are unique across modules (tests/api/test_openapi.py checks it).
        return operation.view_func.__name__

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
        "input problems. Every operation's answers, errors included, are listed below."
    ),
)
errors.install(api)

for module in (me, families, members, invitations, records, tokens):
    api.add_router("/", module.router)
api.add_router("/", messages.router)
api.add_router("/", events.router)
api.add_router("/", schedule.router)
api.add_router("/", tone.router)
