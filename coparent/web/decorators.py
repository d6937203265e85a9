"""`request.family` is set once, here (STYLE.md 5)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from coparent.families.selectors import FamilyAccess, get_family_access


class FamilyRequest(HttpRequest):
    family_access: FamilyAccess


def family_view(
    *, shared: bool = False, parent: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve `family_id` from the URL through the one access path and attach it to the request.

    `shared=True` lets only parents and consented professionals in (viewers get 403);
    `parent=True` lets only parents in. Anyone else, or another family, gets 404.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, family_id: Any, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            access = get_family_access(request.user, family_id)  # type: ignore[arg-type]
            if parent:
                access.require_parent()
            elif shared:
                access.require_shared()
            request.family_access = access  # type: ignore[attr-defined]
            request.family = access.family  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
