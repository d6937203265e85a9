"""The one page renderer of the family pages (docs/new-app.md).

Each app makes one `FamilyPages` with its place in the family navigation and what every one of
its pages needs besides (the unread count of messages, the week's day names of the calendar),
and renders every page through it: the template always gets `nav` and `access`.

A value of the hook's dict may be a function of no arguments: it is called only when the view
did not pass that name itself, so a view that reads the figure in a query of its own (the inbox
reads its unread count with its thread count) does not pay for it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from coparent.web.decorators import FamilyRequest

ContextHook = Callable[[FamilyRequest], dict[str, Any]]


class FamilyPages:
    """Renders one app's family pages."""

    def __init__(self, *, nav: str, context: ContextHook | None = None) -> None:
        self.nav = nav
        self.context = context

    def __call__(
        self,
        request: FamilyRequest,
        template: str,
        *,
        status: int = 200,
        nav: str | None = None,
        **context: Any,
    ) -> HttpResponse:
        """`template` with `context`, for the family and member of `request`. `nav` names the
        navigation item to mark when it is not the app's own."""
        base: dict[str, Any] = {"nav": nav or self.nav, "access": request.family_access}
        if self.context is not None:
            for name, value in self.context(request).items():
                if name not in context:
                    base[name] = value() if callable(value) else value
        return render(request, template, {**base, **context}, status=status)
