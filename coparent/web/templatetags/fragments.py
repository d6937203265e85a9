"""`{% fragment KEY %}…{% endfragment %}`: a piece of a page kept in the `fragments` cache
under KEY, rendered only when the cache does not hold it (issue #17, "The cost of a request").

KEY is text the view builds from versions it read from the database in this request (the inbox
list: coparent/messaging/views.py, `_inbox_list_key`), so a change the piece shows changes the
key and the next request renders it anew; a stale entry is never found again and ages out. The
tag adds what every page's rendering depends on besides: the language, the URL configuration,
the script prefix, and the reading frame (the zone times are shown in, the reader's own zone
beside it, the locale of dates). An empty KEY renders the block without the cache.

The cache is each process's own memory (settings.CACHES["fragments"]): nothing needs to be
shared, since the key holds the versions, and a deploy starts with it empty, so a changed
template is never answered from an older one.
"""

from __future__ import annotations

import hashlib

from django.core.cache import caches
from django.template import Context, Library, Node, NodeList, TemplateSyntaxError
from django.template.base import FilterExpression, Parser, Token
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.safestring import mark_safe

from coparent.web import zones

register = Library()

CACHE = "fragments"


def fragment_key(key: str) -> str:
    """The cache key for KEY in the request being served: KEY with the language, URL
    configuration, script prefix and reading frame, hashed (the cache's keys are short)."""
    frame = zones.current()
    own = frame.own.key if frame.own is not None else ""
    whole = "\x1f".join(
        (
            key,
            translation.get_language() or "",
            str(get_urlconf() or ""),
            get_script_prefix(),
            frame.zone.key,
            own,
            frame.locale,
        )
    )
    return "fragment:" + hashlib.sha256(whole.encode()).hexdigest()


class FragmentNode(Node):
    def __init__(self, key: FilterExpression, nodelist: NodeList) -> None:
        self.key = key
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        key = self.key.resolve(context)
        if not key or not isinstance(key, str):
            return self.nodelist.render(context)
        name = fragment_key(key)
        store = caches[CACHE]
        found = store.get(name)
        if not isinstance(found, str):
            found = str(self.nodelist.render(context))
            store.set(name, found)
        return mark_safe(found)  # noqa: S308 - the template's own rendering, escaped as it rendered


@register.tag
def fragment(parser: Parser, token: Token) -> FragmentNode:
    bits = token.split_contents()[1:]
    if len(bits) != 1:
        raise TemplateSyntaxError("{% fragment %} takes one key")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(parser.compile_filter(bits[0]), nodelist)
