"""Proving it is you outside allauth's pages, and django-axes' hooks.

The API asks for the password (and a code, with the authenticator app on) before it makes a
token. The check goes through the same paths as the re-authentication page: the password
through `authenticate`, so wrong guesses count towards the django-axes lock-out, the code
through allauth's own check, with its limit on wrong codes.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from coparent.accounts.forms import second_factor_check
from coparent.accounts.models import User
from coparent.accounts.selectors import has_totp


class _IdentityForm(forms.Form):
    password = forms.CharField(strip=False, max_length=4096)
    code = forms.CharField(max_length=32, required=False)


def confirm_identity(request: HttpRequest, user: User, data: dict[str, Any]) -> forms.Form:
    """Check `data` ({"password", "code"}) for `user`; the returned form carries an error per
    field when the check failed, and none when the person proved it is them."""
    form = _IdentityForm(data)
    if not form.is_valid():
        return form
    found = authenticate(request, username=user.email, password=form.cleaned_data["password"])
    if found is None or found.pk != user.pk:
        form.add_error("password", _("That password is not right."))
        return form
    if has_totp(user):
        code = form.cleaned_data["code"]
        if not code:
            form.add_error("code", _("This field is required."))
            return form
        try:
            second_factor_check(user, code, reauthentication=True)
        except ValidationError as error:
            form.add_error("code", error.message_dict["code"])
    return form


def typed_email(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The address a login attempt is for (AXES_USERNAME_CALLABLE): allauth passes it as
    `email`, Django's own callers as `username`; its login form calls the field `login`."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None:
        value = request.POST.get("login", "")
    return str(value or "").strip().lower()[:254]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer once a password has been wrong too often (AXES_LOCKOUT_CALLABLE):
    the lock-out page for people, the same facts as JSON for an API client."""
    limit = get_failure_limit(request, credentials)
    cool_off = get_cool_off(request)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _(
                    "Too many wrong passwords. Even the right one is refused until the pause is "
                    "over; resetting the password lifts it."
                )
            },
            status=429,
        )
        if cool_off:
            response["Retry-After"] = str(int(cool_off.total_seconds()))
        return response
    context = {"failure_limit": limit, "cooloff_timedelta": cool_off}
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=status)
