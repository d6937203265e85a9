"""Session tracking: keep each signed-in browser listed, and end the ones that must end.

The list is allauth's (allauth.usersessions); its own activity tracking would write on every
request, so this middleware notes the last visit at most once a minute instead. A session ends
here when the person's credentials changed since it began (its stored credentials version is
old) or when its row now belongs to someone else. Ending a session from the sessions page or
after a credential change also deletes it from the session store, so this is the second line
of defence, not the first.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from coparent.accounts import services
from coparent.accounts.models import User

# The API authenticates with bearer tokens, not sessions; health checks and static files
# must stay free of database work.
SKIPPED_PREFIXES = ("/api/", "/healthz", "/static/")


class SessionTrackingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(SKIPPED_PREFIXES):
            self._track(request)
        return self.get_response(request)

    def _track(self, request: HttpRequest) -> None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return
        reason = services.session_seen(request=request, user=user)
        if reason:
            # Read by the logout audit receiver, so the log says why the session ended.
            request.accounts_logout_reason = reason  # type: ignore[attr-defined]  # a note on this request for signals.on_logout, which logout() runs
            logout(request)
