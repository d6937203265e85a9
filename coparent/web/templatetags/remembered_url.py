"""`{% url %}` with its answers remembered, a template builtin (settings.TEMPLATES) that takes
the place of Django's tag on every HTML page.

Django reverses each `{% url %}` anew, and a family page names twenty or more (the family's
navigation alone is seventeen): on the inbox that was a large share of the page's own work
(issue #17, "The cost of a request"). The same name and arguments always give the same path
for the same URL configuration and script prefix, so the answer is kept, per process, keyed by
all of them. Only plain arguments (text, whole numbers, UUIDs) are remembered: anything else
(a model object, whose text could change) is reversed each time, as before. Nothing about who
may open the path changes: a link is only text, and every view still checks access itself.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context, Library
from django.template.base import Parser, Token
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = Library()

# Enough for the links of a few hundred families' pages; past that the oldest are reversed
# again when next asked, as every link was before.
REMEMBERED = 4096


@lru_cache(maxsize=REMEMBERED)
def _reverse(
    view_name: str,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
    current_app: str | None,
    urlconf: str | None,
    prefix: str,
) -> str:
    # `prefix` is in the key only: reverse() reads the same script prefix itself.
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    # Tests that swap the URL configuration; Django empties its own resolver caches then too.
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()


def _plain(value: object) -> bool:
    # bool is left out: True equals 1 as a key but reverses to "True".
    return isinstance(value, str | int | uuid.UUID) and not isinstance(value, bool)


class RememberedURLNode(URLNode):
    def render(self, context: Context) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((k, v.resolve(context)) for k, v in self.kwargs.items())
        view_name = self.view_name.resolve(context)
        if not (
            isinstance(view_name, str)
            and all(_plain(v) for v in args)
            and all(_plain(v) for _, v in kwargs)
        ):
            return str(super().render(context))
        try:
            current_app = context.request.current_app  # type: ignore[attr-defined]  # as Django's tag reads it
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace  # type: ignore[attr-defined]  # as Django's tag reads it
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = _reverse(view_name, args, kwargs, current_app, get_urlconf(), get_script_prefix())
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> RememberedURLNode:
    """Django's `{% url %}`, parsed by Django, its answer remembered."""
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
