"""The notification centre's pages: the list (newest first, a page at a time), opening a
notification (which marks it read), marking read, the settings, and the two endpoints the
settings page's script calls to turn web push on or off on this device.

Every page is the signed-in person's own: nothing here is a family page, and another person's
notification answers 404 like a missing one. Every change is a POST with the CSRF token.
"""

from __future__ import annotations

import json
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.accounts.models import User
from coparent.core.notify import Channel
from coparent.notifications import push, selectors, services
from coparent.notifications.forms import PreferencesForm
from coparent.notifications.models import CHANNEL_LABELS
from coparent.web.forms import add_service_error, posted

MAX_SUBSCRIPTION_BYTES = 8_192


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_GET
@never_cache
def centre(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    found = selectors.centre_page(user, request.GET.get("page"))
    return render(
        request,
        "notifications/centre.html",
        {
            "centre": found,
            "page": found.page,
            # The header shows the same number: counted once for both.
            "notification_centre": {"url": request.path, "unread": found.unread},
        },
    )


def _back_to_list(request: HttpRequest) -> HttpResponse:
    """Back to the page of the list the person was on."""
    page = request.POST.get("page", "")
    url = reverse("notifications:list")
    return redirect(f"{url}?page={page}" if page.isdigit() and len(page) < 10 else url)


@login_required
@require_POST
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to what it is about."""
    notification = selectors.get_notification(_user(request), notification_id)
    services.mark_read(user=_user(request), notification=notification)
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith(
        "/"
    ):
        target = "/"  # a stored link is always a path of this site; anything else goes home
    return redirect(target)


@login_required
@require_POST
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = selectors.get_notification(_user(request), notification_id)
    services.mark_read(user=_user(request), notification=notification)
    return _back_to_list(request)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    marked = services.mark_all_read(user=_user(request))
    if marked:
        messages.success(request, _("All your notifications are marked read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    choices = selectors.choices_for(user)
    form = PreferencesForm(posted(request), choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(
                user=user,
                cells=form.cells(),
                exchange_lead_minutes=form.cleaned_data["exchange_lead_minutes"],
                event_lead_minutes=form.cleaned_data["event_lead_minutes"],
                include_content=form.cleaned_data["include_content"],
                message_digest=form.cleaned_data["message_digest"],
                checkpoint_email=form.cleaned_data["checkpoint_email"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "channels": [CHANNEL_LABELS[channel] for channel in Channel],
            "push_key": push.public_key(),
            "devices": selectors.devices(user),
        },
    )


def _json_body(request: HttpRequest) -> dict[str, object] | None:
    if len(request.body) > MAX_SUBSCRIPTION_BYTES:
        return None
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _problems(error: ValidationError) -> JsonResponse:
    return JsonResponse(
        {"detail": _("This device cannot be used for push."), "errors": error.message_dict},
        status=400,
    )


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    """The settings page's script sends the browser's PushSubscription (its toJSON()) here."""
    data = _json_body(request)
    keys = data.get("keys") if data else None
    if data is None or not isinstance(keys, dict):
        return JsonResponse({"detail": _("Send the browser's push subscription.")}, status=400)
    try:
        services.push_subscribe(
            user=_user(request),
            endpoint=str(data.get("endpoint", "")),
            p256dh=str(keys.get("p256dh", "")),
            auth=str(keys.get("auth", "")),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as error:
        return _problems(error)
    return JsonResponse({"subscribed": True}, status=201)


@login_required
@require_POST
def push_unsubscribe(request: HttpRequest) -> JsonResponse:
    data = _json_body(request)
    if data is None:
        return JsonResponse({"detail": _("Send the browser's push subscription.")}, status=400)
    removed = services.push_unsubscribe(user=_user(request), endpoint=str(data.get("endpoint", "")))
    return JsonResponse({"unsubscribed": removed})
