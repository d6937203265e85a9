"""`reauth_required`: sensitive account changes need a fresh password (and code, with 2FA).

Someone who finds a laptop left signed in must not be able to change the password, the email
address or the second factor, and so take the account over.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from coparent.accounts.selectors import reauth_is_fresh


def reauth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let the request through if the session re-authenticated within
    COPARENT_REAUTH_SECONDS; otherwise send the person to confirm it is them, then back."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if reauth_is_fresh(request.session):
            return view(request, *args, **kwargs)
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('accounts:reauth')}?{query}")

    return wrapper
