"""The type of a request that only signed-in people reach."""

from __future__ import annotations

from django.http import HttpRequest

from coparent.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind `login_required` (or allauth's own sign-in checks): `request.user` is
    a `User`, never the anonymous one. Annotate a view's request with it instead of casting
    `request.user` inside; the web kit's `FamilyRequest` builds on it."""

    user: User
