"""The header's link to the notification centre, with the unread count, on every page of a
signed-in person. The count is read only when a template shows it (one query, served by the
partial index on unread notifications), so a page that does not pays nothing."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from coparent.accounts.models import User
from coparent.notifications.selectors import unread_count


class CentreLink:
    def __init__(self, user: User) -> None:
        self.user = user
        self.url = reverse("notifications:list")

    @cached_property
    def unread(self) -> int:
        return unread_count(self.user)


def header(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"notification_centre": CentreLink(user)}
