"""The one authentication path of the API: a personal token as `Authorization: Bearer TOKEN`.

A browser already logged in to Coparent may call the API with its session too (same user, same
CSRF rules as the pages), so the site's own scripts need no token. Either way the operation sees
the user as `request.auth`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from coparent.accounts.models import User
from coparent.accounts.selectors import user_for_token
from coparent.accounts.services import session_seen


class TokenAuth(HttpBearer):
    """Resolves a personal API token to its active user (revoked tokens and inactive users get
    nothing, so the request answers 401)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token.strip())


class SessionAuth(APIKeyCookie):
    """A logged-in browser session, with Django's CSRF check on unsafe methods.

    Stays out of the way of token clients: a request that carries an Authorization header is
    judged by its token alone (a bad token is a 401 even from a logged-in browser), and an
    anonymous request never meets the CSRF check, so it gets 401 rather than 403. A session that
    must end (the password changed since it began, or it was ended from the sessions page) is
    ended here as on the pages, where the session middleware, which skips the API, would.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise PermissionDenied(_("CSRF check failed. Reload the page and try again."))
        reason = session_seen(request=request, user=user)
        if reason:
            # Read by the logout audit receiver, so the log says why the session ended.
            request.accounts_logout_reason = reason  # type: ignore[attr-defined]  # a note on this request for accounts.signals.on_logout, which logout() runs
            logout(request)
            return None
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return None  # never used: __call__ decides from the session, not from the cookie text


def caller(request: HttpRequest) -> User:
    """The authenticated user of an API request: ninja sets `request.auth` from AUTH before the
    operation runs, and every operation except /record-key requires it."""
    user: User = request.auth  # type: ignore[attr-defined]  # set by ninja, not on HttpRequest
    return user


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]
