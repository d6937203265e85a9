"""Every API error is JSON with a `detail`, and input errors carry messages keyed by field.

Shapes (documented in the OpenAPI schema through `ErrorOut` and `ValidationErrorOut`):

- 422 schema validation: ``{"detail": [{"loc", "msg", "type"}...], "errors": {field: [msg]}}``;
  the same shape for an `Idempotency-Key` already used with other content
- 400 a service refused the input: ``{"detail": msg, "errors": {field or "__all__": [msg]}}``
- 400 malformed JSON, 413 body too large: ``{"detail": msg, "errors": {"__all__": [msg]}}``
- 401, 403, 404, 405, 409, 410: ``{"detail": msg}``; a 409 for a twin request whose
  `Idempotency-Key` the first one still holds also carries ``Retry-After``
- 429 a rate limit (coparent.infra.ratelimit): ``{"detail": msg}`` with a ``Retry-After`` header
- 503 the database is not answering (coparent.infra.faults): ``{"detail": msg}`` with a
  ``Retry-After`` header, whatever the operation (even the token lookup)

A client never sees Django's HTML error pages from /api/v1, whatever it sends.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from coparent.families.selectors import SecondFactorRequired
from coparent.infra import faults
from coparent.infra.errors import DomainError
from coparent.infra.ratelimit import RateLimited
from coparent.messaging.idempotency import IdempotencyConflict, StillProcessing

logger = logging.getLogger(__name__)

NON_FIELD = "__all__"
BODY_PARAM = "payload"

# Where ninja says an input came from; the first element of every pydantic `loc`.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _human_message(error: dict[str, Any]) -> str:
    """A translatable message for the pydantic error types people actually meet; pydantic's own
    English text for the rest."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        return _("Ensure this value has at most %(max)d characters.") % {
            "max": ctx.get("max_length", 0)
        }
    if kind == "string_too_short":
        return _("Ensure this value has at least %(min)d characters.") % {
            "min": ctx.get("min_length", 0)
        }
    if kind in {"string_type", "string_unicode"}:
        return _("Enter text.")
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind.startswith("uuid_"):
        return _("Enter a valid identifier.")
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind == "enum" or kind == "literal_error":
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(n)s.") % {"n": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(n)s.") % {"n": ctx.get("le")}
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("Send a JSON object.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "value_error":
        # Raised by our own validators, whose messages are already translated.
        return str(ctx.get("error") or error.get("msg", ""))
    return str(error.get("msg", ""))


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """`("body", "payload", "name")` -> "name"; `("query", "limit")` -> "limit".

    The source and the view's name for its body mean nothing to a client, which sent
    `{"name": ...}`; nested places keep their path ("items.0.name"). Every view names its body
    argument `payload`."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == BODY_PARAM:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or NON_FIELD


def field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        if name == NON_FIELD and error.get("type") == "missing":
            message = _("Send a JSON object.")  # no body at all
        else:
            message = _human_message(error)
        by_field.setdefault(name, []).append(message)
    return by_field


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {NON_FIELD: [str(m) for m in exc.messages]}


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers so every failure answers in the shapes above."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors
        ]
        errors = field_errors(exc.errors)
        return respond(request, 422, {"detail": detail, "errors": errors})

    @api.exception_handler(DjangoValidationError)
    def service_refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = django_errors(exc)
        first = next(iter(errors.values()))[0] if errors else _("Invalid input.")
        return respond(request, 400, {"detail": first, "errors": errors})

    @api.exception_handler(IdempotencyConflict)
    def key_conflict(request: HttpRequest, exc: IdempotencyConflict) -> HttpResponse:
        # The request is well formed but cannot be processed with this key: 422, naming it.
        errors = django_errors(exc)
        detail = [
            {"loc": ["header", field], "msg": message, "type": "idempotency_conflict"}
            for field, messages in errors.items()
            for message in messages
        ]
        return respond(request, 422, {"detail": detail, "errors": errors})

    @api.exception_handler(StillProcessing)
    def still_processing(request: HttpRequest, exc: StillProcessing) -> HttpResponse:
        # The same key is held by a twin request that has not finished: a retry in a second
        # gets its result (coparent.messaging.idempotency, "Twins").
        response = respond(request, 409, {"detail": exc.message})
        response["Retry-After"] = "1"
        return response

    @api.exception_handler(RateLimited)
    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        # Not a field problem: nothing the client could change in the input would help.
        response = respond(request, 429, {"detail": exc.messages[0]})
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # One message for "not there" and "not yours", so the answer leaks nothing.
        return respond(request, 404, {"detail": _("Not found.")})

    @api.exception_handler(DomainError)
    def domain_refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
        # The one mapping of the services' refusals (coparent.infra.errors) to JSON.
        if isinstance(exc, Http404):
            return not_found(request, exc)
        if exc.status != 400:
            # A conflict or a link gone for good: nothing to correct field by field.
            return respond(request, exc.status, {"detail": exc.message})
        return respond(request, 400, {"detail": exc.message, "errors": django_errors(exc)})

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, {"detail": str(exc) or _("You may not do this.")})

    @api.exception_handler(SecondFactorRequired)
    def second_factor_required(request: HttpRequest, exc: SecondFactorRequired) -> HttpResponse:
        # A code a script can test, and where a person turns one on.
        body = {"detail": str(exc), "code": exc.code, "setup_url": reverse("mfa_index")}
        return respond(request, 403, body)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            {"detail": _("Authentication required: send Authorization: Bearer <token>.")},
        )
        response["WWW-Authenticate"] = 'Bearer realm="coparent"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, (json.JSONDecodeError, UnicodeDecodeError)):
            # Ninja's body parser failed: say so in the client's terms, with a field entry so
            # clients that only read `errors` still see why.
            message = _("The request body is not valid JSON.")
            return respond(request, 400, {"detail": message, "errors": {NON_FIELD: [message]}})
        return respond(request, exc.status_code, {"detail": str(exc)})

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        message = _("The request body is too large (at most %(size)d bytes).") % {
            "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
        return respond(request, 413, {"detail": message, "errors": {NON_FIELD: [message]}})

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        message = _("The request could not be read.")
        return respond(request, 400, {"detail": message, "errors": {NON_FIELD: [message]}})

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)  # the two of faults.DATABASE_UNAVAILABLE
    def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Not a bug and not the client's fault: wait and try again (no traceback in the answer).
        faults.log_unavailable(request.method or "", request.path, exc)
        response = respond(request, 503, {"detail": faults.unavailable_message()})
        response["Retry-After"] = str(faults.RETRY_AFTER)
        return response

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        if settings.DEBUG:
            raise exc
        # A bug, not bad input: keep the traceback in the log and the client on JSON.
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return respond(request, 500, {"detail": _("Something went wrong on the server.")})
