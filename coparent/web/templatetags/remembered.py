"""`{% remembered KEY… %}…{% endremembered %}`: a piece of a page rendered once per process for
each value of its keys, then reused (issue #17, "The cost of a request").

For markup that depends on nothing but its keys: links and labels, such as the family's
navigation, which is the same for every page of one family, role and section. The language,
the URL configuration and the script prefix are always part of the key, so translated labels
and paths stay right. Nothing read from the database may be inside unless it is a key, and
nothing that differs per request (a CSRF token, a count, a name that can change, a nonce) may
be inside at all: such things stay outside the block. Text and plain values as keys only
(text, whole numbers, UUIDs, None, booleans); anything else renders the block anew each time.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context, Library, Node, NodeList, TemplateSyntaxError
from django.template.base import FilterExpression, Parser, Token
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

register = Library()

# Per block: enough for the families, roles, sections and languages one process serves at a
# time; when full the block starts again empty (it is only a saving, never the answer).
REMEMBERED = 2048

_blocks: list[RememberedNode] = []


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    # Tests that swap the URL configuration, the languages or the static files (base.html).
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "STATIC_URL", "STORAGES"):
        for block in _blocks:
            block.kept.clear()


def _plain(value: object) -> bool:
    return value is None or isinstance(value, str | int | uuid.UUID)


class RememberedNode(Node):
    def __init__(self, keys: list[FilterExpression], nodelist: NodeList) -> None:
        self.keys = keys
        self.nodelist = nodelist
        self.kept: dict[tuple[Any, ...], SafeString] = {}
        _blocks.append(self)

    def render(self, context: Context) -> str:
        values = tuple(key.resolve(context) for key in self.keys)
        if not all(_plain(value) for value in values):
            return self.nodelist.render(context)
        # The type beside each value: True and 1 are equal as keys but render differently.
        key = (
            tuple((type(value), value) for value in values),
            translation.get_language(),
            get_urlconf(),
            get_script_prefix(),
        )
        found = self.kept.get(key)
        if found is None:
            if len(self.kept) >= REMEMBERED:
                self.kept.clear()
            found = self.kept[key] = mark_safe(self.nodelist.render(context))  # noqa: S308 - the template's own rendering, escaped as it rendered
        return found


@register.tag
def remembered(parser: Parser, token: Token) -> RememberedNode:
    bits = token.split_contents()[1:]
    if not bits:
        raise TemplateSyntaxError("{% remembered %} needs at least one key")
    nodelist = parser.parse(("endremembered",))
    parser.delete_first_token()
    return RememberedNode([parser.compile_filter(bit) for bit in bits], nodelist)
