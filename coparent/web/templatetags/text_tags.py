"""Showing text exactly in the order it is stored."""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe

from coparent.core.text import char_name, plain_mark, reveal

register = template.Library()


def _html_mark(ch: str) -> str:
    return format_html(
        '<abbr class="direction-mark" title="{}">{}</abbr>', char_name(ch), plain_mark(ch)
    )


@register.filter(is_safe=True)
def visible_controls(value: object) -> SafeString:
    """`{{ message.body|visible_controls|linebreaksbr }}`: the text escaped, with each character
    that would reorder what follows it (an override, an embedding, an isolate) shown as a
    visible mark such as [U+202E] instead, so the text reads in the order it was stored. The
    stored text is untouched; already-safe HTML (a search snippet) is only marked."""
    text = str(value if value is not None else "")
    html = text if isinstance(value, SafeData) else escape(text)
    return mark_safe(reveal(html, _html_mark))  # noqa: S308 - escaped above, marks are ours


@register.filter
def plain_controls(value: object) -> str:
    """The same for plain text (emails, calendar feeds): [U+202E] instead of the character."""
    return reveal(str(value if value is not None else ""))
