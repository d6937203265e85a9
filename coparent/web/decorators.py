"""`request.family` is set once, here (STYLE.md 5), with the zone its pages are read in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase

from coparent.accounts.http import AuthenticatedRequest
from coparent.families.models import Family
from coparent.families.selectors import FamilyAccess, get_family_access
from coparent.web import zones

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


class FamilyRequest(AuthenticatedRequest):
    """A request that went through `family_view`: signed in (its `login_required`), with the
    family and the member's access resolved through the one access path."""

    family: Family
    family_access: FamilyAccess


FamilyView = Callable[Concatenate[FamilyRequest, P], R]
# What the URL router calls: the request and the URL's arguments, `family_id` among them.
RoutedView = Callable[..., R]


def family_view(
    *, shared: bool = False, parent: bool = False
) -> Callable[[FamilyView[P, R]], RoutedView[R]]:
    """Resolve `family_id` from the URL through the one access path and attach it to the request.

    `shared=True` lets only parents and consented professionals in (viewers get 403);
    `parent=True` lets only parents in. Anyone else, or another family, gets 404.
    """

    def decorator(view: FamilyView[P, R]) -> RoutedView[R]:
        @wraps(view)
        def wrapper(
            request: AuthenticatedRequest, family_id: object, *args: P.args, **kwargs: P.kwargs
        ) -> R:
            access = get_family_access(request.user, family_id)
            if parent:
                access.require_parent()
            elif shared:
                access.require_shared()
            family_request = cast(FamilyRequest, request)
            family_request.family_access = access
            family_request.family = access.family
            # Every time on a family's page is in the family's zone (coparent.web.zones).
            with zones.in_family(family_request, access.family):
                return view(family_request, *args, **kwargs)

        return login_required(wrapper)

    return decorator
