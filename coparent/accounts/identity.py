"""Proving it is you again: the password, plus a second-factor code when it is on.

One check for the re-authentication page and for the API operations that need it (creating a
token), so both count wrong passwords towards the same lock-out (django-axes, through
`authenticate`) and wrong codes towards the same second-factor throttle (django-otp).
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coparent.accounts import selectors, services
from coparent.accounts.forms import ReauthForm
from coparent.accounts.models import User


def throttled_message(throttled: services.OtpThrottled) -> str:
    return ngettext(
        "Too many wrong codes in a row. Wait %(seconds)d second and try again.",
        "Too many wrong codes in a row. Wait %(seconds)d seconds and try again.",
        throttled.seconds,
    ) % {"seconds": throttled.seconds}


def confirm_identity(request: HttpRequest, user: User, data: dict[str, Any]) -> ReauthForm:
    """Check `data` ({"password", "code"}) for `user`; the returned form carries an error per
    field when the check failed, and none when the person proved it is them."""
    needs_code = selectors.has_second_factor(user)
    form = ReauthForm(request, user, needs_code, data)
    if not form.is_valid() or not needs_code:
        return form
    try:
        device = services.otp_verify(
            user=user, code=form.cleaned_data["code"], client=services.client_info(request)
        )
    except services.OtpThrottled as throttled:
        form.add_error("code", throttled_message(throttled))
    else:
        if device is None:
            form.add_error("code", _("That code is not right."))
    return form


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
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
